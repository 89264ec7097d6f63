from django.urls import path

from . import search_views, views

app_name = "casework"
urlpatterns = [
    path("", views.staff_home, name="home"),
    path("search/", search_views.search_page, name="search"),
]
