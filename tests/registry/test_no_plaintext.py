"""Rule 5: ID numbers and phone numbers never reach the database in plaintext, in any table or file.

Two checks: the raw bytes of a real SQLite database file (with its -wal and -shm), and, on any backend,
every column of every table read back through the database cursor.
"""

import datetime as dt
import sqlite3

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from bangfu.core.id_number import make_id_number
from bangfu.core.masking import mask_id_number, mask_phone
from bangfu.regions.models import Region
from bangfu.registry.forms import MemberForm
from bangfu.registry.search import SQLITE_NAME_INDEX
from bangfu.registry.services import (
    household_create,
    household_reveal_phone,
    household_update,
    income_record_save,
    member_add,
    member_remove,
    member_reveal_id_number,
    member_update,
)
from tests.conftest import TUANJIE, ZHANGZHA_VILLAGE
from tests.support import form_data

PHONES = ["10012345678", "10087654321", "10011112222", "10033334444"]


def _numbers_ending_in_x(count: int) -> list[str]:
    """Synthetic numbers whose check character is X, so the typed lower-case form differs from the stored one."""
    found = []
    for days in range(10_000):
        number = make_id_number("513225", dt.date(1961, 1, 1) + dt.timedelta(days=days), 777)
        if number.endswith("X"):
            found.append(number)
            if len(found) == count:
                return found
    raise AssertionError("not enough numbers ending in X")


def _forms(number: str) -> set[str]:
    """Every form in which an ID number could have been written: as stored, as typed, and its 17-digit body."""
    return {number, number.lower(), f"{number[:6]} {number[6:14]} {number[14:]}".lower(), number[:17]}


def _phone_forms(phone: str) -> set[str]:
    return {phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"+86{phone}"}


def _populate(county_admin, client) -> tuple[set[str], set[str]]:
    """Write through every registry service and the member page; return (secrets, things that must be there)."""
    numbers = _numbers_ending_in_x(6)
    tuanjie, zhangzha = Region.objects.get(code=TUANJIE), Region.objects.get(code=ZHANGZHA_VILLAGE)
    first = household_create(actor=county_admin, data={"number": "8800000016", "village": tuanjie},
                             phone=f"{PHONES[0][:3]} {PHONES[0][3:7]} {PHONES[0][7:]}")
    second = household_create(actor=county_admin, data={"number": "8800000017", "village": zhangzha}, phone=PHONES[1])
    head = member_add(actor=county_admin, household=first, data={"name": "明文检查甲", "relation": "head"},
                      id_number=numbers[0].lower())
    spouse = member_add(actor=county_admin, household=first, data={"name": "明文检查乙", "relation": "spouse"},
                        id_number=f" {numbers[1][:6]} {numbers[1][6:]} ")
    member_add(actor=county_admin, household=second, data={"name": "明文检查丙", "relation": "head"},
               id_number=numbers[2])
    # A correction replaces the number: neither the old nor the new one may be left in plaintext.
    member_update(actor=county_admin, member=spouse, data={"name": "明文检查乙改"}, id_number=numbers[3].lower())
    household_update(actor=county_admin, household=second, data={"group": "二组"}, phone=PHONES[2])
    income_record_save(actor=county_admin, household=first, year=2024, data={"members_counted": 2})
    member_reveal_id_number(actor=county_admin, member=head)
    household_reveal_phone(actor=county_admin, household=first)
    removed = member_add(actor=county_admin, household=second, data={"name": "明文检查丁", "relation": "son"},
                         id_number=numbers[4])
    member_remove(actor=county_admin, member=removed, reason="moved_out")
    # And through the page, as a cadre would type it.
    client.force_login(county_admin)
    response = client.post(reverse("registry:member_add", args=[first.pk]), form_data(
        MemberForm(), name="明文检查戊", relation="son", id_number=f"{numbers[5][:6]} {numbers[5][6:].lower()}"))
    assert response.status_code == 302
    response = client.post(reverse("registry:household_edit", args=[first.pk]), {
        "number": "8800000016", "village": TUANJIE, "household_type": "ordinary", "phone": PHONES[3][:3] + "-" + PHONES[3][3:],
        "drinking_water_safe": "on", "has_electricity": "on", "version": first.version})
    assert response.status_code == 302, response.context["form"].errors
    # Searching by an ID number or a phone and exporting what was found stores the filter, never the number.
    for q in (numbers[0], PHONES[3]):
        assert client.post(reverse("registry:household_export"), {"q": q}).status_code == 302

    secrets = set()
    for number in numbers:
        secrets |= _forms(number)
    for phone in PHONES:
        secrets |= _phone_forms(phone)
    # Masked ID numbers are never stored: beside the birth date (kept for statistics) they give the number back.
    secrets |= {mask_id_number(number) for number in numbers}
    expected = {"明文检查甲", "明文检查戊", "8800000016", mask_phone(PHONES[3])}
    return secrets, expected


# --- the file on disk ----------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(transactional_db, tmp_path):
    """Point the default connection at a real SQLite file (a copy of the test database) for one test."""
    if connection.vendor != "sqlite":
        pytest.skip(f"reads SQLite's database file; the database here is {connection.vendor} "
                    "(test_no_plaintext_in_any_column covers every backend)")
    path = tmp_path / "bangfu.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)  # the migrated schema, without re-running migrations
    target.close()
    saved_settings, saved_connection = connection.settings_dict, connection.connection
    connection.connection = None
    connection.settings_dict = {**saved_settings, "NAME": str(path)}
    ContentType.objects.clear_cache()
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict, connection.connection = saved_settings, saved_connection
        ContentType.objects.clear_cache()


def _database_bytes(path) -> bytes:
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
             path.with_name(path.name + "-journal")]
    return b"".join(f.read_bytes() for f in files if f.exists())


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_the_database_file(sqlite_file, county_admin, client):
    assert connection.settings_dict["NAME"] == str(sqlite_file)
    secrets, expected = _populate(county_admin, client)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"

    while_open = _database_bytes(sqlite_file)
    connection.close()  # checkpoints the write-ahead log into the main file
    after_close = _database_bytes(sqlite_file)

    for raw in (while_open, after_close):
        for text in expected:  # the scan reads the right file
            assert text.encode() in raw, text
        found = sorted(s for s in secrets if s.encode() in raw or s.encode("utf-16-le") in raw)
        assert not found, f"plaintext in the database file: {found}"


# --- every column on any backend -----------------------------------------------------------------------------


def _as_text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _all_text() -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every non-null value of every column of every table."""
    rows = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            # SQLite's FTS5 name index keeps binary blocks: read them as bytes and scan them as text too.
            binary = table.startswith(SQLITE_NAME_INDEX)
            selects = ", ".join(quote(c) if binary else f"CAST({quote(c)} AS TEXT)" for c in columns)
            cursor.execute(f"SELECT {selects} FROM {quote(table)}")  # names from introspection, not input
            for values in cursor.fetchall():
                rows += [(table, column, _as_text(value)) for column, value in zip(columns, values, strict=True)
                         if value is not None]
    return rows


@pytest.mark.django_db(transaction=True)
def test_no_plaintext_in_any_column(county_admin, client):
    secrets, expected = _populate(county_admin, client)
    cells = _all_text()
    text = "\n".join(value for _table, _column, value in cells)
    for needle in expected:
        assert needle in text, needle
    leaks = sorted({(table, column) for table, column, value in cells for secret in secrets if secret in value})
    assert not leaks, f"plaintext ID or phone numbers in: {leaks}"
