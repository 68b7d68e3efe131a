"""Who calls the API: a logged-in browser (the session, with its CSRF check on writes) or a department system or
script with a token (`Authorization: Bearer bf_…`, accounts.tokens). A token acts as its user, within its scopes:
it never does more than the user could in the pages, and every call made with one is recorded (audit.ApiCall)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth

from bangfu.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """A bearer token with the given scope; a live token without it is refused (403) rather than ignored."""

    openapi_description = "bangfu API token (bangfu token create / 用户管理 → 接口令牌)"

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        from bangfu.accounts.tokens import api_token_for

        found = api_token_for(token)
        request.api_token_tried = True
        if found is None:  # a token was presented and is no good: say so, rather than try the session (whose
            raise AuthenticationError  # CSRF check would answer a write with a puzzling 403)
        request.api_token = found
        request.user = found.user
        if self.scope not in found.scope_list:
            raise PermissionDenied(_("该令牌的权限范围（%(has)s）不包括“%(needs)s”") % {
                "has": found.scope_labels, "needs": ApiToken.Scope(self.scope).label})
        return found


def auth_for(scope: str) -> list:
    """A token with `scope`, or the browser's session."""
    return [TokenAuth(scope), django_auth]


class ApiCallMiddleware:
    """Record every API call that presented a bearer token, valid or not, with the answer's status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header[:7].lower() == "bearer ":
            self._record(request, response, header[7:].strip())
        return response

    @staticmethod
    def _record(request, response, raw: str) -> None:
        from bangfu.accounts.forms import client_address
        from bangfu.audit.context import current_request_id
        from bangfu.audit.models import ApiCall
        from bangfu.core.identifiers import redact_identifiers

        token = getattr(request, "api_token", None)
        user = token.user if token else None
        region = (user.unit.county_id if user.unit_id else user.region_id or "") if user else ""
        ApiCall.objects.create(token=token, token_prefix=(token.prefix if token else raw[:10])[:12],
                               actor=user, method=request.method[:8], path=redact_identifiers(request.get_full_path())[:300],
                               status=response.status_code, address=client_address(request)[:45],
                               region_code=region, request_id=current_request_id() or "")
