from django.urls import path

from . import views

app_name = "casework"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
]
