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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Requests and reports change only through the market's services, which record every
    status change and let moderators in only on a participant's report."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(InterestRequest)
class InterestRequestAdmin(ReadOnlyAdmin):
    """Status and history only: the messages are private to the two sides."""

    list_display = ["offer", "municipality", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["offer__project", "municipality"]
    inlines = [RequestEventInline]


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "created_at", "resolved_at", "resolution"]
    list_filter = ["resolution"]
    exclude = ["message"]
