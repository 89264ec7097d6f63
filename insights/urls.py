from django.urls import path

from . import scenario_views, trust_views, views

app_name = "insights"
urlpatterns = [
    path("", views.home, name="home"),
    path("tariff/", views.tariff, name="tariff"),
    path("tariff/result/", views.tariff_result, name="tariff_result"),
    path("council-tax/", views.council_tax, name="council_tax"),
    path("council-tax/result/", views.council_tax_result, name="council_tax_result"),
    path("scenarios/", scenario_views.scenario_list, name="scenarios"),
    path("scenarios/save/", scenario_views.save, name="scenario_save"),
    path("scenarios/compare/", scenario_views.compare_page, name="scenarios_compare"),
    path("scenarios/compare/csv/", scenario_views.compare_csv, name="scenarios_compare_csv"),
    path("scenarios/<int:pk>/", scenario_views.scenario, name="scenario"),
    path("scenarios/<int:pk>/csv/", scenario_views.scenario_csv, name="scenario_csv"),
    path("scenarios/<int:pk>/delete/", scenario_views.delete, name="scenario_delete"),
    path("quality/", trust_views.quality, name="quality"),
    path("quality/<slug:feed>/", trust_views.quality_feed, name="quality_feed"),
    path("channels/", trust_views.channels_page, name="channels"),
]
