from django.urls import path

from bangfu.reports import views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("map/", views.county_map, name="county_map"),
    path("statistics/", views.statistics, name="statistics"),
]
