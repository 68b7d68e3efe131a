from django.urls import path

from bangfu.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.home, name="home"),
    path("ledger/<slug:kind>/", views.ledger_list, name="ledger_list"),
    path("ledger/<slug:kind>/new/", views.ledger_create, name="ledger_create"),
    path("ledger/<slug:kind>/export/", views.ledger_export, name="ledger_export"),
    path("ledger/<slug:kind>/<int:pk>/", views.ledger_detail, name="ledger_detail"),
    path("ledger/<slug:kind>/<int:pk>/edit/", views.ledger_edit, name="ledger_edit"),
    path("ledger/<slug:kind>/<int:pk>/delete/", views.ledger_delete, name="ledger_delete"),
    path("ledger/<slug:kind>/<int:pk>/evidence/", views.ledger_evidence, name="ledger_evidence"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("plan/", views.plan_view, name="plan"),
    path("evaluation/", views.evaluation_view, name="evaluation"),
    path("briefing/", views.briefing, name="briefing"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/report/", views.unit_report, name="unit_report"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("cadres/<int:pk>/leave/", views.leave_submit, name="leave_submit"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/units/<int:unit_pk>/report/", views.unit_report_edit, name="unit_report_edit"),
    path("meetings/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_update, name="task_update"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/new/", views.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/evidence/", views.finding_evidence, name="finding_evidence"),
    path("findings/<int:pk>/sign-off/", views.finding_sign_off, name="finding_sign_off"),
    path("settings/", views.settings_view, name="settings"),
]
