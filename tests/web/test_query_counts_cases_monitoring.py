"""The case and early-warning pages run a bounded number of queries: the same with a few rows as with many
(tests/support.py), like the registry pages in test_query_counts.py.

The world is built through the services, as people would: households walked through identification by the three
roles (decisions), measures, visits and a contact; a housing department's file, a screening run and its warnings,
a warning confirmed into a lead, a cadre's lead, a self-report; a data-quality run. `grow()` adds many more rows of
everything each page shows, and walks the case whose page is pinned a few steps further (more decisions).

The same world also holds an income record, jobs, household imports and users, so the registry, account, job and
import pages that test_query_counts.py leaves out are measured here too (OTHER_PAGES).

The `most` column pins today's count, so a change that adds a query to a page is seen here on purpose.
"""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bangfu.cases import clock
from bangfu.cases.models import MeasureCategory, QualityProblem, Transition
from bangfu.cases.quality import quality_check_run
from bangfu.cases.services import (
    assistance_contact_set,
    case_advance,
    case_open,
    measure_add,
    transitions_ensure_defaults,
    visit_record,
)
from bangfu.ingest.services import import_run_start
from bangfu.jobs.services import job_start
from bangfu.monitoring.feed_import import feed_upload_commit
from bangfu.monitoring.models import FeedUpload, Lead, RiskWarning, Rule, ScreeningRun
from bangfu.monitoring.services import (
    lead_from_visit,
    lead_self_report,
    monitoring_line_save,
    screening_run,
    warning_follow_up,
    warning_verify,
)
from bangfu.regions.models import Region
from bangfu.registry.services import income_record_save
from tests.conftest import COUNTY, SHUANGHE, SONGBAI, TUANJIE, make_user, synthetic_id
from tests.support import queries_for

START = dt.date(2026, 3, 2)  # a Monday
_sequence = itertools.count(1)
_NAMES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


class _Walker:
    """Takes a case along the identification path, each step by the role the transition table names."""

    def __init__(self, today, cadres, reviewer, admin):
        self.today, self.cadres, self.by_role = today, cadres, {"township_reviewer": reviewer, "county_admin": admin}

    def step(self, case, to_state, **data):
        transition = Transition.objects.filter(kind=case.kind, from_state=case.state, to_state=to_state).first()
        actor = self.cadres[case.village_id] if transition.role == "village_cadre" else self.by_role[transition.role]
        return case_advance(actor=actor, case=case, transition=transition,
                            version=case.version, comment="入户复核后补办", data=data)

    def walk(self, case, until):
        day = self.today.day
        steps = {
            "comparison": {"commitment_signed_on": day, "verification_notes": "入户看过，情况属实"},
            "village_review": {"comparison_result": "医保数据一致，无财政供养人员"},
            "notice": {"review_date": day, "review_participants": "村两委、群众代表", "review_outcome": "同意纳入",
                       "notice_started_on": day},
            "township_review": {},
            "county_approval": {},
            "approved": {"monitoring_type": "marginal", "risk_types": ["illness"], "identified_month": f"{day:%Y%m}"},
            "rejected": {"reason": "收入高于监测线"},
        }
        order = list(steps)
        for state in order[order.index(case.state) + 1 if case.state in order else 0:]:
            if state == "rejected" and until != "rejected":
                break
            if state == "approved" and until == "rejected":
                continue
            if state == "township_review" and case.notice_started_on:
                self.today.day = max(self.today.day, case.notice_started_on + dt.timedelta(days=6))
            case = self.step(case, state, **steps[state])
            if state == until:
                break
        return case


def _import(actor):
    """A household ledger uploaded for import: its preview waits for the worker (jobs do not run in tests)."""
    text = f"户编号,户主姓名,身份证号\n,导入户,{synthetic_id()}\n"
    upload = SimpleUploadedFile("农户台账.csv", text.encode(), "text/csv")
    return import_run_start(actor=actor, upload=upload, year=2025)


def _feed(actor):
    """A department file uploaded: its preview waits for the worker, as the household import's does."""
    from bangfu.monitoring.feed_import import feed_run_start

    upload = SimpleUploadedFile("住建.csv", f"姓名,身份证号,鉴定等级\n甲,{synthetic_id()},C级\n".encode())
    return feed_run_start(actor=actor, upload=upload, kind="housing", period="2026-02")


def _housing_file(path, households):
    """The housing bureau's appraisals: every household's house graded C (危房), so screening warns on each."""
    rows = ["姓名,身份证号,鉴定等级,鉴定日期"]
    rows += [f"{h.head_name},{h.members.get(relation='head').reveal_id_number()},C级,2026-02-01" for h in households]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def world(make_household, county_admin, tuanjie_cadre, shuanghe_reviewer, monkeypatch, settings, tmp_path):
    """A few rows of everything the case and warning pages show, and a grow() that adds many more."""
    settings.VAR_DIR = tmp_path

    class Today:
        day = START

    today = Today()
    monkeypatch.setattr(clock, "today", lambda: today.day)
    transitions_ensure_defaults()
    county = Region.objects.get(code=COUNTY)
    for year, amount in {2025: 7800, 2026: 8100}.items():
        monitoring_line_save(actor=county_admin, region=county, year=year, amount=Decimal(amount))
    cadres = {TUANJIE: tuanjie_cadre, SONGBAI: make_user("songbai_cadre", "village_cadre", SONGBAI)}
    walker = _Walker(today, cadres, shuanghe_reviewer, county_admin)
    health = MeasureCategory.objects.get(code="health")

    def household(village=TUANJIE):
        return make_household(village, head_name=f"案件户{_NAMES[next(_sequence) % len(_NAMES)]}", group="一组")

    def assisted(village=TUANJIE):
        """A household identified for monitoring, with a measure, a visit and a contact."""
        h = household(village)
        walker.walk(case_open(actor=cadres[village], household=h,
                              summary="户主住院"), "approved")
        h.refresh_from_db()
        measure_add(actor=county_admin, household=h, data={
            "category": health, "description": "大病医疗救助", "start_on": today.day, "responsible": "县医保局",
            "status": "in_progress", "amount": "3000"})
        visit_record(actor=cadres[village], household=h, visited_on=today.day, notes="家中情况稳定",
                     per_capita_income=Decimal("9100"))
        assistance_contact_set(actor=county_admin, household=h, name="王联系", post="县农业农村局")
        return h

    def screened(households):
        path = _housing_file(tmp_path / f"住建{next(_sequence)}.csv", households)
        feed_upload_commit(actor=county_admin, kind="housing", period="2026-02", path=path, file_name=path.name)
        screening_run(actor=county_admin)
        # Raised ten days ago: past every rule's verification deadline, so the overdue filter has rows.
        RiskWarning.objects.update(created_at=timezone.now() - dt.timedelta(days=10))

    subject = assisted()
    in_notice = walker.walk(case_open(actor=tuanjie_cadre, household=household(), summary="因灾"), "notice")
    pinned = case_open(actor=tuanjie_cadre, household=household(), summary="因学")  # its page gains decisions
    screened([subject, in_notice.household])
    warning = RiskWarning.objects.filter(household=subject).order_by("id").first()
    warning_verify(actor=tuanjie_cadre, warning=RiskWarning.objects.filter(household=in_notice.household).first(),
                   outcome="confirmed", visit_date=START, visit_notes="房屋开裂属实")
    lead_from_visit(actor=tuanjie_cadre, household=subject, risk_type="medical", difficulty="走访发现大病住院")
    lead_self_report(name="王大妈", phone="10012345678", id_number=synthetic_id("19600101"), village_code=TUANJIE,
                     risk_type="medical", difficulty="老伴住院花了三万多元", client="192.0.2.1")
    quality_check_run(actor=county_admin, region=county)
    # a year before the elimination window: the income conditions read the lines from the start
    income_record_save(actor=county_admin, household=subject, year=2024, data={"wage_income": 12000})
    job = job_start(actor=county_admin, kind="data_quality", title="数据质量核查", params={"region": COUNTY})
    run = _import(county_admin)
    feed_run = _feed(county_admin)
    today.day += dt.timedelta(days=30)  # the open cases are past their deadlines: the overdue filter has rows
    # Every list has rows to begin with (an empty page skips the query that reads them).
    assert RiskWarning.objects.filter(state="open", village_id=TUANJIE).exists() and Lead.objects.count() == 3
    assert QualityProblem.objects.exists() and FeedUpload.objects.exists() and ScreeningRun.objects.exists()

    def grow():
        many = [assisted(village) for village in (TUANJIE, TUANJIE, SONGBAI)]
        for _ in range(3):
            walker.walk(case_open(actor=tuanjie_cadre, household=household(), summary="因灾"), "notice")
        walker.walk(case_open(actor=tuanjie_cadre, household=household(), summary="收入尚可"), "rejected")
        case_open(actor=tuanjie_cadre, household=household(), summary="因残")
        walker.walk(pinned, "county_approval")
        for n in range(4):
            measure_add(actor=county_admin, household=subject, data={
                "category": health, "description": f"慢病补助{n}", "start_on": today.day, "responsible": "县医保局",
                "status": "in_progress"})
            visit_record(actor=tuanjie_cadre, household=subject, visited_on=today.day, notes=f"第{n}次走访")
        screened([subject, in_notice.household, *many])
        for warning_ in RiskWarning.objects.filter(state="open", household__in=many):
            # monitored with their risk open: each warning is followed with the household's case, not verified
            warning_follow_up(actor=cadres[warning_.village_id], warning=warning_, note="已纳入住房安全保障跟进")
        for h in many:
            lead_from_visit(actor=cadres[h.village_id], household=h,
                            risk_type="disaster", difficulty="走访发现房屋受灾")
        for n in range(3):
            lead_self_report(name="李大爷", phone="10012345678", id_number=synthetic_id("19550101"),
                             village_code=SONGBAI, risk_type="medical",
                             difficulty=f"老伴住院第{n}次", client=f"192.0.2.{10 + n}")
        quality_check_run(actor=county_admin, region=county)
        for year in (2023, 2025):
            income_record_save(actor=county_admin, household=subject, year=year, data={"wage_income": 1000 * year})
        for _ in range(4):
            job_start(actor=county_admin, kind="data_quality", title="数据质量核查", params={"region": COUNTY})
            _import(county_admin)
            make_user(f"cadre{next(_sequence)}", "village_cadre", SONGBAI)

    return {"subject": subject, "pinned": pinned, "warning": warning, "grow": grow, "job": job, "run": run,
            "feed_run": feed_run, "cadre": tuanjie_cadre}


def _measure(w):
    return w["subject"].measures.order_by("id").first().pk


def _category():
    return MeasureCategory.objects.get(code="microcredit").pk


def _transition(w):
    return Transition.objects.order_by("id").first().pk


def _rule(w):
    return Rule.objects.get(code="unsafe_housing").pk


# name: (url from the world, query parameters, headers, at most this many queries), seen by the county administrator
PAGES = {
    # + the new leads above the list (two: their keys with the count, then the rows shown: web.lists.first_and_count)
    # and the viewer's work queue (two queries: see cases.selectors.work_queue_for)
    "case-list": (lambda w: reverse("cases:case_list"), {}, {}, 9),
    "case-list-overdue": (lambda w: reverse("cases:case_list"), {"state": "overdue"}, {}, 9),
    "case-list-notice": (lambda w: reverse("cases:case_list"), {"state": "notice"}, {}, 9),
    "case-list-approved": (lambda w: reverse("cases:case_list"), {"state": "approved"}, {}, 9),
    "case-list-all-identification": (lambda w: reverse("cases:case_list"), {"state": "all",
                                                                             "kind": "identification"}, {}, 9),
    "case-detail": (lambda w: reverse("cases:case_detail", args=[w["pinned"].pk]), {}, {}, 6),
    # cases, measures, visits, contact, and the risk match and elimination conditions (members, income, settings,
    # the compulsory-school ages from the out-of-school rule, the measure-to-risk table)
    "household-assistance": (lambda w: reverse("cases:household_assistance", args=[w["subject"].pk]), {}, {}, 21),
    "case-open": (lambda w: reverse("cases:case_open", args=[w["subject"].pk]), {}, {}, 4),
    "measure-add": (lambda w: reverse("cases:measure_add", args=[w["subject"].pk]), {}, {}, 5),
    "measure-edit": (lambda w: reverse("cases:measure_edit", args=[_measure(w)]), {}, {}, 7),
    "contact": (lambda w: reverse("cases:contact_set", args=[w["subject"].pk]), {}, {}, 5),
    "visit-add": (lambda w: reverse("cases:visit_add", args=[w["subject"].pk]), {}, {}, 4),
    "elimination-propose": (lambda w: reverse("cases:elimination_propose", args=[w["subject"].pk]), {}, {}, 12),
    "card": (lambda w: reverse("cases:card", args=[w["subject"].pk]), {}, {}, 10),
    # the member count of each household in the notice comes with the rows (it was one COUNT per row)
    "notice": (lambda w: reverse("cases:notice", args=[TUANJIE]), {}, {}, 6),
    # + the measure catalogue with its limits; + where each section's values come from (issue 21: one query per
    # section, the enclosing regions marked by whether they own rows: settings, transitions, catalogue)
    "workflow-settings": (lambda w: reverse("cases:workflow_config"), {}, {}, 11),
    "transition-edit": (lambda w: reverse("cases:transition_edit", args=[_transition(w)]), {}, {}, 5),
    "measure-category-edit": (lambda w: reverse("cases:measure_category_edit", args=[_category()]), {}, {}, 5),
    "quality-report": (lambda w: reverse("cases:quality_report"), {}, {}, 5),
    "warning-list": (lambda w: reverse("monitoring:warning_list"), {}, {}, 10),
    "warning-list-htmx": (lambda w: reverse("monitoring:warning_list"), {}, {"HX-Request": "true"}, 10),
    "warning-list-filtered": (lambda w: reverse("monitoring:warning_list"),
                              {"region": SHUANGHE, "rule": "unsafe_housing", "state": "all"}, {}, 14),
    "warning-list-overdue": (lambda w: reverse("monitoring:warning_list"), {"overdue": "on"}, {}, 11),
    "warning-list-confirmed": (lambda w: reverse("monitoring:warning_list"), {"state": "confirmed"}, {}, 10),
    # + the household's open case, for a warning on a household monitored with its risk open (followed with it)
    "warning-detail": (lambda w: reverse("monitoring:warning_detail", args=[w["warning"].pk]), {}, {}, 6),
    "lead-list": (lambda w: reverse("monitoring:lead_list"), {}, {}, 5),
    "lead-create": (lambda w: reverse("monitoring:lead_create", args=[w["subject"].pk]), {}, {}, 4),
    # + where the rules in force come from (issue 21, one query)
    "rule-list": (lambda w: reverse("monitoring:rule_list"), {}, {}, 5),
    "rule-edit": (lambda w: reverse("monitoring:rule_edit", args=[_rule(w)]), {}, {}, 5),
    "screening-list": (lambda w: reverse("monitoring:screening_list"), {}, {}, 7),
    "feed-upload": (lambda w: reverse("monitoring:feed_upload"), {}, {}, 4),
    "feed-run": (lambda w: reverse("monitoring:feed_run", args=[w["feed_run"].pk]), {}, {}, 4),
    "feed-run-htmx": (lambda w: reverse("monitoring:feed_run", args=[w["feed_run"].pk]), {},
                      {"HX-Request": "true"}, 3),
}

# Pages of other apps that test_query_counts.py does not pin, measured in this world (it has them all).
OTHER_PAGES = {
    "income-edit": (lambda w: reverse("registry:income_edit", args=[w["subject"].pk, 2024]), {}, {}, 5),
    "household-reopen": (lambda w: reverse("registry:household_reopen", args=[w["subject"].pk]), {}, {}, 4),
    "user-create": (lambda w: reverse("accounts:user_create"), {}, {}, 5),
    # + the cadre record linked to the account and the cadres it could be linked to (two, issue 18)
    "user-edit": (lambda w: reverse("accounts:user_edit", args=[w["cadre"].pk]), {}, {}, 9),
    "user-password": (lambda w: reverse("accounts:user_password", args=[w["cadre"].pk]), {}, {}, 4),
    "job-detail": (lambda w: reverse("jobs:job_detail", args=[w["job"].pk]), {}, {}, 4),
    "job-detail-htmx": (lambda w: reverse("jobs:job_detail", args=[w["job"].pk]), {}, {"HX-Request": "true"}, 3),
    "import-start": (lambda w: reverse("ingest:import_start"), {}, {}, 4),
    "import-detail": (lambda w: reverse("ingest:import_detail", args=[w["run"].pk]), {}, {}, 4),
    "import-detail-htmx": (lambda w: reverse("ingest:import_detail", args=[w["run"].pk]), {},
                           {"HX-Request": "true"}, 3),
}
PAGES.update(OTHER_PAGES)

# The same pages as 团结村's cadre sees them: a village's own rows, the steps of the cadre's role.
CADRE_PAGES = {
    # + the queues of issue 15: the case queue's counts and its ranked rows (two), overdue warnings (the rules'
    # limits, then the rows with their count), new leads (one), measures due (the limit, then the rows), warnings on
    # households monitored with their risk open (one), every warning to verify (one); 八必访 due this quarter with its
    # counts (one, issue 19); the account's own resident-cadre records for the check-in card (one, issue 18); each
    # queue with rows one more (web.lists.first_and_count: keys with the count, then the rows shown; here two)
    "home": (lambda w: reverse("web:home"), {}, {}, 18),
    "case-list": PAGES["case-list"][:3] + (9,),
    "case-detail": PAGES["case-detail"][:3] + (6,),
    "household-assistance": PAGES["household-assistance"][:3] + (21,),
    "notice": PAGES["notice"][:3] + (6,),
    "quality-report": PAGES["quality-report"][:3] + (5,),
    "warning-list": PAGES["warning-list"][:3] + (10,),
    "warning-detail": PAGES["warning-detail"][:3] + (6,),
    "lead-list": PAGES["lead-list"][:3] + (5,),
    "screening-list": PAGES["screening-list"][:3] + (7,),
}

# Pages anyone may open without logging in.
PUBLIC_PAGES = {
    "self-report": (lambda w: reverse("monitoring:self_report"), {}, {}, 2),
    "self-report-done": (lambda w: reverse("monitoring:self_report_done"), {}, {}, 0),
    "login": (lambda w: reverse("web:login"), {}, {}, 0),
    "healthz": (lambda w: reverse("web:healthz"), {}, {}, 1),  # SELECT 1: is the database there
}


def _counts(client, world, user, pages) -> dict[str, int]:
    """How many queries each page runs for `user` (None: not logged in)."""
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return {name: queries_for(client, url(world), data=data, headers=headers)
            for name, (url, data, headers, _most) in pages.items()}


def test_page_queries_do_not_grow_with_rows(client, county_admin, tuanjie_cadre, world):
    """Every page once with a few rows and once with many (one world for all pages: building it is the slow part).
    Each page must run the same number of queries both times, and at most its pinned number."""
    viewers = {"": (county_admin, PAGES), "cadre ": (tuanjie_cadre, CADRE_PAGES), "public ": (None, PUBLIC_PAGES)}
    few = {prefix: _counts(client, world, user, pages) for prefix, (user, pages) in viewers.items()}
    world["grow"]()
    many = {prefix: _counts(client, world, user, pages) for prefix, (user, pages) in viewers.items()}
    table = {prefix + name: (few[prefix][name], many[prefix][name], pages[name][-1])
             for prefix, (_user, pages) in viewers.items() for name in pages}
    print("\n".join(f"{name:36} {f:3} {m:3} {most:3}" for name, (f, m, most) in table.items()))  # pytest -s
    grew = {name: (f, m) for name, (f, m, _most) in table.items() if f != m}
    assert not grew, f"queries with few rows, with many: {grew}"
    over = {name: (m, most) for name, (_f, m, most) in table.items() if m > most}
    assert not over, f"queries, at most: {over}"
