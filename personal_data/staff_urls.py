from django.urls import path

from . import staff_views

app_name = "personal_data_staff"

urlpatterns = [
    path("<str:person_ref>/", staff_views.person_export, name="person_export"),
]
