from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("upload/", views.upload, name="upload"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:pk>/decide/", views.decide, name="decide"),
]
