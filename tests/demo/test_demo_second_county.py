"""`bangfu build-demo --county 513224`: a second county beside the first, whose rows stay exactly as they were
(also when the second is rebuilt with --force); the second county's ID numbers carry its own address code and it
gets its own screening run and accounts."""

import io

import pytest
from django.core.management import call_command

from bangfu.accounts.models import User
from bangfu.core.crypto import field_cipher
from bangfu.demo.builder import demo_build
from bangfu.monitoring.models import RiskWarning, ScreeningRun
from bangfu.registry.models import Household, Member

pytestmark = pytest.mark.django_db(transaction=False)
FIRST = {"village_id__gte": "513225000000", "village_id__lte": "513225999999"}
SECOND = {"village_id__gte": "513224000000", "village_id__lte": "513224999999"}


def _first_county() -> tuple:
    return (list(Household.objects.filter(**FIRST).order_by("pk").values_list("pk", "number", "head_name",
                                                                                "monitoring_type")),
            list(RiskWarning.objects.filter(**FIRST).order_by("pk").values_list("pk", "rule_id", "fact")),
            list(ScreeningRun.objects.filter(region_id="513225000000").values_list("pk", "created")))


def test_a_second_county_leaves_the_first_as_it_was(db):
    demo_build(people=400, seed=5)
    before = _first_county()
    out = io.StringIO()
    call_command("build_demo", county="513224", people=300, stdout=out)
    assert "第一个县的数据不变" in out.getvalue()
    assert _first_county() == before
    second = Household.objects.filter(**SECOND)
    assert second.count() > 50
    cipher = field_cipher()
    member = Member.objects.filter(household__in=second).first()
    assert cipher.decrypt("id_number", member.id_number_cipher).startswith("513224")
    assert ScreeningRun.objects.filter(region_id="513224000000").count() == 1
    assert User.objects.get(username="aba").role == "prefecture_admin"
    call_command("build_demo", county="513224", people=300, force=True, stdout=io.StringIO())
    assert _first_county() == before  # --force clears the named county only
    with pytest.raises(Exception, match="--force"):
        call_command("build_demo", county="513224", people=300, stdout=io.StringIO())
