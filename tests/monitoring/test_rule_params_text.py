"""A rule's parameters read as people read them, under the edit form's own labels (one definition of each label)."""

import pytest

from bangfu.monitoring.forms import RuleForm
from bangfu.monitoring.models import Rule
from bangfu.monitoring.rules import rule_params_text


def test_each_kind_of_parameter_under_its_form_label():
    assert rule_params_text("medical_stay_oop", {"monitored_yuan": 6000, "other_yuan": 10000.5}) == [
        ("监测对象单次自付预警线（元）", "6,000"), ("一般农户单次自付预警线（元）", "10,000.5")]
    assert rule_params_text("medical_year_share", {"share": 0.4}) == [("占家庭纯收入比例", "40%")]
    assert rule_params_text("severe_disability", {"grades": ["1", "2"]}) == [("残疾等级", "1、2")]
    assert rule_params_text("out_of_school", {"min_age": 6, "max_age": 15}) == [
        ("最小年龄（周岁）", "6"), ("最大年龄（周岁）", "15")]
    # A key the rule does not declare, and a rule the program does not know, keep their keys.
    assert rule_params_text("medical_year_share", {"extra": 1}) == [("extra", "1")]
    assert rule_params_text("no_such_rule", {"x": 2}) == [("x", "2")]
    # In the edit form's order, whatever order the stored JSON gives (PostgreSQL's jsonb: shorter keys first).
    assert rule_params_text("medical_stay_oop", {"other_yuan": 10000, "zz": 1, "monitored_yuan": 6000}) == [
        ("监测对象单次自付预警线（元）", "6,000"), ("一般农户单次自付预警线（元）", "10,000"), ("zz", "1")]


def test_the_labels_are_the_edit_forms():
    rule = Rule(code="medical_stay_oop", params={"monitored_yuan": 6000, "other_yuan": 10000}, verify_days=3)
    form = RuleForm(rule=rule)
    labels = [str(form.fields[f"param_{key}"].label) for key in rule.params]
    assert [label for label, _value in rule_params_text(rule.code, rule.params)] == labels


def test_the_description_is_worded_with_the_thresholds_in_force():
    """One definition of each threshold: the description reads the rule's own params, so a county that moves the
    line reads its own line there (the shipped text said 6,000 and 10,000 whatever the county set)."""
    from bangfu.monitoring.rules import DEFAULT_RULES, rule_description

    assert rule_description("medical_stay_oop", {"monitored_yuan": 5000, "other_yuan": 12000}) == \
        "一次住院个人自付超过预警线：监测对象5,000元，一般农户12,000元"
    assert rule_description("medical_stay_oop", {"monitored_yuan": 6000, "other_yuan": 10000}) == \
        "一次住院个人自付超过预警线：监测对象6,000元，一般农户10,000元"  # the shipped values
    assert rule_description("out_of_school", {"min_age": 7, "max_age": 16}) == "7至16周岁义务教育阶段适龄儿童失学辍学"
    assert rule_description("unsafe_housing", {"grades": ["D"]}) == "住房安全鉴定为D级"
    assert rule_description("medical_year_share", {"share": 0.35}) == "一年医疗自付合计超过家庭纯收入的35%"
    assert rule_description("vehicle", {"ignore_types": ["摩托车", "拖拉机"]}) == "家庭成员登记有机动车（摩托车、拖拉机除外）"
    assert rule_description("medical_stay_oop", {"monitored_yuan": 5000}).endswith("一般农户10,000元")  # default
    assert rule_description("no_such_rule", {}, "县自定规则") == "县自定规则"
    # Every shipped description words with its own shipped params, leaving no placeholder behind.
    for default in DEFAULT_RULES:
        text = rule_description(default.code, default.params)
        assert "{" not in text and "}" not in text, default.code


@pytest.mark.django_db
def test_the_rule_pages_and_export_read_the_worded_description(client, county_admin):
    from django.urls import reverse

    rule = Rule.objects.get(code="medical_stay_oop", region=None)
    client.force_login(county_admin)
    client.post(reverse("monitoring:rule_edit", args=[rule.pk]), {
        "param_monitored_yuan": "5000", "param_other_yuan": "9000", "verify_days": "3", "enabled": "on",
        "reason": "县领导小组纪要"})
    listed = client.get(reverse("monitoring:rule_list")).content.decode()
    assert "监测对象5,000元，一般农户9,000元" in listed and "监测对象6,000元" not in listed
    own = Rule.objects.get(code="medical_stay_oop", region_id=county_admin.region_id)
    edit = client.get(reverse("monitoring:rule_edit", args=[own.pk])).content.decode()
    assert "监测对象5,000元，一般农户9,000元" in edit
