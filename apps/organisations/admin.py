from django.contrib import admin

from .models import Follow, Invitation, Membership, MembershipRequest, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "accepts_members", "created_at"]
    list_filter = ["kind", "accepts_members"]
    search_fields = ["name"]
    raw_id_fields = ["municipality"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at"]
    raw_id_fields = ["organisation", "invited_by"]


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at", "decided_by"]
    list_filter = ["status"]
    search_fields = ["organisation__name", "user__email"]
    raw_id_fields = ["organisation", "user", "decided_by"]
    readonly_fields = ["created_at", "accepted_terms"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "created_at"]
    search_fields = ["organisation__name", "user__email"]
    raw_id_fields = ["organisation", "user"]
