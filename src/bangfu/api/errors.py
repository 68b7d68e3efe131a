"""What any call may answer besides its result: a refusal as JSON with a message in the caller's language."""

from django.core.exceptions import ValidationError
from ninja import Schema


class ErrorOut(Schema):
    """A refusal: the reason, in the caller's language (bad input, not logged in, no right, not found)."""

    detail: str


class ValidationErrorOut(Schema):
    """Parameters of the wrong type or out of range: one entry per parameter (where, what, why)."""

    detail: list[dict]



# What any call may answer besides its result, documented so clients (and the schema tests) know them: 400 a
# parameter with a control character (web.middleware.BadInputMiddleware), 401 not logged in, 403 a role without
# the right, 422 a parameter of the wrong type or range.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


def api_not_found(request):
    """A path under /api/v1/ that names no operation: JSON like every other answer of the API, not the HTML page."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _

    return JsonResponse({"detail": _("没有这个接口：%(path)s（见 /api/v1/docs）") % {"path": request.path}},
                        status=404, json_dumps_params={"ensure_ascii": False})


def validation_message(error: ValidationError) -> str:
    """A service's ValidationError as one line naming each field: 字段：规则；……"""
    if hasattr(error, "message_dict"):
        return "；".join(f"{field}：{'，'.join(messages)}" if field != "__all__" else "，".join(messages)
                        for field, messages in error.message_dict.items())
    return "；".join(error.messages)
