"""The shipped warning rules (DOMAIN.md §5.3; the issue's table). Installed as `Rule` rows by a data migration and
by `rules_install_defaults()`; from then on the county edits them (thresholds, enabled) and every edit is
audited. Each code names its SQL in monitoring/engine/rules.py; the parameters here are what the SQL reads."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a rule: its label, type (int, money, share, codes) and allowed range."""

    key: str
    label: str
    type: str  # "money" (yuan), "share" (0-1), "int", "codes" (list of codes)
    low: float = 0
    high: float = 10_000_000
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleDefault:
    code: str
    name: str
    risk_type: str
    description: str  # with {key} where a parameter's value goes (rule_description)
    params: dict = field(default_factory=dict)
    specs: tuple[ParamSpec, ...] = ()
    is_exclusion: bool = False


GRADES = ("1", "2", "3", "4")
HOUSING = ("A", "B", "C", "D")

DEFAULT_RULES: tuple[RuleDefault, ...] = (
    RuleDefault("income_below_line", _("人均纯收入低于监测线"), "income",
                _("未纳入监测的农户最近年度扣除合规自付支出后人均收入低于当年监测线（信息比对疑似不符合的户不预警）"), {}),
    RuleDefault("medical_stay_oop", _("单次住院自付费用高"), "medical",
                _("一次住院个人自付超过预警线：监测对象{monitored_yuan}元，一般农户{other_yuan}元"),
                {"monitored_yuan": 6000, "other_yuan": 10000},
                (ParamSpec("monitored_yuan", _("监测对象单次自付预警线（元）"), "money", 1, 1_000_000),
                 ParamSpec("other_yuan", _("一般农户单次自付预警线（元）"), "money", 1, 1_000_000))),
    RuleDefault("medical_year_share", _("年度医疗自付占收入比例高"), "medical",
                _("一年医疗自付合计超过家庭纯收入的{share}"), {"share": 0.4},
                (ParamSpec("share", _("占家庭纯收入比例"), "share", 0.01, 5),)),
    RuleDefault("severe_disability", _("新增或升级重度残疾"), "disability",
                _("成员新办或升级为{grades}级残疾人证"), {"grades": ["1", "2"]},
                (ParamSpec("grades", _("残疾等级"), "codes", allowed=GRADES),)),
    RuleDefault("unsafe_housing", _("住房鉴定为危房"), "housing",
                _("住房安全鉴定为{grades}级"), {"grades": ["C", "D"]},
                (ParamSpec("grades", _("鉴定等级"), "codes", allowed=HOUSING),)),
    RuleDefault("out_of_school", _("义务教育阶段失学辍学"), "education",
                _("{min_age}至{max_age}周岁义务教育阶段适龄儿童失学辍学"), {"min_age": 6, "max_age": 15},
                (ParamSpec("min_age", _("最小年龄（周岁）"), "int", 3, 25),
                 ParamSpec("max_age", _("最大年龄（周岁）"), "int", 3, 25))),
    RuleDefault("no_medical_insurance", _("未参加基本医疗保险"), "insurance",
                _("家庭成员未参加城乡居民基本医疗保险"), {}),
    RuleDefault("earner_lost", _("主要劳动力死亡或患大病"), "accident",
                _("家庭主要劳动力死亡，或一次住院总费用超过大病线（{serious_illness_total_yuan}元）"), {"serious_illness_total_yuan": 50000},
                (ParamSpec("serious_illness_total_yuan", _("大病住院总费用线（元）"), "money", 1, 10_000_000),)),
    RuleDefault("no_employment_contribution", _("务工人员连续无缴费记录"), "employment",
                _("外出务工人员最近{months}个月无就业参保缴费记录"), {"months": 3},
                (ParamSpec("months", _("连续月数"), "int", 1, 24),)),
    RuleDefault("income_drop", _("家庭纯收入大幅下降"), "income",
                _("家庭纯收入比上年下降超过{share}"), {"share": 0.3},
                (ParamSpec("share", _("下降比例"), "share", 0.01, 1),)),
    RuleDefault("disaster_loss", _("灾害损失占收入比例高"), "disaster",
                _("一年灾害直接经济损失超过家庭纯收入的{share}"), {"share": 0.3},
                (ParamSpec("share", _("占家庭纯收入比例"), "share", 0.01, 5),)),
    # Exclusion comparisons (信息比对): they never suppress a warning, they mark it 疑似不符合.
    RuleDefault("payroll", _("财政供养人员"), "exclusion", _("家庭成员为财政供养人员"), {}, is_exclusion=True),
    RuleDefault("property", _("城镇商品房"), "exclusion", _("家庭成员登记有城镇商品房"), {}, is_exclusion=True),
    RuleDefault("vehicle", _("机动车"), "exclusion", _("家庭成员登记有机动车（{ignore_types}除外）"),
                {"ignore_types": ["摩托车", "三轮车", "农用车", "拖拉机"]},
                (ParamSpec("ignore_types", _("不计入的车辆类型"), "codes"),), is_exclusion=True),
    RuleDefault("business", _("市场主体登记"), "exclusion", _("家庭成员登记有企业或个体工商户"),
                {"min_capital_yuan": 0},
                (ParamSpec("min_capital_yuan", _("注册资本不低于（元）"), "money", 0, 1_000_000_000),),
                is_exclusion=True),
)

DEFAULTS_BY_CODE = {rule.code: rule for rule in DEFAULT_RULES}


def rules_install_defaults(rule_model=None) -> int:
    """Create the shipped rules that are missing (never overwrites the county's edits). Returns how many."""
    if rule_model is None:
        from bangfu.monitoring.models import Rule as rule_model
    created = 0
    # The shipped rules are the rows without a region (a region's own copies are its administrator's); an early
    # migration's model has no region yet.
    shipped = {"region": None} if any(f.name == "region" for f in rule_model._meta.fields) else {}
    for order, default in enumerate(DEFAULT_RULES):
        _, was_created = rule_model.objects.get_or_create(code=default.code, **shipped, defaults={
            "name": str(default.name), "risk_type": default.risk_type,
            "description": rule_description(default.code, default.params),
            "params": dict(default.params), "enabled": True, "is_exclusion": default.is_exclusion, "order": order})
        created += was_created
    return created


def _value_text(spec: ParamSpec | None, value) -> str:
    """One parameter's value as people read it: money with separators, a share as a percentage, codes joined
    with 、."""
    if spec is None:
        return str(value)
    if spec.type == "codes":
        return "、".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if spec.type == "share":
        return f"{float(value) * 100:g}%"
    if spec.type == "money":
        return f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return str(value)


def rule_params_text(code: str, params: dict) -> list[tuple[str, str]]:
    """A rule's parameters as people read them, under the labels the edit form gives them (ParamSpec.label), in the
    form's order (PostgreSQL's jsonb keeps keys in an order of its own). A parameter without a spec keeps its key
    and comes after."""
    specs = {spec.key: spec for spec in DEFAULTS_BY_CODE[code].specs} if code in DEFAULTS_BY_CODE else {}
    order = {key: index for index, key in enumerate(specs)}
    keys = sorted(params, key=lambda key: (order.get(key, len(order)), key))
    return [(str(specs[key].label) if key in specs else key, _value_text(specs.get(key), params[key]))
            for key in keys]


def rule_description(code: str, params: dict, stored: str = "") -> str:
    """What the rule looks for, worded with the thresholds in force (the rule's own params), so a county that
    changes 6,000 to 5,000 reads 5,000 in the description too. A rule the program does not know keeps `stored`;
    a parameter missing from `params` takes the shipped default."""
    default = DEFAULTS_BY_CODE.get(code)
    if default is None:
        return stored
    specs = {spec.key: spec for spec in default.specs}
    values = {key: _value_text(specs.get(key), value) for key, value in {**default.params, **params}.items()}
    try:
        return str(default.description).format(**values)
    except (KeyError, IndexError, ValueError):
        return stored or str(default.description)
