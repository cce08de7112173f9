from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("export.json", views.data_export, name="data_export"),
    path("konto-loeschen/", views.AccountDeleteView.as_view(), name="delete"),
]
