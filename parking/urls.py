from django.urls import path

from . import evidence_views, permit_views, simulator_views, views
from .journey import question_urls

app_name = "parking"

urlpatterns = [
    path("", views.start, name="start"),
    path("apply/", views.apply, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<str:reference>/", views.application_detail, name="application"),
    # The question pages and check your answers, with the resident's journey.
    *question_urls(views.RESIDENT, "applications/<str:reference>/"),
    path("applications/<str:reference>/submit/", views.submit, name="submit"),
    path("applications/<str:reference>/withdraw/", views.withdraw, name="withdraw"),
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
    path("applications/<str:reference>/pay/", permit_views.application_pay, name="pay"),
    path("payments/<str:reference>/", permit_views.payment_return, name="payment_return"),
    path("permits/", permit_views.permit_list, name="permits"),
    path("permits/<str:number>/", permit_views.permit_detail, name="permit"),
    path("permits/<str:number>/vehicle/", permit_views.permit_vehicle, name="permit_vehicle"),
    path(
        "permits/<str:number>/vehicle/<str:registration>/",
        permit_views.permit_vehicle_confirm,
        name="permit_vehicle_confirm",
    ),
    path("permits/<str:number>/renew/", permit_views.permit_renew, name="permit_renew"),
    path("permits/<str:number>/cancel/", permit_views.permit_cancel, name="permit_cancel"),
    path("permits/<str:number>/moved/", permit_views.permit_moved, name="permit_moved"),
    path(
        "permits/<str:number>/moved/postcode/",
        permit_views.permit_moved_postcode,
        name="permit_moved_postcode",
    ),
    path(
        "permits/<str:number>/moved/address/",
        permit_views.permit_moved_address,
        name="permit_moved_address",
    ),
    path(
        "permits/<str:number>/moved/address-not-listed/",
        permit_views.permit_moved_not_listed,
        name="permit_moved_not_listed",
    ),
    path(
        "permits/<str:number>/moved/date/",
        permit_views.permit_moved_date,
        name="permit_moved_date",
    ),
    path(
        "permits/<str:number>/moved/done/",
        permit_views.permit_moved_next,
        name="permit_moved_next",
    ),
    path(
        "permits/<str:number>/moved/pay/",
        permit_views.permit_move_pay,
        name="permit_move_pay",
    ),
    path("pay-simulator/<str:payment_id>/", simulator_views.pay_simulator, name="pay_simulator"),
]
