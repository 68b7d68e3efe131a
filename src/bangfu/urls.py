from django.urls import include, path, re_path

from bangfu.api.api import api
from bangfu.api.errors import api_not_found

urlpatterns = [
    path("", include("bangfu.web.urls")),
    path("", include("bangfu.offline.urls")),
    path("households/", include("bangfu.registry.urls")),
    path("jobs/", include("bangfu.jobs.urls")),
    path("imports/", include("bangfu.ingest.urls")),
    path("accounts/", include("bangfu.accounts.urls")),
    path("monitoring/", include("bangfu.monitoring.urls")),
    path("assistance/", include("bangfu.assistance.urls")),
    path("cases/", include("bangfu.cases.urls")),
    path("relocation/", include("bangfu.relocation.urls")),
    path("care/", include("bangfu.care.urls")),
    path("reports/", include("bangfu.reports.urls")),
    path("api/v1/", api_not_found, name="api_index"),  # before django-ninja's root, which answers an HTML 404
    path("api/v1/", api.urls),
    # After the API's own paths: what none of them names is answered in JSON too.
    re_path(r"^api/.*$", api_not_found, name="api_not_found"),
    path("i18n/", include("django.conf.urls.i18n")),
]
