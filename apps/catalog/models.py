from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NamedTerm(models.Model):
    """A vocabulary term (topic, target group) named in German with an English name."""

    name = models.CharField(_("name (German)"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Topic(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class TargetGroup(NamedTerm):
    class Meta(NamedTerm.Meta):
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")


class TransferFormat(models.Model):
    """The ways a project can be taken over; the four rows are created by a migration."""

    class Code(models.TextChoices):
        OPEN_MANUAL = "open_manual", _("Open manual")
        LICENCE = "licence", _("Licence / social franchise")
        COOPERATION = "cooperation", _("Cooperation")
        CONSULTING = "consulting", _("Consulting")

    code = models.CharField(max_length=20, choices=Code.choices, unique=True)

    class Meta:
        verbose_name = _("transfer format")
        verbose_name_plural = _("transfer formats")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class Readiness(models.TextChoices):
    PREPARING = "preparing", _("Preparing for transfer")
    READY = "ready", _("Ready for transfer")
    PROVEN = "proven", _("Transferred successfully")


class Setting(models.TextChoices):
    """Where a project is known to work."""

    RURAL = "rural", _("Rural")
    URBAN = "urban", _("Urban")
    BOTH = "both", _("Rural and urban")


class Licence(models.TextChoices):
    CC_BY_SA = "cc-by-sa-4.0", "CC BY-SA 4.0"
    CC_BY = "cc-by-4.0", "CC BY 4.0"
    CC_BY_NC_SA = "cc-by-nc-sa-4.0", "CC BY-NC-SA 4.0"
    CC0 = "cc0-1.0", "CC0 1.0"
    ALL_RIGHTS_RESERVED = "all-rights-reserved", _("All rights reserved")


LICENCE_URLS = {
    Licence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_NC_SA: "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class ProjectQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Project.Status.PUBLISHED)

    def pending(self):
        return self.filter(status=Project.Status.PENDING)


class Project(models.Model):
    """A proven local project that others can copy and adapt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    title = models.CharField(_("title"), max_length=140)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    summary = models.CharField(_("summary"), max_length=400)
    problem = models.TextField(_("problem"), max_length=10000)
    solution = models.TextField(_("solution"), max_length=10000)
    impact = models.TextField(_("impact evidence"), max_length=10000, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="projects")
    target_groups = models.ManyToManyField(
        TargetGroup, verbose_name=_("target groups"), related_name="projects"
    )
    transfer_formats = models.ManyToManyField(
        TransferFormat, verbose_name=_("transfer formats"), related_name="projects", blank=True
    )
    municipality = models.ForeignKey(
        "places.Municipality",
        verbose_name=_("home municipality"),
        on_delete=models.PROTECT,
        related_name="home_projects",
    )
    founded_year = models.PositiveSmallIntegerField(_("founding year"))
    readiness = models.CharField(
        _("transfer readiness"), max_length=10, choices=Readiness.choices, default=Readiness.READY
    )
    setting = models.CharField(
        _("works in"), max_length=5, choices=Setting.choices, default=Setting.BOTH
    )
    licence = models.CharField(
        _("licence of the materials"),
        max_length=20,
        choices=Licence.choices,
        default=Licence.CC_BY_SA,
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    moderation_note = models.TextField(_("note from the moderation"), max_length=2000, blank=True)
    # Kept by the site services so that "most sites" sorts without counting 100,000 rows.
    active_site_count = models.PositiveIntegerField(default=0, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="project_status_published_idx")
        ]
        permissions = [("moderate_project", "Can approve and reject projects")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("catalog:project_detail", kwargs={"slug": self.slug})

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")


class Site(models.Model):
    """A place where a project runs: its origin or a replication of it."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    municipality = models.ForeignKey(
        "places.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="sites",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("running organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites",
    )
    operator_name = models.CharField(
        _("running organisation (if not on Transferhub)"), max_length=160, blank=True
    )
    started_on = models.DateField(_("running since"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    is_origin = models.BooleanField(_("origin of the project"), default=False)
    adaptation_notes = models.TextField(_("how it was adapted"), max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="site_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.municipality.name}"

    @property
    def operator(self) -> str:
        return self.organisation.name if self.organisation_id else self.operator_name
