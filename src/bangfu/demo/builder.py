"""The synthetic county: deterministic, believable households over the real Jiuzhaigou villages.

Distributions (all [demo], chosen to look like a Tibetan-Qiang mountain county of ~66,000 people):
household size 1-8 (mean ≈3.3); ages by relation; ethnicity 汉/藏/羌/回; 脱贫户 ≈8% (1,608 of ~20,000 in the
real county); chronic illness rising with age, serious illness ≈1.5%, disability ≈4%; students by age;
≈30% of working-age people in migrant work; ≈3% relocated households on resettlement sites; housing grades
mostly A/B with a few C/D; per-capita income log-normal around 14,000 yuan (脱贫户 lower) with monitored
households near the line; ≈1.5% of households identified as monitoring objects, more than half eliminated.

Identifiers are synthetic: ID numbers use Jiuzhaigou's address code 513225 with valid check characters and
never repeat; phone numbers use the prefix 100, which no Chinese carrier issues.

The builder writes with bulk inserts (it is a loader, not a user's edit) and records one audit entry for the
whole build. Built village by village so a 1,000,000-person county fits in modest memory.
"""

import contextlib
import datetime as dt
import math
import os
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from bangfu.accounts.models import User
from bangfu.assistance.models import LinkedVillage, Unit
from bangfu.audit.models import ChangeRecord
from bangfu.core.crypto import field_cipher
from bangfu.core.db import indexes_deferred, refresh_planner_statistics
from bangfu.core.id_number import check_character
from bangfu.core.masking import mask_phone
from bangfu.demo import names
from bangfu.demo.assistance import demo_assistance_build
from bangfu.demo.cases import demo_cases_build
from bangfu.demo.monitoring import demo_monitoring_build
from bangfu.demo.relocation import demo_relocation_build
from bangfu.monitoring.models import MonitoringLine
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load_jiuzhaigou
from bangfu.registry import choices as c
from bangfu.registry.models import Household, IncomeRecord, Member
from bangfu.reports.models import VillageSummary
from bangfu.reports.summaries import village_summaries_rebuild, welfare_figures_rebuild

COUNTY_CODE = "513225000000"
PROVINCE_CODE = "510000000000"
ADDRESS_CODE = "513225"
DEFAULT_PEOPLE = 66_000
DEMO_PASSWORD = "bangfu-demo-2026"
TODAY = dt.date(2026, 11, 1)  # the demo's "now": fixed so the county is the same on every machine
INCOME_YEARS = (2024, 2025)
DEMO_LINES = {2021: 6000, 2022: 6600, 2023: 7100, 2024: 7500, 2025: 7800, 2026: 8100}  # [demo] DOMAIN.md §5.2

MARRIED_IN = frozenset({c.Relation.SPOUSE, c.Relation.DAUGHTER_IN_LAW, c.Relation.SON_IN_LAW, c.Relation.MOTHER})

UNITS = (
    # name, short name, kind, lead, linked villages (codes)
    ("四川省高级人民法院", "省法院", Unit.Kind.ORGAN, True, ("513225105202", "513225103213")),
    ("四川省人民政府驻北京办事处", "省政府驻京办", Unit.Kind.ORGAN, False, ("513225103212",)),
    ("中国民主同盟四川省委员会", "民盟四川省委", Unit.Kind.PARTY, False, ("513225101200",)),
    ("成都大学", "成都大学", Unit.Kind.UNIVERSITY, False, ("513225103213", "513225102216")),
    ("成都大学附属医院", "成大附院", Unit.Kind.HOSPITAL, False, ("513225105202",)),
    ("华西集团", "华西集团", Unit.Kind.ENTERPRISE, False, ("513225103212",)),
)

DEMO_USERS = (
    # username, full name, role, region code or None, unit name or None
    ("admin", "县监测办 管理员", "county_admin", COUNTY_CODE, None),
    ("shuanghe", "双河镇 审核员", "township_reviewer", "513225103000", None),
    ("tuanjie", "团结村 村干部", "village_cadre", "513225103213", None),
    ("cadre", "团结村 驻村第一书记 何磊", "village_cadre", "513225103213", None),
    ("zhangzha", "漳扎村 村干部", "village_cadre", "513225101200", None),
    ("contact", "团结村 帮扶联系人", "assistance_contact", "513225103213", None),
    ("cdu", "成都大学 联络员", "unit_liaison", None, "成都大学"),
    ("fayuan", "省法院 牵头协调员", "lead_coordinator", None, "四川省高级人民法院"),
    ("yibao", "县医保局 数据员", "department_operator", COUNTY_CODE, None),
    ("leader", "县领导", "leader", COUNTY_CODE, None),
    ("auditor", "考核评估组", "auditor", COUNTY_CODE, None),
)


@dataclass
class BuildReport:
    households: int = 0
    people: int = 0
    income_records: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of the build, in order
    users: list[tuple[str, str, str]] = field(default_factory=list)


class IdAllocator:
    """Unique synthetic ID numbers: per (birth date, sex) the next free 3-digit sequence.

    Villages are generated in separate processes, so each draws from its own share of the sequences
    (`slot` of `slots`): no two villages can hand out the same number. When a village has used its share for a
    birth date, the birth date moves on a day (the date was drawn at random anyway)."""

    def __init__(self, slot: int = 0, slots: int = 1, address: str = ADDRESS_CODE) -> None:
        self._next: dict[tuple[dt.date, int], int] = {}
        self.slot, self.slots, self.address = slot, slots, address

    def allocate(self, birth: dt.date, male: bool) -> tuple[str, dt.date]:
        parity = 1 if male else 0
        while True:
            k = self._next.get((birth, parity), 0)
            seq = parity + 2 * (self.slot + self.slots * k)
            if seq <= 999:
                break
            birth -= dt.timedelta(days=1)
        self._next[(birth, parity)] = k + 1
        body = f"{self.address}{birth:%Y%m%d}{seq:03d}"
        return body + check_character(body), birth


class CountyGenerator:
    """Draws households and members. Pure: no database access."""

    def __init__(self, seed, *, ids: IdAllocator | None = None) -> None:
        self.rng = random.Random(seed)
        self.ids = ids or IdAllocator()
        self.phones = 0

    # -- people ---------------------------------------------------------------------------------------------
    def birth_for_age(self, age: int) -> dt.date:
        return TODAY - dt.timedelta(days=age * 365 + self.rng.randrange(365))

    def name(self, surname: str, male: bool, ethnicity: str) -> str:
        if ethnicity == c.Ethnicity.TIBETAN:
            return self.rng.choice(names.TIBETAN_MALE if male else names.TIBETAN_FEMALE)
        return surname + self.rng.choice(names.GIVEN_MALE if male else names.GIVEN_FEMALE)

    def household_size(self) -> int:
        return self.rng.choices((1, 2, 3, 4, 5, 6, 7, 8), weights=(11, 19, 26, 22, 12, 6, 3, 1))[0]

    def ethnicity(self) -> str:
        return self.rng.choices((c.Ethnicity.HAN, c.Ethnicity.TIBETAN, c.Ethnicity.QIANG, c.Ethnicity.HUI,
                                 c.Ethnicity.OTHER), weights=(50, 38, 7, 4, 1))[0]

    def family(self, size: int) -> list[tuple[str, int, bool]]:
        """(relation, age, male) for each member; the head first."""
        rng = self.rng
        head_age = rng.randint(24, 86) if size > 1 else rng.randint(35, 90)
        head_male = rng.random() < 0.82
        people = [(c.Relation.HEAD, head_age, head_male)]
        if size >= 2:
            people.append((c.Relation.SPOUSE, max(20, head_age + rng.randint(-5, 4)), not head_male))
        slots = size - len(people)
        if slots and head_age > 55 and (slots >= 3 or rng.random() < 0.5):
            # three generations: a married son (or daughter) living with old parents, and grandchildren
            child_age = head_age - rng.randint(22, 32)
            people.append((c.Relation.SON, child_age, True))
            slots -= 1
            if slots:
                people.append((c.Relation.DAUGHTER_IN_LAW, child_age + rng.randint(-4, 2), False))
                slots -= 1
            for _ in range(slots):
                male = rng.random() < 0.52
                people.append((c.Relation.GRANDSON if male else c.Relation.GRANDDAUGHTER,
                               max(0, child_age - rng.randint(20, 30)), male))
        else:
            if slots and head_age < 60 and rng.random() < 0.25:
                mother = rng.random() < 0.6  # a 之父 is a man: the registry refuses a father whose ID says female
                people.append((c.Relation.MOTHER if mother else c.Relation.FATHER,
                               min(98, head_age + rng.randint(22, 32)), not mother))
                slots -= 1
            for _ in range(slots):
                male = rng.random() < 0.52
                age = max(0, head_age - rng.randint(20, 36))
                people.append((c.Relation.SON if male else c.Relation.DAUGHTER, age, male))
        return people

    def member(self, relation: str, age: int, male: bool, surname: str, ethnicity: str, poor: bool) -> dict:
        rng = self.rng
        health = c.Health.HEALTHY
        grade = ""
        chronic_risk = 0.03 + max(0, age - 40) * 0.004
        roll = rng.random()
        if roll < 0.04:
            health, grade = c.Health.DISABLED, rng.choices("1234", weights=(1, 2, 3, 4))[0]
        elif roll < 0.055:
            health = c.Health.SERIOUS
        elif roll < 0.055 + chronic_risk:
            health = c.Health.CHRONIC
        student, education = "", c.Education.JUNIOR
        if age < 3:
            education = c.Education.PRESCHOOL
        elif age < 6:
            education, student = c.Education.PRESCHOOL, c.StudentStatus.PRESCHOOL
        elif age < 12:
            education, student = c.Education.PRIMARY, c.StudentStatus.PRIMARY
        elif age < 15:
            education, student = c.Education.PRIMARY, c.StudentStatus.JUNIOR
        elif age < 18:
            education = c.Education.JUNIOR
            student = rng.choices((c.StudentStatus.SENIOR, c.StudentStatus.SECONDARY_VOCATIONAL, ""),
                                  weights=(55, 30, 15))[0]
        elif age < 23 and rng.random() < 0.4:
            education = c.Education.SENIOR
            student = rng.choice((c.StudentStatus.UNIVERSITY, c.StudentStatus.HIGHER_VOCATIONAL))
        elif age >= 60:
            education = rng.choices((c.Education.ILLITERATE, c.Education.PRIMARY, c.Education.JUNIOR),
                                    weights=(35, 45, 20))[0]
        else:
            education = rng.choices((c.Education.PRIMARY, c.Education.JUNIOR, c.Education.SENIOR,
                                     c.Education.VOCATIONAL, c.Education.COLLEGE), weights=(20, 45, 15, 10, 10))[0]
        if age < 16 or student:
            labour = c.LabourAbility.NONE
        elif health in (c.Health.SERIOUS,) or grade in ("1", "2"):
            labour = c.LabourAbility.LOST
        elif age >= 65:
            labour = c.LabourAbility.NONE if age >= 75 else c.LabourAbility.WEAK
        elif health != c.Health.HEALTHY or age >= 60:
            labour = c.LabourAbility.WEAK
        else:
            labour = rng.choices((c.LabourAbility.ORDINARY, c.LabourAbility.SKILLED), weights=(80, 20))[0]
        work_place, work_months = "", 0
        if labour in (c.LabourAbility.ORDINARY, c.LabourAbility.SKILLED) and rng.random() < 0.32:
            work_place = rng.choices((c.WorkPlace.IN_TOWNSHIP, c.WorkPlace.IN_COUNTY, c.WorkPlace.IN_PROVINCE,
                                      c.WorkPlace.OUT_OF_PROVINCE), weights=(20, 35, 30, 15))[0]
            work_months = rng.randint(4, 12)
        welfare_job = labour == c.LabourAbility.WEAK and poor and rng.random() < 0.15
        id_number, birth = self.ids.allocate(self.birth_for_age(age), male)
        if relation in MARRIED_IN:
            surname = rng.choice(names.SURNAMES)  # married into the family: another surname
        return {
            "name": self.name(surname, male, ethnicity), "relation": relation, "id_number": id_number,
            "sex": c.Sex.MALE if male else c.Sex.FEMALE, "birth_date": birth, "ethnicity": ethnicity,
            "political_status": c.PoliticalStatus.CPC if age > 25 and rng.random() < 0.06 else (
                c.PoliticalStatus.LEAGUE if 14 <= age <= 28 and rng.random() < 0.3 else c.PoliticalStatus.MASSES),
            "education": education, "student_status": student, "health": health, "disability_grade": grade,
            "labour_ability": labour, "work_place": work_place, "work_months": work_months,
            "medical_insurance": rng.random() < 0.998, "serious_illness_insurance": rng.random() < 0.98,
            "pension_insurance": age >= 16 and not student and rng.random() < 0.85,
            "dibao": False, "tekun": False,
            "public_welfare_job": welfare_job, "public_welfare_months": rng.randint(6, 12) if welfare_job else 0,
        }

    # -- households -----------------------------------------------------------------------------------------
    def phone(self) -> str:
        self.phones += 1
        return f"100{self.rng.randrange(10_000_000, 99_999_999)}"

    def income(self, members: list[dict], poor: bool, hardship: bool, year: int) -> dict:
        rng = self.rng
        n = len(members)
        workers = sum(1 for m in members if m["work_months"])
        labourers = sum(1 for m in members if m["labour_ability"] in (c.LabourAbility.ORDINARY, c.LabourAbility.SKILLED))
        median = 11_000 if poor else 14_500
        # A household keeps most of its income level from one year to the next: the later year's draw leans on
        # the first (independent draws would make a quarter of the county look like a >30% income drop).
        z = rng.gauss(0, 0.38)
        if year == INCOME_YEARS[0]:
            self._income_z = z
        else:
            z = 0.95 * self._income_z + 0.31 * z
        per_capita = math.exp(math.log(median) + z) * (1 + 0.05 * (year - 2024))
        per_capita *= 1 + 0.12 * workers - (0.25 if labourers == 0 else 0)
        # Households below the line are monitoring objects; the others sit above it (the register's promise).
        per_capita = max(per_capita, 1.1 * DEMO_LINES[year])
        if hardship:
            per_capita = rng.uniform(0.7, 1.15) * DEMO_LINES[year]
        net = Decimal(round(per_capita * n, -1))
        wage_share = min(0.85, 0.25 + 0.18 * workers) if labourers else 0.05
        transfer_share = 0.12 + (0.3 if labourers == 0 else 0) + (0.08 if poor else 0)
        property_share = 0.04
        business_share = max(0.0, 1 - wage_share - transfer_share - property_share)
        cost = Decimal(round(float(net) * business_share * 0.3, -1))
        chronic = sum(1 for m in members if m["health"] in (c.Health.CHRONIC, c.Health.SERIOUS))
        return {
            "year": year, "members_counted": n,
            "wage_income": Decimal(round(float(net) * wage_share, -1)),
            "business_income": Decimal(round(float(net) * business_share, -1)) + cost,
            "property_income": Decimal(round(float(net) * property_share, -1)),
            "transfer_income": Decimal(round(float(net) * transfer_share, -1)),
            "production_cost": cost,
            "medical_spending": Decimal(rng.randrange(500, 9000, 10) * chronic),
            "education_spending": Decimal(rng.randrange(0, 3000, 10) * sum(
                1 for m in members if m["student_status"] in (c.StudentStatus.SENIOR, c.StudentStatus.UNIVERSITY,
                                                              c.StudentStatus.HIGHER_VOCATIONAL))),
        }

    def household(self, village: Region, number: str, site_name: str) -> tuple[dict, list[dict], list[dict]]:
        rng = self.rng
        urban = village.code[9] == "0"  # 0xx: 社区 (community)
        poor = not urban and rng.random() < 0.085
        ethnicity = self.ethnicity()
        surname = rng.choice(names.SURNAMES)
        members = [self.member(rel, age, male, surname, ethnicity, poor)
                   for rel, age, male in self.family(self.household_size())]
        hardship = rng.random() < (0.06 if poor else 0.012)
        if poor and rng.random() < 0.2 or hardship and rng.random() < 0.3:
            for m in members:
                m["dibao"] = True
        if len(members) == 1 and members[0]["labour_ability"] == c.LabourAbility.NONE and rng.random() < 0.3:
            members[0]["tekun"] = True
        monitoring_type, status, identified, eliminated = "", "", "", ""
        if hardship:
            monitoring_type = (c.MonitoringType.UNSTABLE if poor else c.MonitoringType.MARGINAL) \
                if rng.random() < 0.75 else c.MonitoringType.SUDDEN_HARDSHIP
            start = rng.randrange(2021 * 12, 2026 * 12 + 9)
            identified = f"{start // 12}{start % 12 + 1:02d}"
            months_monitored = (2026 * 12 + 10) - start
            if months_monitored > 8 and rng.random() < 0.62:
                end = start + rng.randint(6, months_monitored - 1)
                eliminated = f"{end // 12}{end % 12 + 1:02d}"
                status = c.MonitoringStatus.RISK_ELIMINATED
            else:
                status = c.MonitoringStatus.RISK_OPEN
        relocated = poor and rng.random() < 0.3 or (not poor and rng.random() < 0.005)
        household = {
            "number": number, "village_id": village.code, "group": f"{rng.randint(1, 8)}组",
            "household_type": c.HouseholdType.FORMERLY_POOR if poor else c.HouseholdType.ORDINARY,
            "monitoring_type": monitoring_type, "monitoring_status": status,
            "identified_month": identified, "eliminated_month": eliminated, "phone": self.phone(),
            "housing_safety": rng.choices("ABCD", weights=(58, 37, 4, 1))[0] if not relocated else "A",
            "housing_area": Decimal(rng.randrange(60, 260)),
            "drinking_water_safe": rng.random() > 0.01, "relocated": relocated,
            "resettlement_site": site_name if relocated else "",
            "farmland_mu": Decimal(rng.randrange(0, 120)) / 10, "forest_mu": Decimal(rng.randrange(0, 300)) / 10,
            "road_type": rng.choices((c.RoadType.HARDENED, c.RoadType.GRAVEL, c.RoadType.DIRT), weights=(80, 15, 5))[0],
            "road_distance_km": Decimal(rng.randrange(0, 50)) / 10,
            "has_electricity": True, "cooperative_member": rng.random() < 0.25,
        }
        incomes = [self.income(members, poor, hardship and status == c.MonitoringStatus.RISK_OPEN, year)
                   for year in INCOME_YEARS]
        return household, members, incomes


def _village_weights(villages: list[Region], rng: random.Random) -> list[float]:
    # Communities (社区) are small in a rural registry; villages vary a lot in size.
    return [rng.lognormvariate(0, 0.5) * (0.35 if v.code[9] == "0" else 1.0) for v in villages]


# --- writing: rows straight to the database (COPY on PostgreSQL), generated on every core -------------------

def _columns(model, *, with_pk: bool) -> list:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def _converter(field, vendor: str, now):
    """A function from a generated value to what the database driver takes, without the ORM's per-value work."""
    kind = field.get_internal_type()
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        stamp = now if vendor != "sqlite" else str(now.astimezone(dt.UTC).replace(tzinfo=None))
        return lambda value: stamp
    if vendor == "sqlite" and kind == "DecimalField":
        return lambda value: None if value is None else str(value)
    if vendor == "sqlite" and kind == "DateField":
        return lambda value: None if value is None else value.isoformat()
    return lambda value: value


class _RowMaker:
    """Turns generated dicts into tuples in the table's column order; columns the generator does not set take the
    field's default (so fields added to the models later need no change here)."""

    def __init__(self, model, *, with_pk: bool, vendor: str, now) -> None:
        self.fields = _columns(model, with_pk=with_pk)
        self.names = [f.attname for f in self.fields]
        self.defaults = [f.get_default() if f.has_default() or not f.null else None for f in self.fields]
        self.convert = [_converter(f, vendor, now) for f in self.fields]

    def __call__(self, data: dict) -> tuple:
        return tuple(convert(data[name] if name in data else default)
                     for name, default, convert in zip(self.names, self.defaults, self.convert, strict=True))


@dataclass
class _VillageTask:
    seed: int
    village_code: str
    township: str
    count: int
    first_id: int  # households of this village get ids first_id, first_id + 1, ...
    slot: int
    slots: int
    vendor: str
    now: dt.datetime
    address: str = ADDRESS_CODE  # the county's 6 digits, for the synthetic ID numbers


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, dt.date):  # dates and aware datetimes: ISO 8601, which PostgreSQL reads
        return value.isoformat()
    return str(value)  # int, Decimal


def _copy_text(rows: list[tuple]) -> "CopyText":
    """Rows as one block of COPY text, made in the worker process: the process that writes then only passes bytes
    on, instead of unpickling and formatting tens of millions of values itself (which made it the bottleneck)."""
    return CopyText("".join("\t".join(map(_copy_value, row)) + "\n" for row in rows).encode(), len(rows))


@dataclass(frozen=True)
class CopyText:
    data: bytes
    rows: int

    def __len__(self) -> int:
        return self.rows


def _generate_village(task: _VillageTask) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """One village's households, members and income records as rows ready to insert (runs in a worker process):
    drawn from the village's own random stream, identifiers encrypted and indexed here. For PostgreSQL, as COPY
    text."""
    cipher = field_cipher()
    generator = CountyGenerator(f"{task.seed}:{task.village_code}",
                                ids=IdAllocator(task.slot, task.slots, task.address))
    village = Region(code=task.village_code)
    site = f"{task.township}集中安置点"
    make_household = _RowMaker(Household, with_pk=True, vendor=task.vendor, now=task.now)
    make_member = _RowMaker(Member, with_pk=False, vendor=task.vendor, now=task.now)
    make_income = _RowMaker(IncomeRecord, with_pk=False, vendor=task.vendor, now=task.now)
    households, members, incomes = [], [], []
    for n in range(1, task.count + 1):
        household, member_rows, income_rows = generator.household(village, f"{task.village_code}{n:04d}", site)
        household_id = task.first_id + n - 1
        phone = household.pop("phone")
        households.append(make_household({
            **household, "id": household_id, "phone_cipher": cipher.encrypt("phone", phone),
            "phone_digest": cipher.blind_index("phone", phone), "phone_masked": mask_phone(phone),
            "head_name": member_rows[0]["name"]}))
        for m in member_rows:
            number = m.pop("id_number")
            members.append(make_member({**m, "household_id": household_id,
                                        "id_number_cipher": cipher.encrypt("id_number", number),
                                        "id_number_digest": cipher.blind_index("id_number", number)}))
        incomes.extend(make_income({**r, "household_id": household_id}) for r in income_rows)
    if task.vendor == "postgresql":
        return _copy_text(households), _copy_text(members), _copy_text(incomes)
    return households, members, incomes


def _insert(model, rows: list[tuple], *, with_pk: bool) -> None:
    """Bulk insert: COPY on PostgreSQL, executemany on SQLite (the ORM's bulk_create spent most of the build
    turning 30 million values into SQL one by one)."""
    if not rows:
        return
    table = model._meta.db_table
    names = [f.column for f in _columns(model, with_pk=with_pk)]
    quoted = ", ".join(connection.ops.quote_name(n) for n in names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                if isinstance(rows, CopyText):
                    copy.write(rows.data)
                else:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _write_village(rows: tuple[list[tuple], list[tuple], list[tuple]], report: BuildReport) -> None:
    households, members, incomes = rows
    with transaction.atomic():
        _insert(Household, households, with_pk=True)
        _insert(Member, members, with_pk=False)
        _insert(IncomeRecord, incomes, with_pk=False)
    report.households += len(households)
    report.people += len(members)
    report.income_records += len(incomes)


def _worker_setup() -> None:
    import django

    django.setup()  # a spawned worker (Windows, macOS) starts without Django; a forked one has it already


def _generated(tasks: list[_VillageTask], workers: int):
    """Each village's rows, in village order, generated by `workers` processes (1: in this process)."""
    if workers <= 1:
        yield from map(_generate_village, tasks)
        return
    import multiprocessing

    if not connection.in_atomic_block:
        connection.close()  # reopened on the next query; a forked worker never uses (or closes) it anyway
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(workers, initializer=_worker_setup) as pool:
        yield from pool.imap(_generate_village, tasks)


def _seed_configuration() -> None:
    province = Region.objects.get(code=PROVINCE_CODE)
    for year, amount in DEMO_LINES.items():
        MonitoringLine.objects.update_or_create(region=province, year=year, defaults={
            "amount": Decimal(amount), "source": "演示数值，请按本省当年文件修改"})
    county = Region.objects.get(code=COUNTY_CODE)
    for name, short, kind, lead, villages in UNITS:
        unit, _ = Unit.objects.update_or_create(name=name, defaults={
            "short_name": short, "kind": kind, "is_lead": lead, "county": county})
        for code in villages:
            LinkedVillage.objects.get_or_create(unit=unit, village_id=code)


def _seed_users(report: BuildReport) -> None:
    for username, full_name, role, region, unit_name in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={
            "full_name": full_name, "role": role, "region_id": region,
            "unit": Unit.objects.get(name=unit_name) if unit_name else None,
            "department": "medical_insurance" if role == "department_operator" else ""})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        report.users.append((username, full_name, user.get_role_display()))


class _PhaseClock:
    """Seconds per step of the build (BuildReport.phases), so a slow build says where its time went."""

    def __init__(self, report: BuildReport, started: float) -> None:
        self.report, self.last = report, started

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.report.phases[phase] = now - self.last
        self.last = now


DEMO_STARTED, DEMO_FINISHED = "开始生成演示数据", "生成演示数据"


def demo_state() -> str:
    """"empty", "complete", "partial" (a build that was interrupted) or "other" (households not made by the demo)."""
    if not Household.objects.exists():
        return "empty"
    last = ChangeRecord.objects.filter(object_type="demo").order_by("-id").values_list("reason", flat=True).first()
    return {DEMO_FINISHED: "complete", DEMO_STARTED: "partial"}.get(last, "other")


def demo_exists() -> bool:
    return Household.objects.exists()


def demo_clear() -> None:
    """Remove registry data (for a rebuild). Users, units and regions stay."""
    with transaction.atomic():
        VillageSummary.objects.all().delete()
        IncomeRecord.objects.all().delete()
        Member.objects.all().delete()
        Household.objects.all().delete()


def demo_build(*, people: int = DEFAULT_PEOPLE, seed: int = 2022, progress=None,
               workers: int | None = None) -> BuildReport:
    """Build the synthetic county with about `people` members. Deterministic for a given seed and size, whatever
    the number of `workers` (processes generating villages; default: one per core for large builds)."""
    started = time.perf_counter()
    report = BuildReport()
    if not Region.objects.filter(code=COUNTY_CODE).exists():
        regions_load_jiuzhaigou()
    with transaction.atomic():
        _seed_configuration()
        _seed_users(report)
        demo_assistance_build(today=TODAY)
        ChangeRecord.objects.create(action=ChangeRecord.Action.CREATE, object_type="demo", object_id=str(seed),
                                    object_label="演示县", region_code=COUNTY_CODE, reason=DEMO_STARTED)
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=ADDRESS_CODE).order_by("code"))
    weights = _village_weights(villages, random.Random(seed))
    total_households = round(people / 3.3)
    scale = total_households / sum(weights)
    first_id = (Household.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    now, tasks = timezone.now(), []
    for index, village in enumerate(villages):
        count = max(3, round(weights[index] * scale))
        tasks.append(_VillageTask(seed=seed, village_code=village.code, count=count, first_id=first_id,
                                  township=village.parent.name if village.parent_id else "", slot=index,
                                  slots=len(villages), vendor=connection.vendor, now=now))
        first_id += count
    if workers is None:
        workers = (os.cpu_count() or 1) if people >= 100_000 else 1
    clock = _PhaseClock(report, started)
    # Into an empty registry the rows go in with the secondary indexes built once at the end (one transaction:
    # an interrupted build leaves no rows and the indexes as they were); into a registry that already holds
    # households (a second seed) they are kept up to date as usual.
    load = indexes_deferred(Household, Member, IncomeRecord) if first_id == 1 else contextlib.nullcontext()
    with load:
        for index, rows in enumerate(_generated(tasks, workers)):
            _write_village(rows, report)
            if progress:
                progress(index + 1, len(villages), report)
    with connection.cursor() as cursor:  # ids were given explicitly: move PostgreSQL's sequence past them
        for statement in connection.ops.sequence_reset_sql(no_style(), [Household]):
            cursor.execute(statement)
    clock.done("households")
    demo_cases_build(seed=seed)  # cases in every step, measures, contacts, visits (bangfu/demo/cases.py)
    clock.done("cases")
    village_summaries_rebuild()  # the kept figures, counted once after the bulk insert
    clock.done("summaries")
    demo_monitoring_build(seed=seed)  # a month of every department feed, and one screening run
    clock.done("monitoring")
    demo_relocation_build(seed=seed)  # sites, workshops, relocation records, employment, care visits (issue 19)
    welfare_figures_rebuild()  # the dashboards' kept 至少1人就业 and 八必访 figures, after that bulk write
    clock.done("relocation")
    refresh_planner_statistics()  # after every bulk write of the build
    clock.done("statistics")
    ChangeRecord.objects.create(action=ChangeRecord.Action.CREATE, object_type="demo", object_id=str(seed),
                                object_label=f"演示县：{report.households} 户 {report.people} 人",
                                region_code=COUNTY_CODE, after={"people": people, "seed": seed},
                                reason=DEMO_FINISHED)
    report.seconds = time.perf_counter() - started
    return report


# --- a second county beside the first ---------------------------------------------------------------------------

# The counties the demo can add beside 九寨沟县: the packaged region file (real statistical codes, 2023 release of
# the same source as jiuzhaigou.csv) and the accounts made for them.
OTHER_COUNTIES = {
    "513224": {"regions": "songpan.csv", "users": (
        ("songpan", "松潘县 监测管理员", "county_admin", "513224000000"),
        ("songpan_leader", "松潘县 县领导", "leader", "513224000000"),
        ("aba", "阿坝州 监测管理员", "prefecture_admin", "513200000000"),
    )},
}


def demo_county_state(county: str) -> str:
    """"empty" or "complete" for a county added beside the first (households under its code or none)."""
    low, high = county.ljust(12, "0"), county.ljust(12, "9")
    return "complete" if Household.objects.filter(village_id__gte=low, village_id__lte=high).exists() else "empty"


def demo_county_clear(county: str) -> None:
    """Remove one added county's registry data, warnings and runs; the first county's stay as they are."""
    from bangfu.monitoring.models import Lead, RiskWarning, ScreeningRun

    low, high = county.ljust(12, "0"), county.ljust(12, "9")
    with transaction.atomic():
        households = Household.objects.filter(village_id__gte=low, village_id__lte=high)
        Lead.objects.filter(village_id__gte=low, village_id__lte=high).delete()
        RiskWarning.objects.filter(village_id__gte=low, village_id__lte=high).delete()
        ScreeningRun.objects.filter(region_id=county.ljust(12, "0")).delete()
        VillageSummary.objects.filter(village_id__gte=low, village_id__lte=high).delete()
        IncomeRecord.objects.filter(household__in=households).delete()
        Member.objects.filter(household__in=households).delete()
        households.delete()


def demo_county_build(*, county: str, people: int, seed: int = 2022, progress=None,
                      workers: int | None = None) -> BuildReport:
    """Add a second synthetic county (`county`: 6 digits, one of OTHER_COUNTIES) beside the first, without
    touching the first county's rows: its region tree, its households (ID numbers under its own address code),
    its accounts (the county's administrator and leader, the prefecture's administrator), its village figures
    and one screening run of its own. The first county's cases, units and feeds are not copied."""
    from pathlib import Path

    from bangfu.monitoring.services import screening_run
    from bangfu.regions.services import regions_load_file
    from bangfu.reports.summaries import village_summaries_refresh_county

    spec = OTHER_COUNTIES[county]
    started = time.perf_counter()
    report = BuildReport()
    county_code = county.ljust(12, "0")
    if not Region.objects.filter(code=county_code).exists():
        regions_load_file(path=Path(__file__).parents[1] / "regions" / "data" / spec["regions"])
    with transaction.atomic():
        for username, full_name, role, region in spec["users"]:
            user, created = User.objects.get_or_create(username=username, defaults={
                "full_name": full_name, "role": role, "region_id": region})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            report.users.append((username, full_name, user.get_role_display()))
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=county).order_by("code"))
    weights = _village_weights(villages, random.Random(f"{seed}:{county}"))
    scale = round(people / 3.3) / sum(weights)
    first_id = (Household.objects.aggregate(last=Max("id"))["last"] or 0) + 1
    now, tasks = timezone.now(), []
    for index, village in enumerate(villages):
        count = max(3, round(weights[index] * scale))
        tasks.append(_VillageTask(seed=seed, village_code=village.code, count=count, first_id=first_id,
                                  township=village.parent.name if village.parent_id else "", slot=index,
                                  slots=len(villages), vendor=connection.vendor, now=now, address=county))
        first_id += count
    if workers is None:
        workers = (os.cpu_count() or 1) if people >= 100_000 else 1
    clock = _PhaseClock(report, started)
    for index, rows in enumerate(_generated(tasks, workers)):
        _write_village(rows, report)
        if progress:
            progress(index + 1, len(villages), report)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Household]):
            cursor.execute(statement)
    clock.done("households")
    village_summaries_refresh_county(county_code)
    clock.done("summaries")
    admin = User.objects.get(username=spec["users"][0][0])
    screening_run(actor=admin, county=county_code)  # its own run: its households, its rules
    clock.done("monitoring")
    ChangeRecord.objects.create(action=ChangeRecord.Action.CREATE, object_type="demo", object_id=str(seed),
                                object_label=f"演示县 {county}：{report.households} 户 {report.people} 人",
                                region_code=county_code, after={"people": people, "seed": seed, "county": county},
                                reason=DEMO_FINISHED)
    report.seconds = time.perf_counter() - started
    return report
