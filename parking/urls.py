from django.urls import path

from . import evidence_views, simulator_views, views

app_name = "parking"

urlpatterns = [
    path("", views.start, name="start"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<str:reference>/", views.application_detail, name="application"),
    path("applications/<str:reference>/postcode/", views.postcode, name="postcode"),
    path("applications/<str:reference>/address/", views.address, name="address"),
    path("applications/<str:reference>/name/", views.applicant, name="applicant"),
    path("applications/<str:reference>/vehicle/", views.registration, name="registration"),
    path("applications/<str:reference>/vehicle/confirm/", views.vehicle, name="vehicle"),
    path("applications/<str:reference>/permit/", views.duration, name="duration"),
    path("applications/<str:reference>/check/", views.check_answers, name="check_answers"),
    path("applications/<str:reference>/submit/", views.submit, name="submit"),
    path(
        "applications/<str:reference>/evidence/",
        evidence_views.evidence_upload,
        name="evidence",
    ),
    path(
        "applications/<str:reference>/evidence/<uuid:evidence_id>/",
        evidence_views.evidence_download,
        name="evidence_file",
    ),
    path("pay-simulator/<str:payment_id>/", simulator_views.pay_simulator, name="pay_simulator"),
]
