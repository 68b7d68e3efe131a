"""Stored text holds no identifier: search text that is, or is almost, an ID number or phone never reaches a
job's parameters (or the security log) in clear, and the export still finds what the page found."""

import json

import pytest

from bangfu.core.identifiers import contains_identifier, redact_identifiers
from bangfu.jobs.models import Job
from bangfu.registry.exports import household_ledger_export_start
from bangfu.registry.selectors import HouseholdFilter, households_filtered
from tests.conftest import TUANJIE

NEAR_MISSES = ["110101198805177713a", "110101198805177714", "110101-19880517-7713", "139.1234.5678",
               "１３９１２３４５６７８", "139 1234 5678", "tel:13912345678x", "11010119880517771", "0837-7731234"]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_recognised_and_redacted(text):
    assert contains_identifier(text)
    redacted = redact_identifiers(text)
    assert sum(ch.isdigit() for ch in redacted) <= 3, redacted


@pytest.mark.parametrize("text", ["张三", "2024", "团结村3组", "8.5亩", "123456"])
def test_ordinary_text_is_left_alone(text):
    assert not contains_identifier(text) and redact_identifiers(text) == text


def _digit_runs(value) -> list[str]:
    text = json.dumps(value, ensure_ascii=False)
    return [run for run in NEAR_MISSES if run in text or run.replace(".", "").replace("-", "") in text]


@pytest.mark.parametrize("text", NEAR_MISSES + ["13912345678", "110101198805177713"])
def test_export_job_parameters_never_hold_the_search_text(county_admin, text):
    job = household_ledger_export_start(actor=county_admin, flt=HouseholdFilter(q=text))
    stored = Job.objects.get(pk=job.pk).params
    assert text not in json.dumps(stored, ensure_ascii=False)
    assert not contains_identifier(json.dumps(stored["filter"].get("q", ""), ensure_ascii=False))
    assert _digit_runs(stored) == []


def test_the_stored_filter_finds_what_the_page_found(county_admin, make_household):
    household = make_household(TUANJIE, phone="13912345678")
    typed = household.number[:3] + "-" + household.number[3:]  # a near miss: digits with a dash
    page = HouseholdFilter(q=household.number)
    stored = HouseholdFilter(**HouseholdFilter(q=household.number).for_storage())
    assert stored.q == "" and stored.q_cipher
    assert list(households_filtered(county_admin, stored)) == list(households_filtered(county_admin, page))
    assert list(households_filtered(county_admin, stored)) == [household]
    assert HouseholdFilter(**HouseholdFilter(q=typed).for_storage()).search_text == typed
