"""The member page, the member service and the household import give the same verdict on the same name, relation,
ID number, sex and birth date: one table of cases, each run through all three (registry.validation is the one
home of these rules). A rule weakened in one of them makes its column of this table disagree."""

import datetime as dt
import itertools

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bangfu.core.id_number import check_character, make_id_number
from bangfu.ingest.households import households_import_plan
from bangfu.ingest.services import households_import_commit
from bangfu.registry.forms import MemberForm
from bangfu.registry.models import Member
from bangfu.registry.services import member_add
from tests.conftest import synthetic_id
from tests.support import form_data

pytestmark = pytest.mark.django_db

_days = itertools.count(1)


def _number(kind: str) -> str:
    """A fresh synthetic ID number: "male"/"female" valid ones; "ends_000" valid and ending in 000 (its sequence
    x00 makes it a woman's); "cut" ending in 000 with a wrong check character (as Excel leaves 10 in 11 numbers);
    "bad_check" a wrong check character not ending in 000."""
    if kind in ("male", "female"):
        return synthetic_id("19900101", male=kind == "male")
    if kind == "bad_check":
        number = synthetic_id("19900101", male=False)
        return number[:17] + ("7" if number[-1] != "7" else "8")
    while True:
        born = dt.date(1960, 1, 1) + dt.timedelta(days=next(_days))
        body = make_id_number("513225", born, 300)[:17]
        right = check_character(body)
        if kind == "ends_000" and right == "0":
            return body + "0"
        if kind == "cut" and right != "0":
            return body + "0"


# name, relation, kind of ID number, sex given, birth date given -> stored name, or {field: rule}
CASES = [
    ("扎西•多吉", "son", "male", "", "", "扎西·多吉"),
    ("扎西．多吉", "son", "male", "", "", "扎西·多吉"),
    ("扎西・多吉", "daughter", "female", "", "", "扎西·多吉"),
    ("扎西.多吉", "other", "male", "", "", "扎西·多吉"),
    ("卓玛", "daughter", "ends_000", "", "", "卓玛"),               # a real number ending in 000, typed as text
    ("尼玛2", "other", "male", "", "", {"name": "name_digits"}),
    ("拉姆(已故)", "other", "female", "", "", {"name": "name_note"}),
    ("拉姆（已故）", "other", "female", "", "", {"name": "name_note"}),
    ("卓玛😀", "other", "female", "", "", {"name": "name_characters"}),
    ("张" * 31, "other", "male", "", "", {"name": "name_too_long"}),
    ("王小", "son", "female", "", "", {"relation": "relation_sex"}),
    ("王小", "daughter", "male", "", "", {"relation": "relation_sex"}),
    ("王小", "son", "ends_000", "", "", {"relation": "relation_sex"}),
    ("王芳", "daughter", "female", "male", "", {"sex": "sex_mismatch"}),
    ("王芳", "daughter", "female", "", "1991-02-03", {"birth_date": "birth_date_mismatch"}),
    ("王芳", "daughter", "cut", "", "", {"id_number": "id_number_as_number"}),
    ("王芳", "daughter", "bad_check", "", "", {"id_number": "id_number_check_character"}),
]
RELATION_LABELS = {"son": "之子", "daughter": "之女", "other": "其他"}
SEX_LABELS = {"male": "男", "female": "女"}
COLUMNS = {"姓名": "name", "与户主关系": "relation", "证件号码": "id_number", "性别": "sex", "出生日期": "birth_date"}


def _page(client, household, name, relation, number, sex, birth):
    data = form_data(MemberForm(), name=name, relation=relation, id_number=number, sex=sex, birth_date=birth)
    response = client.post(reverse("registry:member_add", args=[household.pk]), data)
    if response.status_code == 302:
        return Member.objects.get(household=household, relation=relation).name, None
    return None, {field: list(messages) for field, messages in response.context["form"].errors.items()}


def _service(actor, household, name, relation, number, sex, birth):
    try:
        member = member_add(actor=actor, household=household, data={"name": name, "relation": relation},
                            id_number=number, sex=sex or None,
                            birth_date=dt.date.fromisoformat(birth) if birth else None)
    except ValidationError as error:
        return None, error.message_dict
    return member.name, None


def _import(actor, tmp_path, name, relation, number, sex, birth):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["户编号", "村", "姓名", "与户主关系", "证件号码", "性别", "出生日期"])
    sheet.append(["5132251032139901", "团结村", "户主甲", "户主", synthetic_id(), "", ""])
    sheet.append(["5132251032139901", "团结村", name, RELATION_LABELS[relation], number, SEX_LABELS.get(sex, ""),
                  birth])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    plan = households_import_plan(actor=actor, source=path)
    errors: dict[str, list[str]] = {}
    rules: dict[str, str] = {}
    for error in plan.errors:
        if error.row == 3 and error.column in COLUMNS:
            errors.setdefault(COLUMNS[error.column], []).append(error.message)
            rules[COLUMNS[error.column]] = error.rule
    if errors:
        return None, errors, rules
    households_import_commit(actor=actor, plan=plan)
    return Member.objects.get(household__number="5132251032139901", relation=relation).name, None, rules


@pytest.mark.parametrize(("name", "relation", "kind", "sex", "birth", "expected"), CASES)
def test_page_service_and_import_agree(client, county_admin, make_household, tmp_path, name, relation, kind, sex,
                                       birth, expected):
    client.force_login(county_admin)
    # A refused number is stored by none of them, so all three get the same one (messages may quote it); an
    # accepted one is stored, so each gets its own of the same kind.
    numbers = [_number(kind)] * 3 if isinstance(expected, dict) else [_number(kind) for _ in range(3)]
    on_page = _page(client, make_household(), name, relation, numbers[0], sex, birth)
    by_service = _service(county_admin, make_household(), name, relation, numbers[1], sex, birth)
    stored, errors, rules = _import(county_admin, tmp_path, name, relation, numbers[2], sex, birth)
    if isinstance(expected, str):
        assert on_page == by_service == (stored, errors) == (expected, None)
        return
    assert set(on_page[1]) == set(by_service[1]) == set(errors) == set(expected)
    assert on_page[1] == by_service[1] == errors  # the same words, from the same function
    assert rules == expected
