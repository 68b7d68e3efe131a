from django.urls import path

from bangfu.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/steps/<int:transition_id>/", views.case_advance, name="case_advance"),
    path("<int:pk>/reverse/", views.case_reverse, name="case_reverse"),
    path("households/<int:pk>/", views.household_assistance, name="household_assistance"),
    path("households/<int:pk>/open/", views.case_open, name="case_open"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/open/", views.case_open_from_lead, name="case_open_from_lead"),
    path("leads/<int:pk>/attach/", views.lead_attach, name="lead_attach"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("leads/<int:pk>/register/", views.lead_register, name="lead_register"),
    path("households/<int:pk>/measures/add/", views.measure_add, name="measure_add"),
    path("measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path("households/<int:pk>/contact/", views.contact_set, name="contact_set"),
    path("households/<int:pk>/visits/add/", views.visit_add, name="visit_add"),
    path("households/<int:pk>/eliminate/", views.elimination_propose, name="elimination_propose"),
    path("households/<int:pk>/card/", views.card, name="card"),
    path("notice/<str:code>/", views.notice, name="notice"),
    path("settings/", views.workflow_config, name="workflow_config"),
    path("settings/transitions/<int:pk>/", views.transition_edit, name="transition_edit"),
    path("settings/catalogue/<int:pk>/", views.measure_category_edit, name="measure_category_edit"),
    path("quality/", views.quality_report, name="quality_report"),
]
