"""The demo county's department data: one month (2026-10) of every feed kind, three months of employment
contributions (the rule looks three months back), and one screening run over them.

Rates per month [demo], chosen so the warnings look like a county's month (tens per rule, a few hundred in all):
hospital stays ≈1% of people, more for the old and the chronically ill, out-of-pocket log-normal around
1,800 yuan; new disability certificates ≈0.08% of people (grades 1-4: 8/17/35/40%); house appraisals ≈0.4% of
households (A/B/C/D: 45/45/8/2%); four compulsory-age dropouts; a mudslide over one township's villages; migrant
workers paying contributions each month, ≈0.4% of them none for three months; deaths ≈0.05%, mostly the old;
低保/特困/临时救助 for a quarter of the monitored households' members and a few others;
the exclusion sources (payroll, property, vehicles, businesses) for a few hundred people each.
Bulk inserts, like the builder: this is a loader, not a user's edit.
"""

import calendar
import datetime as dt
import random

from django.db import transaction

from bangfu.accounts.models import User
from bangfu.monitoring.models import FeedRow, FeedUpload, Lead, RiskWarning, ScreeningRun
from bangfu.registry.models import Household, Member

PERIOD = "2026-10"
EMPLOYMENT_PERIODS = ("2026-08", "2026-09", "2026-10")
MIGRANT = ("in_county", "in_province", "out_of_province")
HOSPITALS = ("九寨沟县人民医院", "九寨沟县中藏医院", "阿坝州人民医院", "四川大学华西医院", "漳扎镇中心卫生院")
EMPLOYERS = ("成都某建筑公司", "九寨沟景区管理局外包服务", "浙江某电子厂", "绵阳某物流公司", "本县农业合作社")
PAYROLL = ("九寨沟县第一中学", "九寨沟县人民医院", "县林业和草原局", "漳扎镇人民政府", "县财政局")
VEHICLES = (("小型轿车", 20), ("小型普通客车", 8), ("轻型货车", 6), ("摩托车", 45), ("三轮车", 15), ("农用车", 6))


def _day(period: str, rng: random.Random, *, last: int | None = None) -> dt.date:
    year, month = int(period[:4]), int(period[5:])
    days = calendar.monthrange(year, month)[1]
    return dt.date(year, month, rng.randint(1, min(days, last or days)))


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def demo_monitoring_build(*, seed: int) -> ScreeningRun | None:
    """Replace the demo's department data with a fresh month and run the screening once."""
    from bangfu.monitoring.rules import rules_install_defaults
    from bangfu.monitoring.services import screening_run

    rules_install_defaults()  # the shipped rules, if a flushed database (a browser test's) lost the migration's rows
    rng = random.Random(seed * 7 + 10)
    with transaction.atomic():
        Lead.objects.all().delete()
        RiskWarning.objects.all().delete()
        ScreeningRun.objects.all().delete()
        FeedUpload.objects.all().delete()  # their rows go with them
    members = list(Member.objects.filter(household__is_active=True).order_by("id").values_list(
        "id", "household_id", "birth_date", "labour_ability", "work_place", "health", "student_status"))
    if not members:
        return None
    households = list(Household.objects.filter(is_active=True).order_by("id").values_list("id", "village_id",
                                                                                           "monitoring_type"))
    on = dt.date(2026, 10, 15)
    rows: dict[tuple[str, str], list[dict]] = {}

    def add(kind: str, period: str, member_id: int, household_id: int, **slots) -> None:
        rows.setdefault((kind, period), []).append({"member_id": member_id, "household_id": household_id, **slots})

    monitored = {h for h, _, kind in households if kind}
    for member_id, household_id, birth, labour, work_place, health, student in members:
        age = _age(birth, on)
        # Hospital stays: the old and the ill more often.
        p = 0.006 * (3 if health in ("chronic", "serious") else 1) * (2 if age >= 60 else 1)
        if rng.random() < p:
            oop = round(min(200_000.0, rng.lognormvariate(7.5, 0.9)), 2)
            total = round(oop / rng.uniform(0.25, 0.45), 2)
            aid = round(oop * 0.3, 2) if household_id in monitored else 0
            admitted = _day(PERIOD, rng, last=20)
            add("medical", PERIOD, member_id, household_id, date1=admitted,
                date2=admitted + dt.timedelta(days=rng.randint(1, 10)), amount1=int(total * 100),
                amount2=int(total * 55), amount3=int(max(0.0, total - oop) * 100 * 0.2), amount4=int(aid * 100),
                amount5=int(oop * 100), text=rng.choice(HOSPITALS))
        if rng.random() < 0.0008:
            add("disability", PERIOD, member_id, household_id, code1=rng.choice(("physical", "visual", "mental")),
                code2=rng.choices("1234", weights=(8, 17, 35, 40))[0], date1=_day(PERIOD, rng))
        if 6 <= age <= 15 and student in ("primary", "junior") and rng.random() < 0.15:
            add("education", PERIOD, member_id, household_id, code1="in_school", text="九寨沟县义务教育学校",
                amount1=rng.choice((62500, 100000)))
        if work_place in MIGRANT and labour in ("ordinary", "skilled"):
            stopped = rng.random() < 0.004
            for period in EMPLOYMENT_PERIODS:
                if not stopped and rng.random() < 0.97:
                    add("employment", period, member_id, household_id, date1=_day(period, rng, last=1),
                        text=rng.choice(EMPLOYERS), amount1=rng.choice((39000, 45000, 52000)))
        if household_id in monitored and rng.random() < 0.25 or rng.random() < 0.002:
            assistance = rng.choices(("dibao", "tekun", "temporary", "dibao_edge"), weights=(60, 5, 25, 10))[0]
            add("civil_affairs", PERIOD, member_id, household_id, code1=assistance, date1=_day(PERIOD, rng),
                amount1=rng.choice((35000, 42000, 50000, 100000)))
        if rng.random() < (0.0025 if age >= 75 else 0.00015 if 18 <= age < 60 else 0.0004):
            add("public_security", PERIOD, member_id, household_id, code1="death", date1=_day(PERIOD, rng))
        if 22 <= age <= 60:
            if rng.random() < 0.004:
                add("payroll", PERIOD, member_id, household_id, text=rng.choice(PAYROLL))
            if rng.random() < 0.0025:
                add("property", PERIOD, member_id, household_id, text="九寨沟县永乐镇某小区",
                    amount1=rng.randint(60, 130) * 100, date1=_day(PERIOD, rng))
            if rng.random() < 0.012:
                vehicle = rng.choices([v for v, _ in VEHICLES], weights=[w for _, w in VEHICLES])[0]
                add("vehicle", PERIOD, member_id, household_id, text=vehicle, code1=f"川J{rng.randint(10000, 99999)}")
            if rng.random() < 0.005:
                add("business", PERIOD, member_id, household_id, text="九寨沟县某农家乐",
                    amount1=rng.choice((0, 50_000, 100_000, 300_000)) * 100)
    heads = dict(Member.objects.filter(relation="head").values_list("household_id", "id"))
    young = [(m, h) for m, h, birth, *_ in members if 6 <= _age(birth, on) <= 15]
    for member_id, household_id in rng.sample(young, min(4, len(young))):
        add("education", PERIOD, member_id, household_id, code1="dropout", text="九寨沟县义务教育学校")
    for household_id, _, _ in rng.sample(households, max(1, len(households) // 250)):
        if household_id in heads:
            add("housing", PERIOD, heads[household_id], household_id,
                code1=rng.choices("ABCD", weights=(45, 45, 8, 2))[0], date1=_day(PERIOD, rng))
    township = max({v[:9] for _, v, _ in households})  # the mudslide's township: the last one, deterministic
    for household_id, village, _ in households:
        if village.startswith(township) and household_id in heads and rng.random() < 0.3:
            add("emergency", PERIOD, heads[household_id], household_id, text="泥石流", date1=dt.date(2026, 10, 8),
                amount1=int(rng.lognormvariate(9.0, 0.8) * 100))
    _write(rows)
    admin = User.objects.filter(username="admin").first()
    run = screening_run(actor=admin if admin and admin.can("monitoring.screen") else None)
    _queue_items(rng)
    return run


def _queue_items(rng: random.Random) -> None:
    """What the home queues show on a county's ordinary day: about one warning in eight raised five days ago
    (past the three days its rule allows), and in each township a few leads waiting (a cadre's visit, a warning
    confirmed on a household whose case is open, and a self-report whose ID number is registered nowhere)."""
    from django.utils import timezone

    from bangfu.cases.choices import OPEN_STATES
    from bangfu.cases.models import Case
    from bangfu.core.crypto import field_cipher
    from bangfu.core.id_number import make_id_number
    from bangfu.core.masking import mask_phone

    aged = timezone.now() - dt.timedelta(days=5)
    open_ids = list(RiskWarning.objects.filter(state=RiskWarning.State.OPEN).order_by("id").values_list("id", flat=True))
    RiskWarning.objects.filter(pk__in=open_ids[::8]).update(created_at=aged, updated_at=aged)
    cipher = field_cipher()
    cadre = User.objects.filter(username="tuanjie").first()
    leads = []
    for n, case in enumerate(Case.objects.filter(state__in=OPEN_STATES).select_related("household").order_by("id")[:6]):
        leads.append(Lead(source=Lead.Source.WARNING if n % 2 else Lead.Source.CADRE_VISIT, village_id=case.village_id,
                          household=case.household, risk_type="medical", created_by=cadre,
                          difficulty="医保数据显示本月住院自付1.2万元，核实属实"))
    villages = sorted({v for v in Household.objects.values_list("village_id", flat=True).distinct()})
    for n, village in enumerate(villages[:: max(1, len(villages) // 6)]):
        number = make_id_number("513225", dt.date(1958, 3, 1) + dt.timedelta(days=37 * n), 900 + n)
        phone = f"1380000{1000 + n:04d}"
        leads.append(Lead(source=Lead.Source.SELF_REPORT, village_id=village, risk_type="medical",
                          reporter_name=rng.choice(("王大妈", "李大爷", "杨阿姨", "泽仁措")),
                          difficulty="老伴住院花了三万多元，家里没有收入", phone_cipher=cipher.encrypt("phone", phone),
                          phone_masked=mask_phone(phone), id_number_cipher=cipher.encrypt("id_number", number),
                          id_number_digest=cipher.blind_index("id_number", number)))
    Lead.objects.bulk_create(leads)


def _write(rows: dict[tuple[str, str], list[dict]]) -> None:
    operators = {kind: User.objects.filter(username=name).first() for kind, name in (("medical", "yibao"),)}
    admin = User.objects.filter(username="admin").first()
    with transaction.atomic():
        for (kind, period), kind_rows in sorted(rows.items()):
            upload = FeedUpload.objects.create(
                kind=kind, period=period, file_name=f"{kind}-{period}.xlsx", uploaded_by=operators.get(kind, admin),
                rows=len(kind_rows), matched=len(kind_rows))
            FeedRow.objects.bulk_create(
                (FeedRow(upload=upload, kind=kind, period=period, row_number=n, **row)
                 for n, row in enumerate(kind_rows, start=2)), batch_size=5000)
