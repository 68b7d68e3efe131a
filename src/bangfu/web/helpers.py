"""Small pieces every page uses: the capability check and putting a service's errors on a form."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def require_capability(user, capability: str) -> None:
    """403 unless the user's role has the capability (jurisdiction is the selectors' job, not this)."""
    if not user.can(capability):
        raise PermissionDenied(_("您的角色没有此项操作权限"))


def form_errors_from(form, error: ValidationError) -> None:
    """Put a service's field errors on the form, so the page names the field."""
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
