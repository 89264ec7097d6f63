from django.urls import path

from . import views

app_name = "personal_data"

urlpatterns = [
    path("", views.your_data, name="home"),
    path("download/", views.download, name="download"),
    path("download/<str:token>/", views.export, name="export"),
]
