from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.my_organisations, name="mine"),
    path("neu/", views.OrganisationCreateView.as_view(), name="create"),
    path("einladung/<uuid:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.OrganisationUpdateView.as_view(), name="update"),
    path("<slug:slug>/mitglieder/", views.MemberListView.as_view(), name="members"),
    path("<slug:slug>/mitglieder/einladen/", views.MemberInviteView.as_view(), name="invite"),
    path(
        "<slug:slug>/mitglieder/<int:membership_id>/rolle/",
        views.MembershipRoleChangeView.as_view(),
        name="membership_change_role",
    ),
    path(
        "<slug:slug>/mitglieder/<int:membership_id>/entfernen/",
        views.MembershipRemoveView.as_view(),
        name="membership_remove",
    ),
    path(
        "<slug:slug>/mitglied-werden/",
        views.MembershipRequestView.as_view(),
        name="membership_request",
    ),
    path(
        "<slug:slug>/antraege/<int:pk>/annehmen/",
        views.MembershipRequestDecisionView.as_view(),
        {"decision": "approve"},
        name="membership_request_approve",
    ),
    path(
        "<slug:slug>/antraege/<int:pk>/ablehnen/",
        views.MembershipRequestDecisionView.as_view(),
        {"decision": "decline"},
        name="membership_request_decline",
    ),
    path("<slug:slug>/nachricht/", views.ContactView.as_view(), name="contact"),
    path("<slug:slug>/folgen/", views.FollowView.as_view(), {"follow": True}, name="follow"),
    path(
        "<slug:slug>/nicht-mehr-folgen/",
        views.FollowView.as_view(),
        {"follow": False},
        name="unfollow",
    ),
]
