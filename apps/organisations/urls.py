from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("", views.my_organisations, name="mine"),
    path("neu/", views.OrganisationCreateView.as_view(), name="create"),
    path("einladung/<uuid:token>/", views.invitation_accept, name="invitation_accept"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.OrganisationUpdateView.as_view(), name="update"),
    path("<slug:slug>/mitglieder/", views.MemberInviteView.as_view(), name="invite"),
]
