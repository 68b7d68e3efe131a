"""Coded values of the registry, with the labels the national system's exports use."""

from django.db import models


class HouseholdType(models.TextChoices):
    FORMERLY_POOR = "formerly_poor", "脱贫户"
    ORDINARY = "ordinary", "一般农户"
    OTHER = "other", "其他"


class MonitoringType(models.TextChoices):
    NONE = "", "非监测对象"
    UNSTABLE = "unstable", "脱贫不稳定户"
    MARGINAL = "marginal", "边缘易致贫户"
    SUDDEN_HARDSHIP = "sudden_hardship", "突发严重困难户"


class MonitoringStatus(models.TextChoices):
    NOT_MONITORED = "", "未纳入监测"
    RISK_OPEN = "risk_open", "风险未消除"
    RISK_ELIMINATED = "risk_eliminated", "风险已消除"


class HousingSafety(models.TextChoices):
    UNASSESSED = "", "未鉴定"
    A = "A", "A级"
    B = "B", "B级"
    C = "C", "C级（危房）"
    D = "D", "D级（危房）"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    SON = "son", "之子"
    DAUGHTER = "daughter", "之女"
    DAUGHTER_IN_LAW = "daughter_in_law", "之儿媳"
    SON_IN_LAW = "son_in_law", "之女婿"
    GRANDSON = "grandson", "之孙子"
    GRANDDAUGHTER = "granddaughter", "之孙女"
    FATHER = "father", "之父"
    MOTHER = "mother", "之母"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    DISABILITY_CERT = "disability_cert", "残疾人证"
    OTHER = "other", "其他"


class Education(models.TextChoices):
    PRESCHOOL = "preschool", "学龄前儿童"
    ILLITERATE = "illiterate", "文盲或半文盲"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "中专"
    COLLEGE = "college", "大专及以上"


class StudentStatus(models.TextChoices):
    NONE = "", "非在校生"
    PRESCHOOL = "preschool", "学前教育"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "七年级至九年级"
    SENIOR = "senior", "普通高中"
    SECONDARY_VOCATIONAL = "secondary_vocational", "中职"
    HIGHER_VOCATIONAL = "higher_vocational", "高职"
    UNIVERSITY = "university", "本科及以上"


class Health(models.TextChoices):
    HEALTHY = "healthy", "健康"
    CHRONIC = "chronic", "长期慢性病"
    SERIOUS = "serious", "患有大病"
    DISABLED = "disabled", "残疾"


class DisabilityGrade(models.TextChoices):
    NONE = "", "无"
    GRADE_1 = "1", "一级"
    GRADE_2 = "2", "二级"
    GRADE_3 = "3", "三级"
    GRADE_4 = "4", "四级"


class LabourAbility(models.TextChoices):
    ORDINARY = "ordinary", "普通劳动力"
    SKILLED = "skilled", "技能劳动力"
    WEAK = "weak", "弱劳动力或半劳动力"
    LOST = "lost", "丧失劳动力"
    NONE = "none", "无劳动能力"


class WorkPlace(models.TextChoices):
    NONE = "", "未务工"
    IN_TOWNSHIP = "in_township", "乡镇内"
    IN_COUNTY = "in_county", "县内乡镇外"
    IN_PROVINCE = "in_province", "省内县外"
    OUT_OF_PROVINCE = "out_of_province", "省外"


class Ethnicity(models.TextChoices):
    HAN = "han", "汉族"
    TIBETAN = "tibetan", "藏族"
    QIANG = "qiang", "羌族"
    HUI = "hui", "回族"
    OTHER = "other", "其他民族"


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", "群众"
    CPC = "cpc", "中共党员"
    LEAGUE = "league", "共青团员"
    OTHER = "other", "其他"


class RoadType(models.TextChoices):
    NONE = "", "未填写"
    HARDENED = "hardened", "硬化路"
    GRAVEL = "gravel", "砂石路"
    DIRT = "dirt", "泥土路"
