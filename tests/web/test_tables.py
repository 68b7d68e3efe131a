"""One column declaration per list (bangfu.web.tables): the table and the phone's cards read it; columns of
place are dropped for a user bound to one village; an action column only for those who may use it."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse

from bangfu.web.tables import Col, Table, user_in_one_village

TABLE = Table(name="things", empty="没有", columns=(
    Col("name", "名称", lambda r: r.name, card="title"),
    Col("village", "村", lambda r: r.village, place=True),
    Col("amount", "金额", lambda r: r.amount, num=True),
    Col("edit", "", lambda r: "修改", card="action", only=lambda user: user.may_edit),
))
ROWS = [SimpleNamespace(name="<b>甲</b>", village="团结村", amount=Decimal("1234.5"), day=dt.date(2026, 12, 7))]


def _user(region: str, may_edit=False):
    return SimpleNamespace(region_id=region, may_edit=may_edit)


def test_a_village_user_gets_no_place_columns_and_a_township_user_does():
    assert user_in_one_village(_user("513225103213")) and not user_in_one_village(_user("513225103000"))
    assert [c.key for c in TABLE.bind(ROWS, user=_user("513225103213")).columns] == ["name", "amount"]
    assert [c.key for c in TABLE.bind(ROWS, user=_user("513225103000")).columns] == ["name", "village", "amount"]
    assert [c.key for c in TABLE.bind(ROWS, user=_user("513225103000", True)).columns][-1] == "edit"


def test_cells_are_escaped_and_written_alike():
    cells = TABLE.bind(ROWS, user=_user("513225000000")).rows[0].cells
    assert cells[0].html == "&lt;b&gt;甲&lt;/b&gt;" and cells[0].css == "card-title"
    assert cells[2].html == "1,234.50" and cells[2].css == "num"


@pytest.mark.django_db
def test_the_warning_list_drops_township_and_village_for_the_village_cadre(client, tuanjie_cadre, shuanghe_reviewer):
    client.force_login(tuanjie_cadre)
    village = client.get(reverse("monitoring:warning_list")).content.decode()
    client.force_login(shuanghe_reviewer)
    township = client.get(reverse("monitoring:warning_list")).content.decode()
    assert "<th>乡镇</th>" not in village and "<th>村</th>" not in village and "<th>规则</th>" in village
    assert "<th>乡镇</th>" in township and "<th>村</th>" in township


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "place", "kept"), [
    ("relocation:site_list", "所在乡镇", "安置点"), ("relocation:household_list", "村（社区）", "安置点"),
    ("care:group_list", "村（社区）", "健康状况"), ("care:visit_queue", "村（社区）", "应访原因"),
])
def test_relocation_and_care_lists_drop_place_for_the_village_cadre(client, tuanjie_cadre, shuanghe_reviewer, url,
                                                                   place, kept):
    client.force_login(tuanjie_cadre)
    village = client.get(reverse(url)).content.decode()
    client.force_login(shuanghe_reviewer)
    township = client.get(reverse(url)).content.decode()
    assert f"<th>{place}</th>" not in village and f"<th>{kept}</th>" in village
    assert f"<th>{place}</th>" in township and f"<th>{kept}</th>" in township
    assert 'class="table stack' in village  # the cards' table (web/_table.html), not a hand-written one
