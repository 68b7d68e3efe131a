"""The JSON API for other systems and scripts, with an OpenAPI schema at /api/docs.

Authentication is the same session as the pages (a token scheme for machine clients comes with the
department-data issue). Every endpoint reads through the same selectors as the pages.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import django_auth

from bangfu.api.registry import router as registry_router

# The schema and its docs page need a login too: they map what the API offers, for staff only.
api = NinjaAPI(title="bangfu API", version="1", auth=django_auth, urls_namespace="api",
               docs_decorator=login_required)
api.add_router("/households", registry_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("没有权限")}, status=403)
