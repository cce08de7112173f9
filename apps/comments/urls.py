from django.urls import path

from . import views

app_name = "comments"
urlpatterns = [
    path("neu/", views.CommentCreateView.as_view(), name="create"),
    path("<int:pk>/antworten/", views.ReplyView.as_view(), name="reply"),
    path("<int:pk>/bearbeiten/", views.EditView.as_view(), name="edit"),
    path("<int:pk>/loeschen/", views.DeleteView.as_view(), name="delete"),
    path("<int:pk>/melden/", views.ReportView.as_view(), name="report"),
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation"),
    path("<int:pk>/ausblenden/", views.HideView.as_view(), name="hide"),
    path("<int:pk>/wieder-anzeigen/", views.RestoreView.as_view(), name="restore"),
    path(
        "moderation/meldungen/<int:report_id>/erledigt/",
        views.DismissView.as_view(),
        name="dismiss",
    ),
]
