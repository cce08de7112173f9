from django.contrib import admin

from .models import InterestRequest, MessageReport, RequestEvent, TransferOffer


@admin.register(TransferOffer)
class TransferOfferAdmin(admin.ModelAdmin):
    list_display = ["project", "status", "capacity_per_year", "published_at"]
    list_filter = ["status", "setting"]
    search_fields = ["project__title"]
    raw_id_fields = ["project", "created_by"]


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    extra = 0
    readonly_fields = ["actor", "from_status", "to_status", "note", "created_at"]
    can_delete = False


@admin.register(InterestRequest)
class InterestRequestAdmin(admin.ModelAdmin):
    """Status and history only: the messages are private to the two sides."""

    list_display = ["offer", "municipality", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["offer", "requester", "organisation", "municipality", "site"]
    inlines = [RequestEventInline]


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ["message", "created_at", "resolved_at", "resolution"]
    list_filter = ["resolution"]
    raw_id_fields = ["message", "reporter", "resolved_by"]
