"""Coded values of the registry, with the labels the national system's exports use."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class HouseholdType(models.TextChoices):
    FORMERLY_POOR = "formerly_poor", _("脱贫户")
    ORDINARY = "ordinary", _("一般农户")
    OTHER = "other", _("其他")


class MonitoringType(models.TextChoices):
    NONE = "", _("非监测对象")
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN_HARDSHIP = "sudden_hardship", _("突发严重困难户")


class MonitoringStatus(models.TextChoices):
    NOT_MONITORED = "", _("未纳入监测")
    RISK_OPEN = "risk_open", _("风险未消除")
    RISK_ELIMINATED = "risk_eliminated", _("风险已消除")


class HousingSafety(models.TextChoices):
    UNASSESSED = "", _("未鉴定")
    A = "A", _("A级")
    B = "B", _("B级")
    C = "C", _("C级（危房）")
    D = "D", _("D级（危房）")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    DISABILITY_CERT = "disability_cert", _("残疾人证")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前儿童")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专")
    COLLEGE = "college", _("大专及以上")


class StudentStatus(models.TextChoices):
    NONE = "", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("七年级至九年级")
    SENIOR = "senior", _("普通高中")
    SECONDARY_VOCATIONAL = "secondary_vocational", _("中职")
    HIGHER_VOCATIONAL = "higher_vocational", _("高职")
    UNIVERSITY = "university", _("本科及以上")


class Health(models.TextChoices):
    HEALTHY = "healthy", pgettext_lazy("health status", "健康")  # the pages' column header is also 健康: "Health"
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class DisabilityGrade(models.TextChoices):
    NONE = "", _("无")
    GRADE_1 = "1", _("一级")
    GRADE_2 = "2", _("二级")
    GRADE_3 = "3", _("三级")
    GRADE_4 = "4", _("四级")


class LabourAbility(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动能力")


class WorkPlace(models.TextChoices):
    NONE = "", _("未务工")
    IN_TOWNSHIP = "in_township", _("乡镇内")
    IN_COUNTY = "in_county", _("县内乡镇外")
    IN_PROVINCE = "in_province", _("省内县外")
    OUT_OF_PROVINCE = "out_of_province", _("省外")


class Ethnicity(models.TextChoices):
    HAN = "han", _("汉族")
    TIBETAN = "tibetan", _("藏族")
    QIANG = "qiang", _("羌族")
    HUI = "hui", _("回族")
    OTHER = "other", _("其他民族")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("群众")
    CPC = "cpc", _("中共党员")
    LEAGUE = "league", _("共青团员")
    OTHER = "other", _("其他")


class RoadType(models.TextChoices):
    NONE = "", _("未填写")
    HARDENED = "hardened", _("硬化路")
    GRAVEL = "gravel", _("砂石路")
    DIRT = "dirt", _("泥土路")


class RemovalReason(models.TextChoices):
    """减员原因, as the national system lists them; 其他 needs a few words."""

    DEATH = "death", _("死亡")
    MARRIED_OUT = "married_out", _("婚嫁迁出")
    MOVED_OUT = "moved_out", _("户籍迁出")
    IMPRISONED = "imprisoned", _("服刑")
    OTHER = "other", _("其他")
