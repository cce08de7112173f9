from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Article, EditProposal, Tag


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "status", "author", "published_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    raw_id_fields = ["author", "projects"]
    list_select_related = ["author"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(EditProposal)
class EditProposalAdmin(admin.ModelAdmin):
    list_display = ["article", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["article", "proposer", "decided_by", "base_revision"]
