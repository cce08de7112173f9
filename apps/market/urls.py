from django.urls import path

from . import views

app_name = "market"
urlpatterns = [
    path("markt/", views.market, name="market"),
    path("markt/<slug:slug>/", views.offer_detail, name="offer_detail"),
    path("markt/<slug:slug>/angebot/", views.OfferEditView.as_view(), name="offer_edit"),
    path("markt/<slug:slug>/interesse/", views.InterestView.as_view(), name="interest"),
    path("anfragen/", views.request_list, name="requests"),
    path("anfragen/<uuid:public_id>/", views.ConversationView.as_view(), name="conversation"),
    path(
        "anfragen/<uuid:public_id>/nachricht/",
        views.MessageCreateView.as_view(),
        name="message_create",
    ),
    path("anfragen/<uuid:public_id>/status/", views.TransitionView.as_view(), name="transition"),
    path(
        "anfragen/nachrichten/<int:message_id>/melden/",
        views.ReportView.as_view(),
        name="report",
    ),
    path("moderation/meldungen/", views.ReportQueueView.as_view(), name="report_queue"),
    path(
        "moderation/meldungen/<int:report_id>/",
        views.ReportDecisionView.as_view(),
        name="report_decide",
    ),
]
