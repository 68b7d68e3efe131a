"""A list's filters, declared once (<app>/filters.py) and read by the page's form, the list_page() helper, the
export (which says in words what it exports) and the JSON API's query schema.

Each Filter names its URL parameter and the form field that parses it; a FilterSet builds the form class, the
cleaned values, their description ("双河镇 · C/D级危房") and the query string that reproduces them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext as _

from bangfu.web.forms import Form


@dataclass(frozen=True)
class Filter:
    """One URL parameter of a list: how it is parsed (a form field) and how a chosen value reads in words."""

    name: str
    field: Callable[[], forms.Field]
    describe: Callable[[Any], str] | None = None  # default: the choice's label, or the field's label for a box
    in_api: bool = True


@dataclass(frozen=True)
class FilterSet:
    """The filters of one list, in the order the filter bar shows them."""

    name: str
    filters: tuple[Filter, ...]
    form_class: type[forms.Form] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        fields = {f.name: f.field() for f in self.filters}
        object.__setattr__(self, "form_class", type(f"{self.name}FilterForm", (Form,), fields))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.filters)

    def bind(self, query: QueryDict | dict | None) -> forms.Form:
        data = {k: v for k, v in (query or {}).items() if k in self.names}
        return self.form_class(data or None)

    def values(self, form: forms.Form) -> dict[str, Any]:
        """The cleaned values; an invalid parameter falls back to its empty value (the list stays usable)."""
        form.is_valid()
        cleaned = getattr(form, "cleaned_data", {})
        empty = {name: form.fields[name].to_python(None) if not isinstance(form.fields[name], forms.BooleanField)
                 else False for name in self.names}
        return {name: cleaned.get(name, empty[name]) if name not in form.errors else empty[name]
                for name in self.names}

    def describe(self, values: dict[str, Any]) -> list[str]:
        """The chosen filters in words, for a heading, an export's title or its confirmation."""
        words = []
        fields = self.form_class.base_fields
        for f in self.filters:
            value = values.get(f.name)
            if value in (None, "", False):
                continue
            if f.describe:
                text = f.describe(value)
            elif isinstance(fields[f.name], forms.BooleanField):
                text = str(fields[f.name].label)
            elif hasattr(fields[f.name], "choices"):
                text = str(dict(fields[f.name].choices).get(value, value))
            else:
                text = f"{fields[f.name].label}：{value}"
            if text:
                words.append(text)
        return words

    def query_string(self, values: dict[str, Any]) -> str:
        query = QueryDict(mutable=True)
        for name in self.names:
            value = values.get(name)
            if value is True:
                query[name] = "on"
            elif value not in (None, "", False):
                query[name] = str(getattr(value, "pk", value))
        return query.urlencode()

    def api_fields(self) -> dict[str, tuple[type, Any]]:
        """(type, default) of each parameter the API accepts, for its query schema."""
        fields = {}
        for f in self.filters:
            if not f.in_api:
                continue
            is_bool = isinstance(self.form_class.base_fields[f.name], forms.BooleanField)
            fields[f.name] = (bool, False) if is_bool else (str, "")
        return fields


def describe_all(words: list[str]) -> str:
    return _("、").join(words) if words else _("全部")
