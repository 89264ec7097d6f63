from django.urls import path

from . import views

app_name = "personal_data"

urlpatterns = [
    path("", views.your_data, name="home"),
    path("download/", views.download, name="download"),
    path("download/<str:token>/", views.export, name="export"),
    path("close/", views.close, name="close"),
    path("close/<str:token>/", views.close_confirm, name="close_confirm"),
    path("closed/", views.closed, name="closed"),
]
