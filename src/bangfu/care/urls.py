from django.urls import path

from bangfu.care import views

app_name = "care"

urlpatterns = [
    path("", views.index, name="index"),
    path("members/", views.group_list, name="group_list"),
    path("visits/", views.visit_queue, name="visit_queue"),
    path("households/<int:pk>/visits/", views.household_visits, name="household_visits"),
    path("members/<int:pk>/facts/", views.member_facts, name="member_facts"),
    path("settings/", views.settings_edit, name="settings"),
]
