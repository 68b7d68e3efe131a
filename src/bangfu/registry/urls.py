from django.urls import path

from bangfu.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("new/", views.household_create, name="household_create"),
    path("export/", views.household_export, name="household_export"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("<int:pk>/phone/", views.household_phone_reveal, name="household_phone_reveal"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/income/new/", views.income_add, name="income_add"),
    path("<int:pk>/income/<int:year>/edit/", views.income_edit, name="income_edit"),
    path("<int:pk>/reopen/", views.household_reopen, name="household_reopen"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove_view, name="member_remove"),
    path("members/<int:pk>/id-number/", views.member_id_reveal, name="member_id_reveal"),
]
