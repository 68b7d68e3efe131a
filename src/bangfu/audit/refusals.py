"""Refusals: one log line each, and a security event when one account is refused too often.

A refusal (403: a page, fragment, export or API call outside the user's role or jurisdiction) is an expected
answer, not a fault: Django logged each with a full traceback (2,201 after one sweep), burying real errors. Here
each is one line (method, path, user, reason). Each refusal of a logged-in account is counted (accounts.throttle,
the mechanism of the login and duplicate-check limits); the refusal that passes BANGFU_REFUSALS_PER_HOUR in an
hour records one security event (安全事件) for the security officer: ~8,000 out-of-scope requests by one account
raised none before.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

logger = logging.getLogger("bangfu.refusals")
WINDOW = dt.timedelta(hours=1)


def _refusal_key(user) -> str:
    return f"refused:{user.pk}"


def refusal_record(request, reason: str = "") -> None:
    """Log one refusal of `request` in one line and count it against the account."""
    from bangfu.core.identifiers import redact_identifiers

    user = getattr(request, "user", None)
    who = user.username if user is not None and user.is_authenticated else "-"
    logger.warning("refused 403 %s %s user=%s reason=%s", request.method,
                   request.path.encode("unicode_escape").decode("ascii")[:200], who,
                   redact_identifiers(reason)[:200].replace("\n", " ") or "-")
    if user is not None and user.is_authenticated:
        refusal_count(user)


def refusal_count(user) -> None:
    """Count one refusal of `user`; the one that passes the hourly threshold records a security event."""
    from bangfu.accounts.throttle import throttle_reserve
    from bangfu.audit.models import SecurityEvent
    from bangfu.audit.services import security_event_record

    threshold = settings.REFUSALS_PER_HOUR
    reservation = throttle_reserve(_refusal_key(user), limit=threshold + 1, window=WINDOW)
    if reservation.granted and reservation.count == threshold + 1:
        security_event_record(kind=SecurityEvent.Kind.REFUSALS, actor=user, username=user.username,
                              detail=_("一小时内被拒绝访问超过%(count)s次（无权限或超出管辖范围）") % {
                                  "count": threshold})


def _api_detail(response) -> str:
    """The reason an API answer gives ({"detail": ...})."""
    if not response.get("Content-Type", "").startswith("application/json"):
        return ""
    import json

    try:
        detail = json.loads(response.content).get("detail", "")
    except (ValueError, AttributeError):
        return ""
    return detail if isinstance(detail, str) else ""


class RefusalMiddleware:
    """Turns PermissionDenied into the 403 page without a traceback, and logs and counts every 403 answer
    (pages raise PermissionDenied; the API answers 403 itself)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403 and not getattr(response, "_has_been_logged", False):
            refusal_record(request, getattr(response, "refusal_reason", "") or _api_detail(response))
            response._has_been_logged = True  # Django's own line (with a traceback for an exception) is not needed
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied):
            return None
        from django.core.handlers.exception import get_exception_response
        from django.urls import get_resolver, get_urlconf

        response = get_exception_response(request, get_resolver(get_urlconf()), 403, exception)
        response.refusal_reason = str(exception)
        return response
