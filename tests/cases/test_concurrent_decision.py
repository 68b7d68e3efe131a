"""Two reviewers decide the same step at the same moment: exactly one succeeds, the other is told who did.

Runs on whichever database the suite uses (SQLite by default, PostgreSQL with DATABASE_URL): real threads, real
connections, real transactions."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from bangfu.cases.models import Case, Decision
from bangfu.cases.services import case_advance
from tests.cases.conftest import step
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reviewers_one_decision(make_household, open_case, walk, shuanghe_reviewer):
    second = make_user("shuanghe_second", "township_reviewer", "513225103000")
    case = walk(open_case(make_household()), "township_review")
    approve, send_back = step(case, "county_approval"), step(case, "village_review")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def decide(name, actor, transition, comment):
        try:
            loaded = Case.objects.get(pk=case.pk)  # each reviewer's page loaded the same version
            barrier.wait(timeout=10)
            case_advance(actor=actor, case=loaded, transition=transition, version=loaded.version, comment=comment)
            results[name] = "ok"
        except ValidationError as error:
            results[name] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=("a", shuanghe_reviewer, approve, "同意")),
               threading.Thread(target=decide, args=("b", second, send_back, "材料不全，退回"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["a", "b"]
    winners = [name for name, result in results.items() if result == "ok"]
    assert len(winners) == 1, results
    loser = "b" if winners == ["a"] else "a"
    assert "您的操作未生效" in results[loser] and "已由" in results[loser]
    final = Case.objects.get(pk=case.pk)
    assert final.state == ("county_approval" if winners == ["a"] else "village_review")
    after_township = Decision.objects.filter(case=case, from_state="township_review")
    assert after_township.count() == 1
