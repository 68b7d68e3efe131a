"""Demo relocation follow-up and care: the registry's free-text 安置点 become sites (with workshops) in their
township, each relocated household gets its relocation record, and relocated workers employment, more in some
sites than in others so 至少1人就业 falls short of 100% in some; 特困 members their support mode, and care visits
for most of the 八必访 households (some due this quarter, some overdue).

Synthetic throughout (site and workshop names are made up); written with bulk inserts, as a loader. Care visits are
dated from today's date so the 八必访 queues show something whenever the demo is opened.
"""

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction

from bangfu.care import groups as care_groups
from bangfu.care.models import CareFacts, CareVisit, TekunSupport
from bangfu.cases.conditions import WITH_LABOUR
from bangfu.registry.models import Household, Member
from bangfu.relocation.models import (
    CertificateState,
    Employment,
    EmploymentKind,
    EmploymentSource,
    Facility,
    RelocatedHousehold,
    ResettlementSite,
    Workshop,
    WorkshopKind,
)

WORKSHOPS = (("藏绣帮扶车间", WorkshopKind.WORKSHOP), ("农产品加工帮扶车间", WorkshopKind.WORKSHOP),
             ("民宿服务专业合作社", WorkshopKind.COOPERATIVE), ("牦牛肉制品厂", WorkshopKind.BUSINESS),
             ("竹编手工帮扶车间", WorkshopKind.WORKSHOP))
PLACES = {EmploymentKind.PUBLIC_WELFARE: ("护林员", "保洁员", "河道管护员", "道路养护员"),
          EmploymentKind.MIGRANT: ("成都市", "绵阳市", "浙江省宁波市", "广东省东莞市"),
          EmploymentKind.LOCAL: ("九寨沟景区", "县城酒店", "镇建筑工地", "漳扎镇民宿")}
VISITORS = ("驻村第一书记", "村两委干部", "帮扶责任人", "驻村工作队员")
FINDINGS = (("身体状况稳定，生活有保障", "宣传医保和低保政策"), ("家中老人腿脚不便", "联系村医上门随访"),
            ("孩子上学费用有压力", "对接雨露计划"), ("房屋漏雨", "报镇政府安排维修"))


@transaction.atomic
def demo_relocation_build(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    rng = random.Random(seed + 19)
    today = today or dt.date.today()
    households = list(Household.objects.filter(relocated=True, is_active=True).order_by("pk").values_list(
        "pk", "village_id", "resettlement_site"))
    by_site: dict[str, list] = defaultdict(list)
    for pk, village, text in households:
        by_site[text or f"{village[:9]}000"].append((pk, village))
    members = defaultdict(list)
    for member in Member.objects.filter(household__relocated=True, household__is_active=True).order_by("pk"):
        members[member.household_id].append(member)
    from bangfu.regions.models import Region

    villages_of = defaultdict(list)
    for code in Region.objects.filter(level="village", code__startswith="513225").values_list("code", flat=True):
        villages_of[code[:9]].append(code)
    relocations, jobs = [], []
    for index, (name, rows) in enumerate(sorted(by_site.items())):
        township = rows[0][1][:9] + "000"
        people = sum(len(members[pk]) for pk, _v in rows)
        site, _created = ResettlementSite.objects.get_or_create(name=name, defaults={
            "township_id": township, "population": people * rng.choice((2, 4, 9, 25)),
            "year_built": rng.randint(2016, 2020), "contact": f"{name[:3]}便民服务中心 0837-77{rng.randint(10000, 99999)}",
            "facilities": sorted(rng.sample(Facility.values, rng.randint(1, 4)))})
        workshops = []
        for title, kind in rng.sample(WORKSHOPS, rng.randint(0, 2)):
            offered = rng.randint(10, 60)
            workshops.append(Workshop.objects.get_or_create(site=site, name=title, defaults={
                "kind": kind, "jobs_offered": offered, "jobs_filled": rng.randint(offered // 3, offered)})[0])
        employ = (0.95, 0.75, 0.5, 0.35)[index % 4]  # some sites reach every household, some fall short
        for pk, village in rows:
            others = [v for v in villages_of[village[:9]] if v != village] or [village]
            relocations.append(RelocatedHousehold(
                household_id=pk, site=site, relocation_year=site.year_built or 2018,
                certificate=rng.choices(CertificateState.values, weights=(10, 20, 70))[0],
                former_village_id=rng.choice(others)))
            labour = [m for m in members[pk] if m.labour_ability in WITH_LABOUR]
            if not labour or rng.random() > employ:
                continue
            worker = rng.choice(labour)
            kind = rng.choice(EmploymentKind.values if workshops else [k for k in EmploymentKind.values
                                                                        if k != EmploymentKind.WORKSHOP])
            workshop = rng.choice(workshops) if kind == EmploymentKind.WORKSHOP else None
            jobs.append(Employment(member=worker, year=today.year, kind=kind, workshop=workshop,
                                   place=workshop.name if workshop else rng.choice(PLACES[kind]),
                                   months=rng.randint(3, 12), source=EmploymentSource.CADRE))
    RelocatedHousehold.objects.bulk_create(relocations, batch_size=1000, ignore_conflicts=True)
    Employment.objects.bulk_create(jobs, batch_size=1000)
    facts = [CareFacts(member_id=pk, tekun_support=rng.choices(
        (TekunSupport.DISPERSED, TekunSupport.CENTRALISED), weights=(8, 2))[0])
        for pk in Member.objects.filter(tekun=True).order_by("pk").values_list("pk", flat=True)]
    from bangfu.registry.models import birth_date_cutoff

    children = list(Member.objects.filter(birth_date__gt=birth_date_cutoff(today, 18)).order_by("pk").values_list(
        "pk", flat=True)[:4000])
    facts += [CareFacts(member_id=pk, orphan=True) for pk in sorted(rng.sample(children, min(len(children) // 400 + 1,
                                                                                           len(children))))]
    CareFacts.objects.bulk_create(facts, batch_size=1000, ignore_conflicts=True)
    quarter = care_groups.quarter_start(today)
    previous = care_groups.previous_quarter_start(today)
    visits = []
    for pk in care_groups.must_visit(Household.objects.all()).order_by("pk").values_list("pk", flat=True):
        draw = rng.random()
        if draw < 0.55:  # visited this quarter
            day = quarter + dt.timedelta(days=rng.randint(0, max(0, (today - quarter).days)))
        elif draw < 0.85:  # visited last quarter only: due this quarter
            day = previous + dt.timedelta(days=rng.randint(0, (quarter - previous).days - 1))
        else:  # not visited for two quarters: overdue
            continue
        found, done = rng.choice(FINDINGS)
        visits.append(CareVisit(household_id=pk, visitor=rng.choice(VISITORS), visited_on=day, found=found,
                                done=done))
    CareVisit.objects.bulk_create(visits, batch_size=1000)
    return {"sites": len(by_site), "relocated": len(relocations), "employment": len(jobs), "visits": len(visits)}
