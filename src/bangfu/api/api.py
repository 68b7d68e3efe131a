"""The JSON API for other systems and scripts, under /api/v1/, with an OpenAPI schema at /api/v1/openapi.json and
its docs at /api/v1/docs.

Two ways in: the browser's session (the pages' login), or a token (`Authorization: Bearer bf_…`) that an
administrator made for a user with one or more scopes (accounts.tokens; `bangfu token create`). Every endpoint
reads and writes through the same selectors and services as the pages; refusals are JSON with a Chinese message.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as ParameterError
from ninja.renderers import JSONRenderer

from bangfu.accounts.models import ApiToken
from bangfu.api.auth import auth_for
from bangfu.api.errors import csrf_refused, parameter_problem, validation_message
from bangfu.api.feeds import router as feeds_router
from bangfu.api.reads import router as reads_router
from bangfu.api.registry import router as registry_router


class ReadableJSON(JSONRenderer):
    """Chinese as it is (valid JSON either way): a clerk reading curl's answer sees 已预览, not escapes."""

    json_dumps_params = {"ensure_ascii": False}


# The schema and its docs page need a login too: they map what the API offers, for staff only.
api = NinjaAPI(title="bangfu API", version="1", auth=auth_for(ApiToken.Scope.READ), urls_namespace="api",
               docs_decorator=login_required, renderer=ReadableJSON())
api.add_router("/households", registry_router)
api.add_router("/feeds", feeds_router)
api.add_router("/", reads_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("没有权限")}, status=403)


@api.exception_handler(AuthenticationError)
def not_authenticated(request, exc):
    return api.create_response(request, {"detail": _("未登录，或接口令牌无效、已过期或已吊销")}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc):
    # django-ninja's own refusals carry English text; the one a caller meets is a session's write without CSRF.
    message = csrf_refused() if exc.message == "CSRF check Failed" else exc.message
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(ValidationError)
def bad_input(request, exc):
    return api.create_response(request, {"detail": validation_message(exc)}, status=400)


@api.exception_handler(ParameterError)
def bad_parameters(request, exc):
    return api.create_response(request, {"detail": [parameter_problem(e) for e in exc.errors]}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("没有找到")}, status=404)
