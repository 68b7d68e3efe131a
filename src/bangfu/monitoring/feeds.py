"""Department feeds (部门数据) as data: each kind declares its columns and the header names departments use.

A feed file's rows land in one table (`FeedRow`) with a few typed slots (two dates, five amounts in cents, two
codes, one text); each kind says which of its columns goes into which slot. One table keeps the engine's
snapshot one plain SELECT and the rules plain SQL; a new kind is a declaration here, not a new table.

Every kind has the person's ID number (matched to a member through its blind index, never stored in clear).
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

# The header names for an ID number seen in real department files; every kind accepts all of them.
ID_NUMBER_HEADERS = ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码", "身份证件号码",
                     "户主身份证号", "学生身份证号", "参保人身份证号", "患者身份证号", "残疾人身份证号", "死者身份证号")
NAME_HEADERS = ("姓名", "参保人姓名", "患者姓名", "学生姓名", "户主姓名", "残疾人姓名", "人员姓名")

TEXT, DATE, MONEY, CODE = "text", "date", "money", "code"


class Department(models.TextChoices):
    """The county departments that send files (DOMAIN.md §5.3). A department clerk (部门数据员) is bound to one and
    uploads only its kinds; the county administrator uploads any."""

    MEDICAL_INSURANCE = "medical_insurance", _("县医保局")
    CIVIL_AFFAIRS = "civil_affairs", _("县民政局")
    DISABLED_FEDERATION = "disabled_federation", _("县残联")
    HOUSING = "housing", _("县住建局")
    EDUCATION = "education", _("县教育局")
    EMERGENCY = "emergency", _("县应急管理局")
    HUMAN_RESOURCES = "human_resources", _("县人社局")
    PUBLIC_SECURITY = "public_security", _("县公安局")
    TRAFFIC_POLICE = "traffic_police", _("县公安局交警大队")
    FINANCE = "finance", _("县财政局")
    REAL_ESTATE = "real_estate", _("县不动产登记中心")
    MARKET_REGULATION = "market_regulation", _("县市场监管局")


@dataclass(frozen=True)
class FeedColumn:
    """One column of a feed kind: its key, the header shown, the synonyms accepted, its type and slot."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    type: str = TEXT
    slot: str = ""  # FeedRow field the value goes to (date1, date2, amount1..amount5, code1, code2, text)
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # for CODE: what people write → stored code

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class FeedKind:
    """A kind of department file: who sends it and what it holds. `exclusion` kinds screen people out."""

    code: str
    label: str
    department: Department
    columns: tuple[FeedColumn, ...]
    exclusion: bool = False
    # Sense checks on each row (monitoring.feed_import): (earlier, later) column pairs of dates, e.g. admission
    # before discharge; and a total with the parts it is made of, each part and their sum at most the total.
    date_order: tuple[tuple[str, str], ...] = ()
    parts: tuple[str, tuple[str, ...]] | None = None

    @property
    def all_columns(self) -> tuple[FeedColumn, ...]:
        return (FeedColumn("id_number", "身份证号", ID_NUMBER_HEADERS[1:], required=True),
                FeedColumn("name", "姓名", NAME_HEADERS[1:]), *self.columns)


YES_NO = {"是": "yes", "否": "no", "有": "yes", "无": "no", "Y": "yes", "N": "no", "1": "yes", "0": "no"}

FEED_KINDS: dict[str, FeedKind] = {kind.code: kind for kind in (
    FeedKind("medical", _("医保住院结算"), Department.MEDICAL_INSURANCE, (
        FeedColumn("admitted", "入院日期", ("入院时间", "住院日期"), DATE, "date1", required=True),
        FeedColumn("discharged", "出院日期", ("出院时间", "结算日期"), DATE, "date2", required=True),
        FeedColumn("total", "医疗总费用", ("总费用", "医疗费用总额", "住院总费用"), MONEY, "amount1", required=True),
        FeedColumn("basic", "基本医保支付", ("基本医疗保险支付", "统筹支付", "基本医保报销"), MONEY, "amount2"),
        FeedColumn("serious", "大病保险支付", ("大病保险报销", "大病支付"), MONEY, "amount3"),
        FeedColumn("aid", "医疗救助", ("医疗救助支付", "民政救助"), MONEY, "amount4"),
        FeedColumn("out_of_pocket", "个人自付", ("个人自付金额", "自付费用", "个人负担", "个人现金支付"), MONEY, "amount5",
                   required=True),
        FeedColumn("hospital", "医疗机构", ("医院名称", "定点医疗机构", "就诊机构"), TEXT, "text"),
    ), date_order=(("admitted", "discharged"),), parts=("total", ("basic", "serious", "aid", "out_of_pocket"))),
    FeedKind("civil_affairs", _("民政救助"), Department.CIVIL_AFFAIRS, (
        FeedColumn("assistance", "救助类别", ("保障类别", "救助类型", "类别"), CODE, "code1", required=True, choices={
            "低保": "dibao", "城乡低保": "dibao", "农村低保": "dibao", "特困": "tekun", "特困供养": "tekun",
            "临时救助": "temporary", "低保边缘": "dibao_edge", "孤儿": "orphan"}),
        FeedColumn("since", "批准日期", ("审批日期", "开始日期", "纳入时间"), DATE, "date1"),
        FeedColumn("amount", "救助金额", ("月保障金", "金额", "救助金额（元）"), MONEY, "amount1"),
    )),
    FeedKind("disability", _("残疾人证"), Department.DISABLED_FEDERATION, (
        FeedColumn("category", "残疾类别", ("残疾类型", "类别"), CODE, "code1", required=True, choices={
            "视力": "visual", "听力": "hearing", "言语": "speech", "肢体": "physical", "智力": "intellectual",
            "精神": "mental", "多重": "multiple"}),
        FeedColumn("grade", "残疾等级", ("等级", "残疾级别"), CODE, "code2", required=True, choices={
            "一级": "1", "二级": "2", "三级": "3", "四级": "4", "1": "1", "2": "2", "3": "3", "4": "4",
            "1级": "1", "2级": "2", "3级": "3", "4级": "4"}),
        FeedColumn("issued", "发证日期", ("办证日期", "核发日期", "评定日期"), DATE, "date1"),
    )),
    FeedKind("housing", _("住房安全鉴定"), Department.HOUSING, (
        FeedColumn("grade", "鉴定等级", ("房屋安全等级", "危房等级", "安全等级"), CODE, "code1", required=True, choices={
            "A": "A", "B": "B", "C": "C", "D": "D", "A级": "A", "B级": "B", "C级": "C", "D级": "D"}),
        FeedColumn("appraised", "鉴定日期", ("鉴定时间", "评定日期"), DATE, "date1"),
    )),
    FeedKind("education", _("学生资助与控辍保学"), Department.EDUCATION, (
        FeedColumn("status", "在校状态", ("学籍状态", "就学状态", "状态"), CODE, "code1", required=True, choices={
            "在校": "in_school", "在读": "in_school", "辍学": "dropout", "失学": "dropout", "休学": "suspended",
            "送教上门": "home_taught"}),
        FeedColumn("school", "学校", ("就读学校", "学校名称"), TEXT, "text"),
        FeedColumn("aid", "资助金额", ("资助金额（元）", "补助金额"), MONEY, "amount1"),
    )),
    FeedKind("emergency", _("灾害损失"), Department.EMERGENCY, (
        FeedColumn("disaster", "灾害类型", ("灾种", "灾害种类"), TEXT, "text"),
        FeedColumn("occurred", "受灾日期", ("发生日期", "灾害日期"), DATE, "date1"),
        FeedColumn("loss", "直接经济损失", ("损失金额", "经济损失（元）", "直接经济损失（元）"), MONEY, "amount1",
                   required=True),
    )),
    FeedKind("employment", _("就业与社保缴费"), Department.HUMAN_RESOURCES, (
        FeedColumn("month", "缴费月份", ("缴费年月", "月份"), DATE, "date1"),
        FeedColumn("employer", "工作单位", ("用工单位", "单位名称"), TEXT, "text"),
        FeedColumn("contribution", "缴费金额", ("缴费基数", "个人缴费"), MONEY, "amount1"),
    )),
    FeedKind("public_security", _("户籍变动"), Department.PUBLIC_SECURITY, (
        FeedColumn("event", "变动类型", ("变动原因", "事项", "类型"), CODE, "code1", required=True, choices={
            "死亡": "death", "死亡注销": "death", "迁出": "moved_out", "迁入": "moved_in", "出生": "birth",
            "服刑": "imprisoned"}),
        FeedColumn("date", "变动日期", ("注销日期", "登记日期", "日期"), DATE, "date1"),
    )),
    FeedKind("payroll", _("财政供养人员"), Department.FINANCE, (
        FeedColumn("employer", "工作单位", ("单位名称", "供职单位"), TEXT, "text", required=True),
    ), exclusion=True),
    FeedKind("property", _("商品房登记"), Department.REAL_ESTATE, (
        FeedColumn("location", "房屋坐落", ("坐落", "地址"), TEXT, "text", required=True),
        FeedColumn("area", "建筑面积", ("面积", "建筑面积（㎡）"), MONEY, "amount1"),
        FeedColumn("registered", "登记日期", ("登簿日期",), DATE, "date1"),
    ), exclusion=True),
    FeedKind("vehicle", _("机动车登记"), Department.TRAFFIC_POLICE, (
        FeedColumn("vehicle_type", "车辆类型", ("车型", "车辆种类"), TEXT, "text", required=True),
        FeedColumn("plate", "号牌号码", ("车牌号", "号牌"), CODE, "code1"),
        FeedColumn("registered", "登记日期", ("注册日期", "初次登记日期"), DATE, "date1"),
    ), exclusion=True),
    FeedKind("business", _("市场主体登记"), Department.MARKET_REGULATION, (
        FeedColumn("business_name", "企业名称", ("市场主体名称", "名称", "字号名称"), TEXT, "text", required=True),
        FeedColumn("capital", "注册资本", ("注册资本（元）", "出资额"), MONEY, "amount1"),
        FeedColumn("registered", "成立日期", ("登记日期",), DATE, "date1"),
    ), exclusion=True),
)}

FEED_KIND_CHOICES = [(code, kind.label) for code, kind in FEED_KINDS.items()]


def feed_kinds_for(user) -> dict[str, FeedKind]:
    """The kinds a user may upload and whose upload history they read: a department clerk its department's, who
    else may upload (the county administrator) every kind, anyone else none."""
    if user is None:  # the command line: the operator of the installation
        return dict(FEED_KINDS)
    if not user.can("monitoring.feed_upload"):
        return {}
    department = getattr(user, "department", "")
    if department:
        return {code: kind for code, kind in FEED_KINDS.items() if kind.department == department}
    from bangfu.accounts.roles import Role

    return {} if user.role == Role.DEPARTMENT_OPERATOR else dict(FEED_KINDS)
SLOTS = ("date1", "date2", "amount1", "amount2", "amount3", "amount4", "amount5", "code1", "code2", "text")
