from django.urls import path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("neu/", views.ArticleCreateView.as_view(), name="create"),
    path("vorschau/", views.preview, name="preview"),
    path("bilder/", views.ImageUploadView.as_view(), name="image_upload"),
    path("themen/<slug:slug>/", views.topic, name="topic"),
    path("themen/<slug:slug>/folgen/", views.topic_follow, name="topic_follow"),
    path("schlagworte/<slug:slug>/", views.tag, name="tag"),
    path("vorschlaege/<int:pk>/", views.ProposalView.as_view(), name="proposal"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/bearbeiten/", views.ArticleUpdateView.as_view(), name="update"),
    path("<slug:slug>/veroeffentlichen/", views.publish, name="publish"),
    path("<slug:slug>/sichtbarkeit/", views.set_hidden, name="set_hidden"),
    path("<slug:slug>/verbessern/", views.ProposalCreateView.as_view(), name="propose"),
    path("<slug:slug>/folgen/", views.article_follow, name="follow"),
    path("<slug:slug>/versionen/", views.history, name="history"),
    path("<slug:slug>/versionen/<int:revision_id>/", views.revision, name="revision"),
    path(
        "<slug:slug>/versionen/<int:revision_id>/wiederherstellen/",
        views.restore,
        name="restore",
    ),
]
