"""The demo's paired assistance: the six units of the story (DOMAIN.md §1) with their contacts and linked villages,
the cadres they sent, the 2021-2025 plan with targets, a believable ledger since July 2021, the 2022 joint meeting
(attendance, the county's report and needs, the plan's 征求意见稿 reviewed, each unit's report and next steps in
speaking order, cadre speeches, the year's requirements, decisions), and assessment findings under rectification.

Fixed facts of the story: the joint donation of 780,000 yuan to 九寨沟县第三小学 before the meeting, and the leaders'
visits to 勿角镇甲勿村, 双河镇团结村 and 双河镇松柏村. Everything else is [demo]: deterministic, plausible numbers.
Written directly (a loader, like the registry builder), once: a second run leaves existing data alone.
"""

import datetime as dt
import random
from decimal import Decimal

from bangfu.assistance.models import (
    AssistanceNeed,
    AssistanceRole,
    AttendanceQuota,
    Cadre,
    CadreSpeech,
    CheckIn,
    Direction,
    Donation,
    EvaluationGrade,
    Finding,
    Fund,
    JointMeeting,
    LeaderVisit,
    LeaveRequest,
    LinkedVillage,
    Plan,
    PlanComment,
    PlanTarget,
    PlanVersion,
    ProduceTrade,
    Project,
    Task,
    Training,
    Unit,
    UnitReport,
    VillageRoleHolder,
    VillageRoleRequirement,
)

COUNTY = "513225000000"
PLAN_NAME = "九寨沟县定点帮扶工作规划（2021—2025年）"
STARTED = dt.date(2021, 7, 1)
MEETING_DAY = dt.date(2022, 8, 18)  # [demo] the 2022 joint meeting
JIAWU, TUANJIE, SONGBAI = "513225105202", "513225103213", "513225103212"
SCHOOL = "九寨沟县第三小学"
JOINT = "六家帮扶单位联合捐赠九寨沟县第三小学"

# unit name -> (contact, post, share of the joint donation, items, yearly scale of its work, cadres)
PROFILES = {
    "四川省高级人民法院": ("王建国", "办公室副主任", 200_000, "台式电脑40台、打印机4台", 1.4,
                   (("李明", "seconded", "九寨沟县委常委、副县长", None), ("周海", "first_secretary", "", JIAWU),
                    ("杨帆", "work_team", "", JIAWU))),
    "四川省人民政府驻北京办事处": ("赵磊", "综合处处长", 100_000, "图书3000册、书柜20组", 0.8,
                       (("孙浩", "first_secretary", "", SONGBAI),)),
    "中国民主同盟四川省委员会": ("钱芳", "社会服务部部长", 80_000, "电热水壶120个、保温桶30个", 0.6,
                     (("吴敏", "work_team", "", "513225101200"),)),
    "成都大学": ("陈静", "对口帮扶办公室主任", 150_000, "笔记本电脑30台、投影仪6台", 1.0,
             (("刘洋", "seconded", "九寨沟县政府副县长", None), ("何磊", "first_secretary", "", TUANJIE),
              ("谢婷", "agri_technician", "", TUANJIE))),
    "成都大学附属医院": ("冯丽", "医务部副主任", 130_000, "体检设备一套、急救药箱20个", 0.9,
                 (("唐军", "work_team", "", JIAWU),)),
    "华西集团": ("蒋涛", "党群工作部部长", 120_000, "课桌椅200套", 1.2,
             (("邓强", "first_secretary", "", SONGBAI),)),
}

# Yearly base amounts [demo] (yuan or people), scaled per unit; targets sit near them so grades differ.
BASE = {
    "funds_invested": 600_000, "funds_brought_in": 1_200_000, "produce_bought": 300_000, "produce_sold": 800_000,
    "cadres_trained": 120, "technicians_trained": 60, "leader_visits": 8, "projects": 3,
}
PROJECT_NAMES = {
    Direction.INDUSTRY: ("高山蔬菜种植基地", "藏香猪养殖合作社", "青稞深加工车间", "民宿提升改造", "中药材种植示范园"),
    Direction.TALENT: ("乡村振兴带头人培育", "村医能力提升", "返乡创业孵化"),
    Direction.CULTURE: ("村史馆建设", "农家书屋更新", "锅庄广场修缮"),
    Direction.ECOLOGY: ("人居环境整治", "河道生态治理", "垃圾分类收集点"),
    Direction.ORGANISATION: ("村级活动阵地改造", "法治宣传阵地", "党员教育培训中心"),
}
PRODUCE = ("九寨沟牦牛肉", "高山青稞", "野生菌", "花椒", "高原蜂蜜", "苹果", "酥油茶")


def _villages_of(unit: Unit) -> list[str]:
    return list(unit.linked_villages.order_by("village_id").values_list("village_id", flat=True)) or [TUANJIE]


def _spread(rng: random.Random, total: Decimal, parts: int) -> list[Decimal]:
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    shares = [(total * Decimal(w / sum(weights))).quantize(Decimal(1)) for w in weights]
    shares[-1] = total - sum(shares[:-1])
    return shares


def _day(rng: random.Random, year: int, today: dt.date) -> dt.date:
    start = STARTED if year == STARTED.year else dt.date(year, 1, 1)
    end = min(dt.date(year, 12, 31), today - dt.timedelta(days=1))
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


def demo_assistance_build(*, today: dt.date, seed: int = 2022) -> bool:
    """Build the demo's assistance data if absent. Returns whether anything was written."""
    if Plan.objects.filter(county_id=COUNTY, name=PLAN_NAME).exists():
        _link_cadre_accounts()
        return False
    rng = random.Random(seed)
    units = list(Unit.objects.filter(county_id=COUNTY).order_by("-is_lead", "id"))
    _configuration()
    plan = Plan.objects.create(county_id=COUNTY, name=PLAN_NAME, start_year=2021, end_year=2025,
                               status=Plan.Status.ADOPTED, adopted_on=PLAN_ADOPTED)
    _plan_document(plan, units)
    # The plan in force now: adopted at the start of 2026, with targets for each of its years.
    current = None
    if today >= NEXT_PLAN_ADOPTED:
        current = Plan.objects.create(county_id=COUNTY, name=NEXT_PLAN_NAME, start_year=2026, end_year=2030,
                                      status=Plan.Status.ADOPTED, adopted_on=NEXT_PLAN_ADOPTED)
        PlanVersion.objects.create(plan=current, number=1, text=NEXT_PLAN_TEXT)
    years = [y for y in range(2021, today.year + 1)]
    for unit in units:
        contact, post, share, items, scale, cadres = PROFILES.get(unit.name, ("", "", 0, "", 1.0, ()))
        unit.contact_name, unit.contact_post, unit.contact_phone = contact, post, "028-8" + f"{unit.pk:07d}"
        unit.save(update_fields=["contact_name", "contact_post", "contact_phone"])
        LinkedVillage.objects.filter(unit=unit, since__isnull=True).update(since=STARTED)
        villages = _villages_of(unit)
        for name, kind, cadre_post, village in cadres:
            _cadre(rng, unit, name, kind, cadre_post, village, today)
        performance = rng.uniform(0.7, 1.1)  # how well this unit keeps to its plan
        for year in years:
            half = 0.5 if year == 2021 else 1.0  # the plan's first year starts in July
            if year <= plan.end_year:
                for key, base in BASE.items():
                    target = Decimal(max(1, round(base * scale * half, -4 if base >= 10_000 else 0)))
                    PlanTarget.objects.create(plan=plan, unit=unit, year=year, indicator=key, target=target)
            factor = scale * half * performance * rng.uniform(0.85, 1.15)
            _ledger_year(rng, unit, villages, year, factor, today)
        if current is not None:  # the new plan asks about a tenth more each year
            for year in current.years:
                growth = Decimal("1.1") ** (year - 2025)
                PlanTarget.objects.bulk_create([
                    PlanTarget(plan=current, unit=unit, year=year, indicator=key,
                               target=Decimal(max(1, round(base * scale * float(growth),
                                                           -4 if base >= 10_000 else 0))))
                    for key, base in BASE.items()])
        if share:
            Donation.objects.create(unit=unit, date=MEETING_DAY - dt.timedelta(days=1), form=Donation.Form.IN_KIND,
                                    recipient=SCHOOL, items=items, value=Decimal(share), joint_name=JOINT,
                                    note="联席会议前移交")
    _role_holders(today)
    _story_visits(units)
    _meeting(units)
    _findings(units, today)
    _link_cadre_accounts()
    return True


PLAN_ADOPTED = dt.date(2022, 10, 20)  # [demo] issued after the joint meeting reviewed the 征求意见稿
NEXT_PLAN_NAME = "九寨沟县定点帮扶工作规划（2026—2030年）"
NEXT_PLAN_ADOPTED = dt.date(2026, 1, 15)  # [demo]
PLAN_DRAFT = """一、总体要求
巩固拓展脱贫攻坚成果同乡村振兴有效衔接，守住不发生规模性返贫底线，健全防返贫监测和帮扶机制。
二、帮扶方向
坚持“四位一体”帮扶机制，从产业、人才、文化、生态、组织五个方向推进。
三、年度目标
各帮扶单位年度目标见附表（直接投入帮扶资金、引进帮扶资金、消费帮扶、培训、领导调研、帮扶项目）。
四、保障措施
牵头单位每年组织召开联席会议，督促会议决定落实。"""
NEXT_PLAN_TEXT = """一、总体要求
持续巩固拓展脱贫攻坚成果，常态化防止返贫致贫，推进乡村全面振兴。
二、重点任务
产业帮扶提质增效、人才帮扶持续下沉、文化和生态帮扶融合发展、组织帮扶夯实基层基础。
三、年度目标
各帮扶单位年度目标见附表，每年递增约一成。"""
# [demo] the county contact leader (县级联系领导) of each linked village
COUNTY_LEADERS = ("杨光明", "泽让措", "马建华", "王德明", "格西", "罗小勇")


def _plan_document(plan: Plan, units: list[Unit]) -> None:
    """The 2021-2025 plan as the county drafted it: the 征求意见稿, the units' comments, the adopted second version."""
    first = PlanVersion.objects.create(plan=plan, number=1, text=PLAN_DRAFT, note="征求意见稿")
    second = PlanVersion.objects.create(plan=plan, number=2, text=PLAN_DRAFT + "\n五、消费帮扶\n各单位购买和帮助销售县内农特产品，"
                                        "按采购额的1.5%返还受援村集体经济。", note="根据联席会议审议意见修改")
    PlanVersion.objects.filter(pk=first.pk).update(saved_at=dt.datetime(2022, 7, 20, 2, tzinfo=dt.UTC))
    PlanVersion.objects.filter(pk=second.pk).update(saved_at=dt.datetime(2022, 10, 10, 2, tzinfo=dt.UTC))
    from bangfu.accounts.models import User

    comments = {"四川省高级人民法院": "建议增加消费帮扶目标，明确农产品采购返还比例。",
                "成都大学": "建议将培训乡村振兴带头人列为单独指标。"}
    for unit in units:
        author = User.objects.filter(unit=unit).order_by("id").first()
        if unit.name in comments and author is not None:  # each unit's own account comments for it
            comment = PlanComment.objects.create(plan=plan, version=first, unit=unit, author=author,
                                                 text=comments[unit.name])
            PlanComment.objects.filter(pk=comment.pk).update(  # during the comment period, before the meeting
                created_at=dt.datetime(2022, 8, 5, 2, tzinfo=dt.UTC))


def _role_holders(today: dt.date) -> None:
    villages = sorted(set(LinkedVillage.objects.filter(unit__county_id=COUNTY).values_list("village_id", flat=True)))
    for village, name in zip(villages, COUNTY_LEADERS, strict=False):
        VillageRoleHolder.objects.create(county_id=COUNTY, village_id=village, role=AssistanceRole.COUNTY_LEADER,
                                         name=name, post="县委常委、副县长", since=STARTED)
# The demo accounts that are cadres themselves (a cadre signs in and checks in from their own home).
CADRE_ACCOUNTS = (("cadre", "成都大学", "何磊"),)


def _link_cadre_accounts() -> None:
    from bangfu.accounts.models import User

    for username, unit_name, name in CADRE_ACCOUNTS:
        account = User.objects.filter(username=username).first()
        if account is not None:
            Cadre.objects.filter(unit__name=unit_name, name=name, user__isnull=True).update(user=account)


def _configuration() -> None:
    AttendanceQuota.objects.get_or_create(county_id=COUNTY, defaults={
        "days_per_month": 20, "days_per_year": 200, "township_approves_up_to": 3})
    # [demo] 九寨沟's "四位一体" read as: an assisting unit, a work team, a first secretary, a technician.
    for role in (AssistanceRole.COUNTY_LEADER, AssistanceRole.ASSISTING_UNIT, AssistanceRole.WORK_TEAM,
                 AssistanceRole.FIRST_SECRETARY, AssistanceRole.AGRI_TECHNICIAN):
        VillageRoleRequirement.objects.get_or_create(county_id=COUNTY, role=role)
    for label, minimum in (("好", 95), ("较好", 80), ("一般", 60), ("较差", 0)):
        EvaluationGrade.objects.get_or_create(county_id=COUNTY, label=label, defaults={"min_score": minimum})


def _cadre(rng, unit, name, kind, post, village, today) -> None:
    cadre = Cadre.objects.create(unit=unit, name=name, kind=kind, post=post, village_id=village,
                                 term_start=dt.date(2023, 6, 1) if kind != "seconded" else dt.date(2021, 7, 1),
                                 term_end=dt.date(2025, 5, 31) if kind != "seconded" else dt.date(2023, 6, 30))
    if kind == "seconded":
        # The successor in the same post.
        Cadre.objects.create(unit=unit, name=rng.choice("王李张刘陈杨黄") + "晓东", kind=kind, post=post,
                             term_start=dt.date(2023, 7, 1), term_end=dt.date(2025, 6, 30))
        return
    # The current term of a resident cadre runs to 2027; the last three months' check-ins, one month short.
    cadre.term_start, cadre.term_end = dt.date(2025, 6, 1), dt.date(2027, 5, 31)
    cadre.save(update_fields=["term_start", "term_end"])
    short = rng.random() < 0.4
    day = today - dt.timedelta(days=90)
    rows = []
    while day < today:
        present = rng.random() < (0.55 if short and day.month == (today.month - 1 or 12) else 0.8)
        if present:
            rows.append(CheckIn(cadre=cadre, date=day, village_id=village,
                                log=rng.choice(("走访监测户，核实收入情况", "召开村两委会议，研究产业项目",
                                                "组织村民参加技能培训", "协调合作社农产品销售", "入户排查住房和饮水安全",
                                                "整理驻村工作台账"))))
        day += dt.timedelta(days=1)
    # The months before, from New Year (about 8 days in 10: near the 200-day quota by the autumn), drawn apart so
    # the rest of the demo stays as it was.
    earlier, day = random.Random(f"{unit.name}-{name}"), dt.date(today.year, 1, 1)
    while day < today - dt.timedelta(days=90):
        if earlier.random() < 0.8:
            rows.append(CheckIn(cadre=cadre, date=day, village_id=village, log="走访监测户，推进帮扶项目"))
        day += dt.timedelta(days=1)
    CheckIn.objects.bulk_create(rows)
    LeaveRequest.objects.create(cadre=cadre, start=today - dt.timedelta(days=20), end=today - dt.timedelta(days=19),
                                reason="家中有事", approver_level="township", status=LeaveRequest.Status.APPROVED)
    if short:
        LeaveRequest.objects.create(cadre=cadre, start=today + dt.timedelta(days=5), end=today + dt.timedelta(days=12),
                                    reason="参加派出单位培训", approver_level="county")


def _ledger_year(rng, unit, villages, year, factor, today) -> None:
    def amount(key):
        return Decimal(round(BASE[key] * factor, -2))

    def count(key):
        return max(1, round(BASE[key] * factor))

    for flow, key, sources in (("invested", "funds_invested", ("单位年度帮扶预算", "工会经费")),
                               ("brought_in", "funds_brought_in", ("对口协作企业", "社会组织捐助", "行业系统资金"))):
        for part in _spread(rng, amount(key), rng.randint(2, 4)):
            Fund.objects.create(unit=unit, date=_day(rng, year, today), flow=flow, amount=part,
                                source=rng.choice(sources), purpose=rng.choice(("产业发展", "基础设施", "助学",
                                                                                "医疗救助", "人居环境")),
                                village_id=rng.choice(villages))
    for _ in range(count("projects")):
        direction = rng.choice(Direction.values)
        Project.objects.create(unit=unit, date=_day(rng, year, today), name=rng.choice(PROJECT_NAMES[direction]),
                               direction=direction, budget=Decimal(rng.randrange(10, 80) * 10_000),
                               status="completed" if year < today.year - 1 else rng.choice(("ongoing", "completed")),
                               beneficiaries=rng.randrange(30, 600), village_id=rng.choice(villages))
    for kind, key, titles in (("grassroots_cadres", "cadres_trained", ("村两委干部能力提升培训", "基层法治培训班")),
                              ("technicians", "technicians_trained", ("高原特色种养殖技术培训", "民宿经营管理培训"))):
        for part in _spread(rng, Decimal(count(key)), 2):
            Training.objects.create(unit=unit, date=_day(rng, year, today), kind=kind, title=rng.choice(titles),
                                    participants=max(1, int(part)), village_id=rng.choice(villages))
    for kind, key in (("purchase", "produce_bought"), ("sale", "produce_sold")):
        for part in _spread(rng, amount(key), rng.randint(2, 3)):
            ProduceTrade.objects.create(unit=unit, date=_day(rng, year, today), kind=kind, product=rng.choice(PRODUCE),
                                        amount=part, counterpart=rng.choice(("九寨沟县农产品合作社", "村集体经济组织",
                                                                             "本单位职工食堂", "工会节日慰问")))
    visits = count("leader_visits")
    while visits > 0:
        people = min(visits, rng.randint(2, 4))
        village = rng.choice(villages)
        LeaderVisit.objects.create(unit=unit, date=_day(rng, year, today), leaders=f"{unit.label}分管领导等{people}人",
                                   people=people, village_id=village, place="",
                                   seen="察看产业项目和村级阵地，走访慰问困难群众")
        visits -= people


def _story_visits(units) -> None:
    """The leaders' visits of the story, the day before the meeting."""
    lead = next(u for u in units if u.is_lead)
    by_name = {u.name: u for u in units}
    for unit, village, leaders, seen in (
            (lead, JIAWU, "省法院党组书记、院长一行", "基层组织建设、公共服务和产业发展"),
            (by_name.get("成都大学", lead), TUANJIE, "成都大学党委书记一行", "村级公共服务、基础设施和群众生产生活"),
            (by_name.get("华西集团", lead), SONGBAI, "华西集团董事长一行", "基础设施建设和特色产业发展")):
        LeaderVisit.objects.create(unit=unit, date=MEETING_DAY - dt.timedelta(days=1), leaders=leaders, people=5,
                                   village_id=village, place="", seen=seen)


def _story_cadres(units) -> list[Cadre]:
    """The resident cadres of the story's first term (2021-2023), with their days in the village up to the meeting,
    who spoke at it."""
    rng = random.Random(2021)
    by_name = {u.name: u for u in units}
    lead = next(u for u in units if u.is_lead)
    cadres = []
    for unit, name, village in ((lead, "张伟", JIAWU), (by_name.get("成都大学", lead), "林晓", TUANJIE)):
        cadre = Cadre.objects.create(unit=unit, name=name, kind=Cadre.Kind.FIRST_SECRETARY, village_id=village,
                                     term_start=STARTED, term_end=dt.date(2023, 6, 30))
        day, rows = STARTED, []
        while day <= MEETING_DAY:
            if rng.random() < 0.78:
                rows.append(CheckIn(cadre=cadre, date=day, village_id=village, log="走访监测户，推进帮扶项目"))
            day += dt.timedelta(days=1)
        CheckIn.objects.bulk_create(rows)
        cadres.append(cadre)
    return cadres


REQUIREMENTS = (
    "守住不发生规模性返贫的底线",
    "落实防返贫监测和帮扶机制，做到早发现、早干预、早帮扶",
    "关心关爱脱贫群众和困难群体",
    "做好易地搬迁后续帮扶",
    "抓好考核评估发现问题整改",
    "用好“四位一体”帮扶机制，推进产业、人才、文化、生态、组织帮扶",
    "决策部署到村要“快”，工作落实要“实”，督促检查要“严”",
)
NEEDS = (  # [demo] the county's assistance needs, with the unit that took each on
    ("九寨沟县第三小学信息化教学设备更新", "四川省高级人民法院", "王建国", dt.date(2022, 8, 31), "done"),
    ("县人民医院远程会诊和专科医生进修", "成都大学附属医院", "冯丽", dt.date(2023, 12, 31), "done"),
    ("高原特色农产品进机关食堂和工会采购", "华西集团", "蒋涛", dt.date(2023, 6, 30), "done"),
    ("乡村振兴带头人和民宿经营人才培训", "成都大学", "陈静", dt.date(2026, 12, 31), "open"),
    ("村级集体经济项目引资", "", "", None, "open"),
)
UNIT_WORK = {  # [demo] what each unit told the meeting, besides its figures
    "四川省高级人民法院": "发挥牵头作用，建立联席会议和督办机制；在甲勿村建设法治宣传阵地，派驻第一书记全程参与监测帮扶。",
    "四川省人民政府驻北京办事处": "借助驻京平台举办九寨沟农特产品推介会，帮助松柏村打开销路。",
    "中国民主同盟四川省委员会": "组织盟员教师、医生到县开展送教送医，资助困难学生。",
    "成都大学": "选派挂职副县长和驻村第一书记，在团结村开展民宿经营和种养殖技术培训。",
    "成都大学附属医院": "组织专家到县义诊、带教，帮助县医院开展新技术。",
    "华西集团": "在松柏村实施基础设施项目，优先吸纳当地群众务工。",
}
UNIT_NEXT_STEPS = {  # [demo]
    "四川省高级人民法院": "继续牵头组织联席会议，督办会议决定事项；推进甲勿村法治宣传阵地和集体经济项目。",
    "四川省人民政府驻北京办事处": "利用驻京平台推介九寨沟农特产品和文旅资源，扩大消费帮扶。",
    "中国民主同盟四川省委员会": "组织盟员专家开展教育、医疗智力帮扶，办好助学项目。",
    "成都大学": "开展乡村振兴带头人专题培训，推动团结村民宿提质和农产品品牌建设。",
    "成都大学附属医院": "建立专家定期驻县坐诊机制，帮助县医院提升专科能力。",
    "华西集团": "推进松柏村基础设施项目，吸纳当地群众务工，扩大农产品采购。",
}


def _meeting(units) -> None:
    from bangfu.assistance.documents import unit_work_summary

    lead = next(u for u in units if u.is_lead)
    plan = Plan.objects.get(county_id=COUNTY, name=PLAN_NAME)
    speakers = _story_cadres(units)
    meeting = JointMeeting.objects.create(
        county_id=COUNTY, date=MEETING_DAY, place="九寨沟县委会议室", chair="省法院党组书记、院长",
        title="2022年四川省直单位定点帮扶九寨沟县联席会议",
        attendance="四川省高级人民法院：党组书记、院长，分管副院长\n四川省人民政府驻北京办事处：副主任\n"
                   "民盟四川省委：专职副主委\n成都大学：党委书记\n成都大学附属医院：院长\n华西集团：董事长\n"
                   "九寨沟县：县委书记、县长，分管副县长，县乡村振兴局局长",
        county_reporter="九寨沟县委书记",
        county_report="全县巩固拓展脱贫攻坚成果同乡村振兴有效衔接总体平稳，守住了不发生规模性返贫的底线；"
                      "文旅产业逐步恢复，特色种养殖和农产品加工仍然薄弱，部分村集体经济收入偏低，"
                      "教育、医疗等公共服务与群众期盼还有差距。",
        plan=plan,
        plan_review=f"会议书面审议了《{PLAN_NAME}》（征求意见稿），各单位原则同意，"
                    "请牵头单位汇总修改意见后按程序印发。",
        requirements="\n".join(REQUIREMENTS),
        agenda="一、县委书记通报全县乡村振兴情况和帮扶需求\n二、书面审议《定点帮扶工作规划（2021—2025年）》\n"
               "三、各帮扶单位汇报2021年7月以来工作情况及下一步打算\n四、挂职、驻村干部代表发言\n五、部署下一阶段工作",
        minutes="会议听取了九寨沟县乡村振兴情况和帮扶需求的通报，书面审议了帮扶工作规划（征求意见稿），"
                "听取了六家帮扶单位的工作汇报和挂职、驻村干部代表发言。\n"
                "会议认为，各单位帮扶工作扎实有效；会议对下一阶段工作提出了要求，明确了督办事项。",
        reports_since=STARTED)
    meeting.units.set(units)
    for position, unit in enumerate(units, start=1):
        UnitReport.objects.create(meeting=meeting, unit=unit, position=position,
                                  text=unit_work_summary(unit, STARTED, MEETING_DAY) + UNIT_WORK.get(unit.name, ""),
                                  next_steps=UNIT_NEXT_STEPS.get(unit.name, "按照规划继续推进帮扶工作。"))
    seconded = Cadre.objects.filter(unit=lead, kind=Cadre.Kind.SECONDED, term_start__lte=MEETING_DAY).first()
    for position, (cadre, text) in enumerate((
            (seconded, "挂职以来协调推进产业项目和消费帮扶，建议各单位继续加大农特产品采购力度。"),
            (speakers[0], "驻甲勿村以来走访全村农户，协助建立监测户台账，推动村集体经济项目落地。"),
            (speakers[1], "在团结村推动民宿提质和技能培训，希望学校继续派出专业教师指导。")), start=1):
        if cadre is not None:
            CadreSpeech.objects.create(meeting=meeting, cadre=cadre, text=text, position=position)
    by_name = {u.name: u for u in units}
    for need, unit_name, owner, deadline, status in NEEDS:
        AssistanceNeed.objects.create(meeting=meeting, need=need, owner_unit=by_name.get(unit_name), owner=owner,
                                      deadline=deadline, status=status, progress="已按时限落实" if status == "done" else "")
    for decision, unit, owner, deadline, status in (
            ("完善防返贫监测帮扶联动机制，每季度通报一次", lead, "王建国", dt.date(2022, 12, 31), "done"),
            ("推动九寨沟农特产品进入各单位食堂和工会采购", by_name.get("华西集团", lead), "蒋涛", dt.date(2023, 6, 30), "done"),
            ("建立帮扶单位医疗专家定期驻县坐诊机制", by_name.get("成都大学附属医院", lead), "冯丽",
             dt.date(2026, 9, 30), "open"),
            ("开展九寨沟县乡村振兴带头人专题培训", by_name.get("成都大学", lead), "陈静", dt.date(2026, 12, 31), "open")):
        Task.objects.create(meeting=meeting, decision=decision, owner_unit=unit, owner=owner, deadline=deadline,
                            status=status, progress="已完成" if status == "done" else "")


def _findings(units, today) -> None:
    by_name = {u.name: u for u in units}
    for source, found, text, unit, owner, measures, deadline, status in (
            ("national", dt.date(2023, 3, 10), "部分监测对象帮扶措施针对性不强，“一户一策”落实不到位", None, "县乡村振兴局",
             "逐户复核帮扶措施，按户制定帮扶计划", dt.date(2023, 9, 30), "signed_off"),
            ("provincial", dt.date(2025, 2, 20), "联系点村集体经济收入偏低，消费帮扶带动不足",
             by_name.get("成都大学"), "陈静", "扩大农特产品采购，引进一家加工企业", dt.date(2026, 12, 31), "open"),
            ("prefecture", dt.date(2025, 11, 5), "驻村干部在岗天数不足，考勤记录不全",
             by_name.get("华西集团"), "蒋涛", "", dt.date(2026, 6, 30), "open"),
            ("county", dt.date(2026, 4, 12), "帮扶项目资产后续管护责任不清", by_name.get("四川省高级人民法院"), "王建国",
             "明确项目资产管护主体并建立台账", dt.date(2026, 10, 31), "rectified")):
        Finding.objects.create(county_id=COUNTY, source=source, found_on=found, description=text, owner_unit=unit,
                               owner=owner, measures=measures, deadline=deadline, status=status)
