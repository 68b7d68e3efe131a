from django.urls import path

from bangfu.ingest import views

app_name = "ingest"
urlpatterns = [
    path("households/", views.import_start, name="import_start"),
    path("template/<slug:kind>.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.import_detail, name="import_detail"),
    path("<int:pk>/mapping/", views.import_map, name="import_map"),
    path("<int:pk>/commit/", views.import_commit, name="import_commit"),
]
