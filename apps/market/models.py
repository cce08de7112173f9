import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.catalog.models import Setting

MESSAGE_MAX_LENGTH = 5000


class OfferComponent(models.Model):
    """What a transfer offer gives a newcomer; the rows are created by a migration."""

    class Code(models.TextChoices):
        MANUAL = "manual", _("Manual")
        TRAINING = "training", _("Training")
        LICENCE = "licence", _("Licence or social franchise")
        MENTORING = "mentoring", _("Mentoring")
        STARTER_KIT = "starter_kit", _("Starter kit")

    code = models.CharField(max_length=20, choices=Code.choices, unique=True)

    class Meta:
        verbose_name = _("offer component")
        verbose_name_plural = _("offer components")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.get_code_display())


class TransferOfferQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            status=TransferOffer.Status.OPEN,
            project__status="published",
            published_at__isnull=False,  # set when the offer and its project are public
        )


class TransferOffer(models.Model):
    """What the organisation behind a project offers to people who want to copy it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for requests")
        CLOSED = "closed", _("Closed")

    project = models.OneToOneField(
        "catalog.Project", verbose_name=_("project"), on_delete=models.CASCADE, related_name="offer"
    )
    components = models.ManyToManyField(
        OfferComponent, verbose_name=_("what newcomers get"), related_name="offers"
    )
    description = models.TextField(_("what the offer includes"), max_length=5000)
    conditions = models.TextField(_("conditions and costs"), max_length=3000, blank=True)
    fee_eur = models.PositiveIntegerField(
        _("fee for a new site (EUR)"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    people_needed = models.PositiveSmallIntegerField(
        _("people a new site needs"), default=3, validators=[MaxValueValidator(500)]
    )
    budget_eur = models.PositiveIntegerField(
        _("money a new site needs per year (EUR)"),
        default=0,
        validators=[MaxValueValidator(10_000_000)],
    )
    months_to_start = models.PositiveSmallIntegerField(
        _("months until a new site runs"), default=6, validators=[MaxValueValidator(60)]
    )
    setting = models.CharField(
        _("fits"), max_length=5, choices=Setting.choices, default=Setting.BOTH
    )
    min_population = models.PositiveIntegerField(
        _("smallest fitting municipality (inhabitants)"), null=True, blank=True
    )
    max_population = models.PositiveIntegerField(
        _("largest fitting municipality (inhabitants)"), null=True, blank=True
    )
    capacity_per_year = models.PositiveSmallIntegerField(
        _("new sites we can support this year"), default=3, validators=[MaxValueValidator(1000)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = TransferOfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer offer")
        verbose_name_plural = _("transfer offers")
        ordering = ["-published_at", "-id"]
        # The market's newest-first page: read in index order instead of sorting every offer.
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="market_offer_newest")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_population__isnull=True)
                | Q(max_population__isnull=True)
                | Q(max_population__gte=models.F("min_population")),
                name="offer_population_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.project)

    def get_absolute_url(self) -> str:
        return reverse("market:offer_detail", kwargs={"slug": self.project.slug})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.project.status == "published"


class RequestStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_CONVERSATION = "in_conversation", _("In conversation")
    AGREED = "agreed", _("Agreed")
    SITE_STARTED = "site_started", _("Site started")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


ACTIVE_STATUSES = (RequestStatus.NEW, RequestStatus.IN_CONVERSATION, RequestStatus.AGREED)
CLOSED_STATUSES = (RequestStatus.DECLINED, RequestStatus.WITHDRAWN)


class InterestRequest(models.Model):
    """Someone wants to start the project in their municipality: a private conversation with
    the organisation behind it, and the outcome of that conversation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    offer = models.ForeignKey(
        TransferOffer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="interest_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interest_requests",
    )
    municipality = models.ForeignKey(
        "places.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="interest_requests",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.NEW,
        db_index=True,
    )
    decline_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    site = models.ForeignKey(
        "catalog.Site",
        verbose_name=_("started site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    last_activity_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("interest request")
        verbose_name_plural = _("interest requests")
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "requester", "municipality"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="one_open_request_per_place",
            )
        ]

    def __str__(self) -> str:
        return f"{self.offer} → {self.municipality}"

    def get_absolute_url(self) -> str:
        return reverse("market:conversation", kwargs={"public_id": self.public_id})

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def requester_label(self) -> str:
        if self.organisation_id:
            return f"{self.requester.public_name} ({self.organisation.name})"
        return self.requester.public_name


class RequestEvent(models.Model):
    """One status change of a request: who, when, from what to what, and why."""

    request = models.ForeignKey(InterestRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices)
    note = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]


class Message(models.Model):
    request = models.ForeignKey(InterestRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=MESSAGE_MAX_LENGTH)
    is_hidden = models.BooleanField(_("hidden by the moderation"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]


class ConversationRead(models.Model):
    """How far a person has read a conversation; later messages by others count as unread."""

    request = models.ForeignKey(InterestRequest, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], name="one_read_marker_per_user")
        ]


class MessageReport(models.Model):
    """A participant asks the moderation to look at a message; only then may a moderator read
    the conversation."""

    class Resolution(models.TextChoices):
        DISMISSED = "dismissed", _("No action needed")
        HIDDEN = "hidden", _("Message hidden")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("what is wrong with this message?"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_report_per_reporter",
            )
        ]
