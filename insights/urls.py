from django.urls import path

from . import trust_views, views

app_name = "insights"
urlpatterns = [
    path("", views.home, name="home"),
    path("tariff/", views.tariff, name="tariff"),
    path("tariff/result/", views.tariff_result, name="tariff_result"),
    path("council-tax/", views.council_tax, name="council_tax"),
    path("council-tax/result/", views.council_tax_result, name="council_tax_result"),
    path("quality/", trust_views.quality, name="quality"),
    path("quality/<slug:feed>/", trust_views.quality_feed, name="quality_feed"),
    path("channels/", trust_views.channels_page, name="channels"),
]
