from django.urls import path

from parking.journey import question_urls

from . import assisted_views, data_quality_views, flag_views, review_views, search_views, views

app_name = "casework"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("audit/", views.audit_log, name="audit_log"),
    path("review/", review_views.review_queue, name="review_queue"),
    path("review/<str:reference>/", review_views.review_decide, name="review_decide"),
    path(
        "review/<str:reference>/evidence/<uuid:evidence_id>/",
        review_views.review_evidence,
        name="review_evidence",
    ),
    path("permits/flagged/", flag_views.flagged_permits, name="flagged_permits"),
    # Residents' reports that the records are wrong: with the records pages (/staff/records/,
    # whose own URLs come first), but casework's, as every look at them is audited.
    path("records/quality/", data_quality_views.data_quality_queue, name="data_quality_queue"),
    path(
        "records/quality/<str:reference>/",
        data_quality_views.data_quality_case,
        name="data_quality_case",
    ),
    path(
        "records/quality/<str:reference>/proof/<uuid:proof_id>/",
        data_quality_views.data_quality_proof,
        name="data_quality_proof",
    ),
    path("permits/<str:number>/flag/", flag_views.flag_decide, name="flag_decide"),
    # Until search exists a case is reached by its address: a person's reference in the
    # council's records, or a property's UPRN (and from the audit log's links).
    path("cases/person/<str:person_ref>/", views.person_case, name="person_case"),
    path("cases/person/<str:person_ref>/notes/", views.person_case_notes, name="person_case_notes"),
    path(
        "cases/person/<str:person_ref>/evidence/<uuid:evidence_id>/",
        views.person_case_evidence,
        name="person_case_evidence",
    ),
    # Assisted applications: started from a person's case, then the resident's questions.
    path(
        "assisted/person/<str:person_ref>/",
        assisted_views.assisted_start,
        name="assisted_start",
    ),
    path(
        "assisted/<str:reference>/",
        assisted_views.assisted_application,
        name="assisted_application",
    ),
    *question_urls(assisted_views.ASSISTED, "assisted/<str:reference>/"),
    path(
        "assisted/<str:reference>/submit/",
        assisted_views.assisted_submit,
        name="assisted_submit",
    ),
    path("assisted/<str:reference>/pay/", assisted_views.assisted_pay, name="assisted_pay"),
    path(
        "assisted/<str:reference>/paid/<str:payment_reference>/",
        assisted_views.assisted_paid,
        name="assisted_paid",
    ),
    path("cases/property/<int:uprn>/", views.property_case, name="property_case"),
    path("cases/property/<int:uprn>/notes/", views.property_case_notes, name="property_case_notes"),
    path(
        "cases/property/<int:uprn>/evidence/<uuid:evidence_id>/",
        views.property_case_evidence,
        name="property_case_evidence",
    ),
]
