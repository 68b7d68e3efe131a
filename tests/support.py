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


def queries_for(client, url: str, *, data: dict | None = None, headers: dict | None = None) -> int:
    """How many SQL queries one GET of `url` runs (the response must be 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {}, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def assert_queries_flat(client, url, grow, *, data: dict | None = None, headers: dict | None = None,
                        most: int | None = None) -> int:
    """The page runs the same number of queries with few rows and with many: GET it, call `grow()` to add many
    rows of what it shows, GET it again. `url` may be a function (called each time, e.g. after grow() moved
    things). Also at most `most` queries, when given. Returns the count."""
    resolve = url if callable(url) else (lambda: url)
    few = queries_for(client, resolve(), data=data, headers=headers)
    grow()
    many = queries_for(client, resolve(), data=data, headers=headers)
    assert few == many, f"{resolve()} {data or ''}: {few} queries with few rows, {many} with many"
    if most is not None:
        assert many <= most, f"{resolve()} {data or ''}: {many} queries, at most {most} expected"
    return many
