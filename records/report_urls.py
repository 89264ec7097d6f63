"""The resident's pages for telling us something in the records is wrong (records/report_views.py),
outside /staff/. The records administrators' queue is casework's (it audits every look)."""

from django.urls import path

from . import report_views

app_name = "data_quality"
urlpatterns = [
    path("", report_views.report_start, name="start"),
    path("<str:reference>/", report_views.report_case, name="case"),
    path("<str:reference>/change/", report_views.report_change, name="change"),
    path("<str:reference>/check/", report_views.report_check, name="check"),
]
