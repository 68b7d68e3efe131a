"""The setup pages: every write refused to a unit's liaison, a leader and an admin bound below the county (nothing
written), and done by the county administrator (the control); the target grid names a bad cell and writes nothing;
the county's Excel sheet imports whole or not at all; the template is a real .xlsx; a year without targets says so."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.assistance import services as s
from bangfu.assistance import setup
from bangfu.assistance.models import LinkedVillage, Plan, PlanTarget, Unit, VillageRoleHolder
from bangfu.audit.models import ChangeRecord
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(county_admin, court, cdu):
    return s.plan_create(actor=county_admin, county_code=COUNTY, name="2026-2030规划", start_year=2026,
                         end_year=2030, text="征求意见稿")


@pytest.fixture
def township_admin(regions):
    return make_user("township_admin", "county_admin", SHUANGHE)


def _state():
    from django.apps import apps

    models = [*apps.get_app_config("assistance").get_models(), ChangeRecord]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def _sheet(rows: list[list]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


WRITES = {
    "unit_new": (lambda o: reverse("assistance:unit_new"), lambda o: {"name": "四川省农业科学院", "kind": "organ"}),
    "unit_edit": (lambda o: reverse("assistance:unit_edit", args=[o["unit"].pk]),
                  lambda o: {"name": o["unit"].name, "kind": "organ", "contact_name": "新联系人"}),
    "link_add": (lambda o: reverse("assistance:link_add", args=[o["unit"].pk]),
                 lambda o: {"l-village": SONGBAI, "l-since": "2024-01-01"}),
    "link_end": (lambda o: reverse("assistance:link_end", args=[o["link"].pk]), lambda o: {"e-until": "2024-01-01"}),
    "plan_new": (lambda o: reverse("assistance:plan_new"),
                 lambda o: {"name": "2031-2035", "start_year": "2031", "end_year": "2035"}),
    "plan_version_add": (lambda o: reverse("assistance:plan_version_add", args=[o["plan"].pk]),
                         lambda o: {"v-text": "第二稿"}),
    "plan_adopt": (lambda o: reverse("assistance:plan_adopt", args=[o["plan"].pk]),
                   lambda o: {"a-adopted_on": "2026-01-05"}),
    "plan_targets": (lambda o: reverse("assistance:plan_targets", args=[o["plan"].pk, o["unit"].pk]),
                     lambda o: {setup.grid_key(2026, "funds_invested"): "100"}),
    "plan_targets_import": (lambda o: reverse("assistance:plan_targets_import", args=[o["plan"].pk]),
                            lambda o: {"s-file": SimpleUploadedFile("t.xlsx", _sheet([
                                ["帮扶单位", "年度", "培训基层干部"], [o["unit"].name, 2026, 9]]))}),
    "role_holders": (lambda o: reverse("assistance:role_holders"),
                     lambda o: {"village": TUANJIE, "role": "county_leader", "name": "王副县长",
                                "since": "2024-01-01"}),
    "role_holder_end": (lambda o: reverse("assistance:role_holder_end", args=[o["holder"].pk]),
                        lambda o: {"e-until": "2024-06-30"}),
}
# Pages that only read; the plan's comment is any unit's (tested in test_comment_then_adopt_on_the_page).
SETUP_READS = {"unit_list", "unit_detail", "plan_list", "plan_detail", "plan_targets_template", "plan_comment_add"}


@pytest.fixture
def objects(plan, cdu, county_admin, regions):
    holder = setup.role_holder_add(actor=county_admin, county_code=COUNTY, village=regions[SONGBAI],
                                   role="agri_technician", name="农技员", since=dt.date(2024, 1, 1))
    return {"plan": plan, "unit": cdu, "link": LinkedVillage.objects.get(unit=cdu), "holder": holder}


@pytest.mark.parametrize("who", ["cdu_liaison", "leader", "township_admin"])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_setup_writes_refused_to_those_who_do_not_set_up(client, request, objects, who, name):
    url, data = WRITES[name]
    client.force_login(request.getfixturevalue(who))
    before = _state()
    response = client.post(url(objects), data(objects))
    if (name, who) == ("unit_edit", "cdu_liaison"):  # its own contacts are the unit's to keep; nothing else
        assert Unit.objects.get(pk=objects["unit"].pk).kind == "university"
        return
    assert response.status_code in (403, 404), response.status_code
    assert _state() == before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_the_county_administrator_sets_up(client, county_admin, objects, name):
    url, data = WRITES[name]
    client.force_login(county_admin)
    before = ChangeRecord.objects.count()
    response = client.post(url(objects), data(objects))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ChangeRecord.objects.count() > before


def test_a_new_unit_links_a_village_and_the_ended_link_is_kept(client, county_admin, regions, court):
    client.force_login(county_admin)
    response = client.post(reverse("assistance:unit_new"), {"name": "四川农业大学", "short_name": "川农大",
                                                            "kind": "university", "contact_name": "张老师"})
    unit = Unit.objects.get(name="四川农业大学")
    assert response.url == reverse("assistance:unit_detail", args=[unit.pk])
    client.post(reverse("assistance:link_add", args=[unit.pk]), {"l-village": TUANJIE, "l-since": "2024-03-01"})
    link = LinkedVillage.objects.get(unit=unit)
    page = client.post(reverse("assistance:link_end", args=[link.pk]), {"e-until": "2024-02-29"}, follow=True)
    assert "不能早于起始日期" in page.content.decode()
    client.post(reverse("assistance:link_end", args=[link.pk]), {"e-until": "2024-03-01"})
    page = client.get(reverse("assistance:unit_detail", args=[unit.pk])).content.decode()
    assert "双河镇团结村" in page and "2024-03-01" in page
    assert "团结村（已结束）" in client.get(reverse("assistance:unit_list")).content.decode()


def test_the_lead_flag_is_refused_while_another_unit_leads(client, county_admin, court, cdu):
    client.force_login(county_admin)
    page = client.post(reverse("assistance:unit_edit", args=[cdu.pk]), {"name": cdu.name, "kind": "university",
                                                                        "is_lead": "on"}).content.decode()
    assert "一个县只有一家牵头单位" in page and not Unit.objects.get(pk=cdu.pk).is_lead


def test_a_liaison_edits_only_the_contacts_of_its_unit(client, cdu_liaison, cdu):
    client.force_login(cdu_liaison)
    page = client.get(reverse("assistance:unit_edit", args=[cdu.pk])).content.decode()
    assert 'name="contact_name"' in page and 'name="is_lead"' not in page
    client.post(reverse("assistance:unit_edit", args=[cdu.pk]), {"contact_name": "新联系人", "is_lead": "on"})
    cdu.refresh_from_db()
    assert cdu.contact_name == "新联系人" and not cdu.is_lead


# --- the plan ----------------------------------------------------------------------------------------------------

def test_overlapping_plan_refused_on_the_page(client, county_admin, plan):
    client.force_login(county_admin)
    page = client.post(reverse("assistance:plan_new"), {"name": "x", "start_year": "2030", "end_year": "2034"})
    assert page.status_code == 200 and "重叠" in page.content.decode()
    assert Plan.objects.count() == 1


def test_comment_then_adopt_on_the_page(client, county_admin, cdu_liaison, plan):
    client.force_login(cdu_liaison)
    client.post(reverse("assistance:plan_comment_add", args=[plan.pk]), {"c-text": "建议增加培训目标"})
    client.force_login(county_admin)
    client.post(reverse("assistance:plan_adopt", args=[plan.pk]), {"a-adopted_on": dt.date.today().isoformat()})
    plan.refresh_from_db()
    assert plan.is_adopted
    page = client.get(reverse("assistance:plan_detail", args=[plan.pk])).content.decode()
    assert "建议增加培训目标" in page and "已印发" in page
    assert reverse("assistance:plan_adopt", args=[plan.pk]) not in page  # no control once adopted
    assert reverse("assistance:plan_comment_add", args=[plan.pk]) not in page


def test_the_grid_names_the_bad_cell_and_writes_nothing(client, county_admin, plan, cdu):
    client.force_login(county_admin)
    url = reverse("assistance:plan_targets", args=[plan.pk, cdu.pk])
    data = {setup.grid_key(2026, "funds_invested"): "500000", setup.grid_key(2027, "cadres_trained"): "十二"}
    page = client.post(url, data)
    text = page.content.decode()
    assert page.status_code == 200 and "2027年“培训基层干部”" in text and "十二" in text
    assert not PlanTarget.objects.exists()
    data[setup.grid_key(2027, "cadres_trained")] = "12"
    assert client.post(url, data).status_code == 302
    assert PlanTarget.objects.filter(plan=plan, unit=cdu).count() == 2
    page = client.get(url).content.decode()
    assert 'value="500000"' in page and 'value="12"' in page  # the grid shows what is entered


def test_the_template_is_a_real_workbook_with_every_unit_and_year(client, county_admin, plan, court, cdu):
    client.force_login(county_admin)
    response = client.get(reverse("assistance:plan_targets_template", args=[plan.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["帮扶单位", "年度", "直接投入帮扶资金（元）"]
    assert len(rows) == 1 + 2 * 5 and {r[0] for r in rows[1:]} == {court.name, cdu.name}


def test_the_sheet_imports_whole_or_not_at_all(client, county_admin, plan, court, cdu):
    client.force_login(county_admin)
    url = reverse("assistance:plan_targets_import", args=[plan.pk])
    header = ["帮扶单位", "年度", "直接投入帮扶资金（元）", "培训基层干部"]
    bad = _sheet([header, [cdu.name, 2026, 100000, 30], ["不存在的单位", 2026, 1, 1], [cdu.name, 2031, 1, 1],
                  [court.name, 2027, "一百", 2], [cdu.name, 2026, 5, 5]])
    page = client.post(url, {"s-file": SimpleUploadedFile("t.xlsx", bad)}, follow=True).content.decode()
    assert "没有写入任何数据" in page
    for expected in ("第3行“帮扶单位”", "第4行“年度”", "第5行“直接投入帮扶资金”", "第6行“年度”：成都大学2026年已在第2行填写"):
        assert expected in page, expected
    assert not PlanTarget.objects.exists()
    good = _sheet([header, [cdu.name, 2026, 100000, 30], [court.short_name, 2027, "1,000", None], [None, None]])
    page = client.post(url, {"s-file": SimpleUploadedFile("t.xlsx", good)}, follow=True).content.decode()
    assert "3项目标有变化" in page
    assert PlanTarget.objects.get(unit=court, year=2027).target == 1000


@pytest.mark.parametrize(("content", "message"), [(b"", "文件为空"), (b"%PDF-1.4 not a sheet", "不是Excel工作簿"),
                                                  (b"PK\x03\x04broken", "无法读取")])
def test_a_file_that_is_not_the_sheet_is_refused_by_name(county_admin, plan, content, message):
    with pytest.raises(setup.TargetSheetError) as caught:
        setup.plan_targets_import(actor=county_admin, plan=plan, content=content)
    assert message in str(caught.value.problems[0])


def test_an_unknown_column_is_named(county_admin, plan):
    with pytest.raises(setup.TargetSheetError) as caught:
        setup.plan_targets_import(actor=county_admin, plan=plan,
                                  content=_sheet([["帮扶单位", "年度", "帮扶满意度"]]))
    assert "“帮扶满意度”" in str(caught.value.problems[0])


# --- the plan's progress by year ---------------------------------------------------------------------------------

def test_a_year_without_targets_says_so(client, county_admin, plan, cdu):
    client.force_login(county_admin)
    page = client.get(reverse("assistance:plan") + "?year=2026").content.decode()
    assert "尚未填写2026年的目标" in page
    setup.plan_targets_grid_save(actor=county_admin, plan=plan, unit=cdu,
                                 cells={setup.grid_key(2026, "funds_invested"): "100"})
    page = client.get(reverse("assistance:plan") + "?year=2026").content.decode()
    assert "尚未填写" not in page and "2026-2030规划" in page
    page = client.get(reverse("assistance:plan") + "?year=2040").content.decode()
    assert "2040年不在任何帮扶工作规划的期限内" in page


def test_the_adopted_plan_of_the_year_is_shown_before_an_older_one(client, county_admin, plan, cdu):
    Plan.objects.create(county_id=COUNTY, name="2021-2025规划", start_year=2021, end_year=2025, status="adopted")
    client.force_login(county_admin)
    assert "2021-2025规划" in client.get(reverse("assistance:plan") + "?year=2023").content.decode()
    assert "2026-2030规划" in client.get(reverse("assistance:plan") + "?year=2027").content.decode()


# --- village role holders ----------------------------------------------------------------------------------------

def test_the_county_contact_leader_is_recorded_and_ended_on_the_page(client, county_admin, records):
    s.village_roles_save(actor=county_admin, county_code=COUNTY, roles=["county_leader"])
    client.force_login(county_admin)
    page = client.get(reverse("assistance:role_holders")).content.decode()
    assert "尚缺帮扶力量的村" in page
    client.post(reverse("assistance:role_holders"), {"village": TUANJIE, "role": "county_leader",
                                                     "name": "王副县长", "post": "副县长", "since": "2024-01-01"})
    holder = VillageRoleHolder.objects.get()
    page = client.post(reverse("assistance:role_holders"), {"village": TUANJIE, "role": "county_leader",
                                                            "name": "李副县长", "since": "2025-01-01"}).content.decode()
    assert "王副县长" in page and "请先为其填写结束日期" in page
    client.post(reverse("assistance:role_holder_end", args=[holder.pk]), {"e-until": "2024-12-31"})
    holder.refresh_from_db()
    assert holder.until == dt.date(2024, 12, 31)


def test_a_leader_reads_the_setup_pages_without_forms(client, leader, plan, cdu):
    client.force_login(leader)
    for url in (reverse("assistance:unit_list"), reverse("assistance:unit_detail", args=[cdu.pk]),
                reverse("assistance:plan_list"), reverse("assistance:plan_detail", args=[plan.pk]),
                reverse("assistance:role_holders")):
        response = client.get(url)
        assert response.status_code == 200, url
        main = response.content.decode().split("<main", 1)[1]
        assert 'method="post"' not in main, url
