from django.urls import path

from bangfu.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("lines/", views.monitoring_lines, name="lines"),
]
