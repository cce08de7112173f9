import math

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.catalog.models import LICENCE_URLS, Licence

WORDS_PER_MINUTE = 200
BODY_MAX_LENGTH = 50_000


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=70, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED)


class Article(models.Model):
    """A piece of the knowledge hub; every saved change of its text is a revision."""

    class Kind(models.TextChoices):
        BASICS = "basics", _("Basics")
        REPORT = "report", _("Experience report")
        GUIDE = "guide", _("Guide")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden by the moderation")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BASICS)
    title = models.CharField(_("title"), max_length=160)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    topics = models.ManyToManyField(
        "catalog.Topic", verbose_name=_("topics"), related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="articles", blank=True)
    projects = models.ManyToManyField(
        "catalog.Project",
        verbose_name=_("projects it is about"),
        related_name="articles",
        blank=True,
    )
    sites = models.ManyToManyField(
        "catalog.Site",
        verbose_name=_("sites it is about"),
        related_name="articles",
        blank=True,
    )
    # Empty once the author deletes their account; the article stays, attributed to nobody.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY_SA
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1)
    # The word stems of title, summary and text, for the site search (see selectors).
    search_stems = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    history = HistoricalRecords(
        excluded_fields=[
            "created_at",
            "updated_at",
            "reading_minutes",
            "published_at",
            "search_stems",
        ],
        verbose_name=_("revision"),
        verbose_name_plural=_("revisions"),
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:article", kwargs={"slug": self.slug})

    @property
    def licence_url(self) -> str:
        return LICENCE_URLS.get(self.licence, "")

    def count_reading_minutes(self) -> int:
        return max(1, math.ceil(len(self.body.split()) / WORDS_PER_MINUTE))


class ArticleImage(models.Model):
    """An image uploaded for an article's text, already checked, resized and re-encoded."""

    image = models.ImageField(_("image"), upload_to="knowledge/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")


class EditProposal(models.Model):
    """A change anyone logged in suggests; the author or an editor accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="proposals")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    comment = models.CharField(_("what you changed and why"), max_length=300)
    base_revision = models.ForeignKey(
        Article.history.model, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("edit proposal")
        verbose_name_plural = _("edit proposals")
        ordering = ["-created_at", "-id"]


class ArticleFollow(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="one_follow_per_article")
        ]


class TopicFollow(models.Model):
    topic = models.ForeignKey("catalog.Topic", on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "user"], name="one_follow_per_topic")
        ]
