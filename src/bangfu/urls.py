from django.urls import include, path

from bangfu.api.api import api

urlpatterns = [
    path("", include("bangfu.web.urls")),
    path("households/", include("bangfu.registry.urls")),
    path("jobs/", include("bangfu.jobs.urls")),
    path("imports/", include("bangfu.ingest.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("monitoring/", include("bangfu.monitoring.urls")),
    path("assistance/", include("bangfu.assistance.urls")),
    path("cases/", include("bangfu.cases.urls")),
    path("reports/", include("bangfu.reports.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
