"""Helpers shared by the registry, API and page tests (not fixtures: plain functions)."""

import datetime as dt

from django import forms

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.registry.models import Household, IncomeRecord, Member

DOMAIN_MODELS = (Household, Member, IncomeRecord, ChangeRecord, RevealRecord)


def row_counts() -> dict[str, int]:
    """How many rows each registry and audit table holds: equal before and after means nothing was written."""
    return {model.__name__: model.objects.count() for model in DOMAIN_MODELS}


def db_fingerprint() -> dict[str, list[dict]]:
    """Every row of every registry and audit table: equal before and after means nothing changed at all."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DOMAIN_MODELS}


def form_data(form: forms.BaseForm, **overrides) -> dict[str, str]:
    """What a browser would post for this form as it is displayed (initial values), with some fields changed."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
            continue
        if value is None:
            value = ""
        elif isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = str(value)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
