from django.contrib import admin

from .models import Comment, CommentReport


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """For looking things up; hiding and restoring go through the moderation queue, which
    tells the author and clears the page cache."""

    list_display = ["id", "author", "article", "project", "created_at", "hidden_at", "deleted_at"]
    list_filter = ["created_at", "hidden_at", "deleted_at"]
    search_fields = ["body", "author__email", "author__display_name"]
    list_select_related = ["author", "article", "project"]
    readonly_fields = [
        "article",
        "project",
        "parent",
        "author",
        "body",
        "created_at",
        "edited_at",
        "deleted_at",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["id", "comment", "reporter", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    list_select_related = ["comment", "reporter"]
    readonly_fields = ["comment", "reporter", "reason", "created_at", "resolved_at"]

    def has_add_permission(self, request):
        return False
