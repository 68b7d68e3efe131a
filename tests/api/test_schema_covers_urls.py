"""The OpenAPI schema covers every operation the URLconf serves under /api/v1/: a walk over the URL patterns,
asking each path every method (an operation answers anything but 405, here 401 without a login), compared with
the schema's paths and methods. An endpoint added outside the schema (a plain Django view, an operation left out
with include_in_schema=False) would escape the schemathesis test, so this one fails first; the control shows the
walk sees such a view."""

import re

import pytest
from django.http import JsonResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Not operations: the schema itself, its docs page, django-ninja's root (shadowed by api_index), and the JSON 404
# for the bare /api/v1/ and for any path that names nothing (tests/api/test_api_answers_json.py).
NOT_OPERATIONS = {"api:openapi-json", "api:openapi-view", "api:api-root", "api_index", "api_not_found"}


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            for route, name in _patterns(pattern.url_patterns, prefix + str(pattern.pattern)):
                yield route, (namespace + name if name and ":" not in name else name)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name or ""


def served_operations(urlconf=None) -> set[str]:
    """Every (method, path) the URLconf answers under /api/v1/, path parameters spelled as in OpenAPI."""
    client = Client()
    found = set()
    for route, name in _patterns(get_resolver(urlconf).url_patterns):
        if name in NOT_OPERATIONS or not route.startswith("api/v1/"):
            continue
        assert not route.startswith("^"), f"a regular expression route under /api/v1/: {route}"
        url = "/" + PARAMETER.sub("1", route)
        documented = "/" + PARAMETER.sub(r"{\1}", route)
        for method in METHODS:
            if client.generic(method, url).status_code != 405:
                found.add(f"{method} {documented}")
    return found


def schema_operations(client, user) -> set[str]:
    client.force_login(user)
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    return {f"{method.upper()} {p}" for p, operations in paths.items() for method in operations}


def test_the_schema_covers_every_operation_the_urls_serve(client, county_admin):
    served = served_operations()
    assert served == schema_operations(client, county_admin)
    assert {"POST /api/v1/feeds/{kind}", "GET /api/v1/warnings"} <= served  # the walk found the API at all


def _undocumented(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("api/v1/undocumented", _undocumented, name="undocumented"),
               *get_resolver().url_patterns]


def test_control_the_walk_sees_a_view_outside_the_schema(client, county_admin):
    with override_settings(ROOT_URLCONF=__name__):
        served = served_operations(__name__)
    assert served - schema_operations(client, county_admin) == {
        f"{method} /api/v1/undocumented" for method in METHODS}
