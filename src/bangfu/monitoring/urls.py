from django.urls import path

from bangfu.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("lines/", views.monitoring_lines, name="lines"),
    path("lines/<int:year>/revert/", views.monitoring_line_revert_view, name="line_revert"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/<int:household_pk>/", views.lead_create, name="lead_create"),
    path("report/", views.self_report, name="self_report"),
    path("report/done/", views.self_report_done, name="self_report_done"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("screening/", views.screening_list, name="screening_list"),
    path("feeds/", views.feed_upload, name="feed_upload"),
    path("feeds/runs/<int:pk>/", views.feed_run, name="feed_run"),
    path("feeds/runs/<int:pk>/decide/", views.feed_run_decide, name="feed_run_decide"),
    path("feeds/runs/<int:pk>/map/", views.feed_run_map, name="feed_run_map"),
    path("feeds/uploads/<int:pk>/errors.xlsx", views.feed_upload_errors, name="feed_upload_errors"),
]
