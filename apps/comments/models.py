from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Comment(models.Model):
    """A comment on an article or a project; replies go one level deep."""

    article = models.ForeignKey(
        "knowledge.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="comments",
    )
    project = models.ForeignKey(
        "catalog.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(article__isnull=False, project__isnull=True)
                | Q(article__isnull=True, project__isnull=False),
                name="comment_on_article_or_project",
            )
        ]

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None and self.deleted_at is None

    @property
    def subject(self):
        return self.article if self.article_id else self.project

    def get_absolute_url(self) -> str:
        return f"{self.subject.get_absolute_url()}#comment-{self.pk}"


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("what is wrong with this comment?"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_comment_report_per_reporter",
            )
        ]
