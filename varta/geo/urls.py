from django.urls import path

from varta.geo import views

app_name = "geo"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("search.json", views.search, name="search"),
    path("<str:pcode>/", views.unit, name="unit"),
]
