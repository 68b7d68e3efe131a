from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.registry import choices as c
from bangfu.web.forms import Form


class VisitObservationForm(Form):
    """What a home visit may find changed in the household's file (housing, drinking water): applied through
    registry.services.household_update with the version the phone read."""

    housing_safety = forms.ChoiceField(label=_("住房安全等级"), choices=c.HousingSafety.choices, required=False)
    drinking_water_safe = forms.TypedChoiceField(label=_("饮水安全有保障"), required=False, empty_value=None,
                                                 coerce=lambda v: v in (True, "true", "1", "on"),
                                                 choices=[("true", _("是")), ("false", _("否"))])
