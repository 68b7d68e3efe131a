from django.urls import path

from bangfu.relocation import views

app_name = "relocation"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_relocation, name="household"),
    path("employment/<int:pk>/remove/", views.employment_remove, name="employment_remove"),
    path("employment/import/", views.employment_import, name="employment_import"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_edit, name="site_create"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
]
