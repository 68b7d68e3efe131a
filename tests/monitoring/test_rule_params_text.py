"""A rule's parameters read as people read them, under the edit form's own labels (one definition of each label)."""

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


def test_the_labels_are_the_edit_forms():
    rule = Rule(code="medical_stay_oop", params={"monitored_yuan": 6000, "other_yuan": 10000}, verify_days=3)
    form = RuleForm(rule=rule)
    labels = [str(form.fields[f"param_{key}"].label) for key in rule.params]
    assert [label for label, _value in rule_params_text(rule.code, rule.params)] == labels
