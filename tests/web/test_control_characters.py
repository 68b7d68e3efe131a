"""Text that every writer can print: one rule for control characters (bangfu.core.text), applied where free text
enters (every form, the API's parameters, imports) and by the writers for text stored before the rule.

The forms are enumerated: every form class of the project (and the forms the ledger and the filter sets build),
each of its fields fed a control character; a form added later without the rule fails here."""

import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import bangfu
from bangfu.core.text import has_control, printable
from bangfu.web.forms import PrintableTextMixin
from tests.conftest import COUNTY

BAD = "甲\x0b乙"  # a line break pasted from Word


def _import_all_forms() -> None:
    for module in pkgutil.walk_packages(bangfu.__path__, "bangfu."):
        if module.name.rsplit(".", 1)[-1] in ("forms", "views", "filters", "exports", "listexports"):
            importlib.import_module(module.name)
    from bangfu.assistance.forms import ledger_form_class
    from bangfu.assistance.ledger import LEDGER_KINDS

    for kind in LEDGER_KINDS:
        ledger_form_class(kind)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls) -> bool:
    """Declared in the project, or built by it at run time (a ledger's form, a filter set's form: Django's
    metaclass names these after its own module, where they are not found)."""
    import sys

    if cls.__module__ == "bangfu.web.forms":
        return False
    if cls.__module__.startswith("bangfu."):
        return True
    module = sys.modules.get(cls.__module__)
    return getattr(module, cls.__name__, None) is not cls and not cls.__module__.startswith("django.contrib.")


def project_forms() -> list[type[forms.BaseForm]]:
    _import_all_forms()
    found = {cls for cls in _subclasses(forms.BaseForm) if _ours(cls)}
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__, id(cls)))


def test_every_form_of_the_project_keeps_the_rule():
    classes = project_forms()
    assert len(classes) > 50  # the enumeration finds them (50 declared, the ledger's and the filter sets')
    missing = [f"{cls.__module__}.{cls.__qualname__}" for cls in classes if not issubclass(cls, PrintableTextMixin)]
    assert missing == []


def _kwargs(cls, ctx) -> list[dict]:
    """How each form that takes more than data is built (a form missing here fails the test below)."""
    from bangfu.accounts.roles import Role
    from bangfu.assistance.models import Unit
    from bangfu.cases.models import Transition
    from bangfu.monitoring.feeds import FEED_KINDS
    from bangfu.monitoring.models import Rule
    from bangfu.monitoring.rules import DEFAULT_RULES
    from bangfu.regions.models import Region

    name = cls.__name__
    table = {
        "UserForm": [{"regions": Region.objects.all(), "units": Unit.objects.all(), "roles": list(Role)}],
        "UserCreateForm": [{"regions": Region.objects.all(), "units": Unit.objects.all(), "roles": list(Role)}],
        "UserEditForm": [{"user": ctx["user"], "actor": ctx["user"], "regions": Region.objects.all(),
                          "units": Unit.objects.all(), "roles": list(Role)}],
        "CadreForm": [{"county_code": COUNTY}], "CheckInForm": [{"county_code": COUNTY}],
        "TargetForm": [{"units": Unit.objects.all(), "indicators": []}],
        "StepForm": [{"transition": t} for t in Transition.objects.all()],
        "RuleForm": [{"rule": Rule(code=rule.code, params={})} for rule in DEFAULT_RULES],
        "MemberRemoveForm": [{"member": ctx["member"]}],
        "LockingAuthenticationForm": [{"request": None}],
        "FeedUploadForm": [{"kinds": FEED_KINDS}],
        "ApiTokenCreateForm": [{"account": ctx["user"]}],
        "LinkForm": [{"county_code": COUNTY}],
        "RoleHolderForm": [{"county_code": COUNTY}],
        "TargetGridForm": [{"plan": _grid_plan(), "indicators": _grid_indicators()}],
    }
    return table.get(name, [{}])


def _grid_plan():
    from bangfu.assistance.models import Plan

    return Plan(county_id=COUNTY, name="规划", start_year=2026, end_year=2027)


def _grid_indicators():
    from bangfu.reports.assistance_indicators import indicators_for

    return indicators_for(COUNTY)


@pytest.fixture
def ctx(county_admin, make_household):
    from bangfu.cases.services import transitions_ensure_defaults

    transitions_ensure_defaults()
    household = make_household()
    return {"user": county_admin, "member": household.members.first()}


def test_every_field_of_every_form_refuses_a_control_character_naming_the_field(ctx):
    checked = 0
    for cls in project_forms():
        for kwargs in _kwargs(cls, ctx):
            empty = cls(**kwargs)
            if not empty.fields:
                continue
            names = [n for n, f in empty.fields.items()
                     if not isinstance(f, forms.FileField | forms.BooleanField) and not f.disabled]
            form = cls(data={n: BAD for n in names}, **kwargs)
            assert not form.is_valid()
            for n in names:
                label = form.fields[n].label or n
                errors = [str(e) for e in form.errors.get(n, [])]
                assert any("控制字符" in e and str(label) in e for e in errors), (cls, n, errors)
                checked += 1
    assert checked > 150


def test_the_rule_at_its_boundary():
    for ch in ["\x00", "\x07", "\x0b", "\x0c", "\x1f", "\x7f", "\x85", "\x9f"]:
        assert has_control(f"a{ch}b")
    for ok in ["a\tb", "a\nb", "a\r\nb", "张三", "扎西·多吉", "a\xa0b", " "]:  # the control that passes
        assert not has_control(ok)
    assert printable("联系人\x0b王五\x07") == "联系人 王五 "
    assert printable("第一行\n第二行\t") == "第一行\n第二行\t"


def test_a_form_with_tab_and_line_breaks_is_accepted(regions):
    from bangfu.assistance.forms import DeleteForm

    assert DeleteForm(data={"reason": "重复录入\r\n第二行\t说明"}).is_valid()
    form = DeleteForm(data={"reason": "重复录入\x00"})
    assert not form.is_valid()
    assert form.errors["reason"] == ["“删除原因”含有不允许的控制字符（如从 Word 粘贴的换行符或 NUL），请删除后重新输入。"]


def test_a_posted_page_names_the_field_and_writes_nothing(client, county_admin, make_household, counts):
    household = make_household()
    client.force_login(county_admin)
    before = counts()
    response = client.post(reverse("registry:member_add", args=[household.pk]),
                           {"name": "王\x0b五", "relation": "spouse"})
    assert response.status_code == 200
    assert "控制字符" in response.content.decode()
    assert counts() == before


def test_api_parameters_with_a_control_character_are_refused(client, county_admin):
    client.force_login(county_admin)
    response = client.get("/api/v1/households/", {"search": "王\x85五"})
    assert response.status_code == 400
    assert client.get("/api/v1/households/", {"search": "王五"}).status_code == 200  # control


def test_an_import_strips_control_characters_from_text_cells():
    from bangfu.core.parsing import clean_text

    assert clean_text("王\x0b五") == "王五"
    assert clean_text("村\x07委会 主任") == "村委会主任"
    assert clean_text("a\x00b") == "a b"
