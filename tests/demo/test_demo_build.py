"""The synthetic county: deterministic, believable, and made only of synthetic identifiers."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from bangfu.accounts.models import User
from bangfu.assistance.models import Unit
from bangfu.core.id_number import parse_id_number
from bangfu.demo.builder import DEMO_USERS, demo_build
from bangfu.monitoring.models import MonitoringLine
from bangfu.registry.models import Household, IncomeRecord, Member


@pytest.fixture
def county(db):
    return demo_build(people=3000, seed=11)


def test_builds_about_the_requested_size(county):
    assert county.people == Member.objects.count()
    assert 2500 <= county.people <= 3600
    assert county.households == Household.objects.count()
    assert 2.8 <= county.people / county.households <= 3.9
    assert IncomeRecord.objects.count() == 2 * county.households


def test_every_village_of_the_county_has_households(county):
    villages = Household.objects.values("village_id").distinct().count()
    assert villages == 112


def test_distributions_are_believable(county):
    share = Household.objects.filter(household_type="formerly_poor").count() / county.households
    assert 0.04 <= share <= 0.13
    monitored = Household.objects.exclude(monitoring_type="")
    assert 0.005 <= monitored.count() / county.households <= 0.05
    assert not monitored.filter(identified_month="").exists()
    assert not Household.objects.filter(monitoring_status="risk_eliminated", eliminated_month="").exists()
    assert not Household.objects.filter(relocated=True, resettlement_site="").exists()
    heads = Household.objects.annotate(n=Count("members")).filter(n=0)
    assert not heads.exists()
    assert Member.objects.filter(health="chronic").exists() and Member.objects.filter(health="disabled").exists()
    assert Member.objects.exclude(student_status="").exists() and Member.objects.exclude(work_place="").exists()


def test_identifiers_are_valid_unique_synthetic_numbers(county):
    members = list(Member.objects.order_by("id")[:500])
    numbers = [m.reveal_id_number() for m in members]
    assert len(set(numbers)) == len(numbers)
    for member, number in zip(members, numbers, strict=True):
        parsed = parse_id_number(number)
        assert number.startswith("513225")
        assert parsed.birth_date == member.birth_date and parsed.sex == member.sex
    assert all(h.reveal_phone().startswith("100") for h in Household.objects.all()[:50])


def test_same_seed_same_county(db):
    first = demo_build(people=400, seed=5)
    snapshot = list(Member.objects.order_by("id").values_list("name", "birth_date", "id_number_digest"))
    Member.objects.all().delete()
    Household.objects.all().delete()
    second = demo_build(people=400, seed=5)
    assert (first.households, first.people) == (second.households, second.people)
    assert list(Member.objects.order_by("id").values_list("name", "birth_date", "id_number_digest")) == snapshot


def test_the_same_county_whatever_the_number_of_worker_processes(db):
    demo_build(people=600, seed=9, workers=1)
    alone = list(Member.objects.order_by("id").values_list("name", "birth_date", "id_number_digest", "household__number"))
    Member.objects.all().delete()
    Household.objects.all().delete()
    report = demo_build(people=600, seed=9, workers=2)
    assert report.people == len(alone)
    assert list(Member.objects.order_by("id").values_list(
        "name", "birth_date", "id_number_digest", "household__number")) == alone
    household = Household.objects.create(number="5132251032139999", village_id="513225103213")
    assert household.pk > Household.objects.exclude(pk=household.pk).order_by("-pk").first().pk


def test_demo_users_units_and_lines(county):
    assert User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).count() == len(DEMO_USERS)
    tuanjie = User.objects.get(username="tuanjie")
    assert tuanjie.role == "village_cadre" and tuanjie.region.name.startswith("团结村")
    assert User.objects.get(username="cdu").unit.name == "成都大学"
    assert Unit.objects.count() == 6 and Unit.objects.filter(is_lead=True).count() == 1
    assert MonitoringLine.objects.filter(year=2026).get().amount == 8100


def test_command_refuses_to_overwrite_without_force(county):
    with pytest.raises(CommandError, match="--force"):
        call_command("build_demo", people=100)
    call_command("build_demo", people=100, if_missing=True)  # a no-op, no error
    assert Household.objects.count() == county.households


def test_an_interrupted_build_is_rebuilt_not_kept(db, monkeypatch):
    from bangfu.demo import builder

    calls = {"n": 0}
    real_write = builder._write_village

    def fail_after_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real_write(*args, **kwargs)

    monkeypatch.setattr(builder, "_write_village", fail_after_three)
    with pytest.raises(KeyboardInterrupt):
        demo_build(people=400, seed=3)
    assert builder.demo_state() == "partial" and Household.objects.exists()
    monkeypatch.setattr(builder, "_write_village", real_write)
    call_command("build_demo", people=400, seed=3, if_missing=True)
    assert builder.demo_state() == "complete"
    assert Household.objects.values("village_id").distinct().count() == 112


def test_demo_never_overwrites_households_it_did_not_make(regions, make_household):
    make_household()
    with pytest.raises(CommandError, match="已有农户数据"):
        call_command("build_demo", people=100, if_missing=True)
    assert Household.objects.count() == 1
