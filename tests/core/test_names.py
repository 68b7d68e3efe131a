"""normalise_person_name: CJK (extension planes too), the middle dot, Latin letters; no emoji, digits or notes; a
length limit. Each refusal names its rule."""

import pytest

from bangfu.core.names import NAME_MAX_LENGTH, PersonNameError, normalise_person_name, unify_name_dots


@pytest.mark.parametrize(("raw", "name"), [
    ("张三", "张三"), ("𠮷田", "𠮷田"), ("䶮", "䶮"), ("王〇", "王〇"), ("扎西·多吉", "扎西·多吉"),
    ("扎西•多吉", "扎西·多吉"), ("扎西・多吉", "扎西·多吉"), ("扎西 · 多吉", "扎西·多吉"), ("扎西．多吉", "扎西·多吉"),
    ("扎西.多吉", "扎西·多吉"), ("扎西‧多吉", "扎西·多吉"), ("扎西･多吉", "扎西·多吉"), ("扎西∙多吉", "扎西·多吉"),
    ("  Tenzin  Dorje ", "Tenzin Dorje"), ("José Núñez", "José Núñez"), ("O'Brien-Smith", "O'Brien-Smith"),
    ("张" * NAME_MAX_LENGTH, "张" * NAME_MAX_LENGTH),
])
def test_accepted_names(raw, name):
    assert normalise_person_name(raw) == name


@pytest.mark.parametrize(("raw", "rule", "words"), [
    ("张三😀", "name_characters", "不能包含“😀”"), ("张三!", "name_characters", "不能包含“!”"),
    ("张3", "name_digits", "含有“3”"), ("尼玛2", "name_digits", "不能包含数字"), ("尼玛２", "name_digits", "数字"),
    ("拉姆(已故)", "name_note", "括号"), ("拉姆（已故）", "name_note", "已故或迁出的成员请做减员"),
    ("扎西【户主】", "name_note", "括号"),
    ("·扎西", "name_dot", "间隔号"), ("扎西··多吉", "name_dot", "间隔号"), ("扎西.·多吉", "name_dot", "间隔号"),
    ("", "name_required", "不能为空"), ("   ", "name_required", "不能为空"),
    ("张" * (NAME_MAX_LENGTH + 1), "name_too_long", f"最多{NAME_MAX_LENGTH}个字符，实为{NAME_MAX_LENGTH + 1}个"),
])
def test_refused_names_say_why(raw, rule, words):
    with pytest.raises(PersonNameError, match=words) as caught:
        normalise_person_name(raw)
    assert caught.value.rule == rule


def test_dots_unified_without_judging():
    assert unify_name_dots(" 扎西 • 多吉2 ") == "扎西·多吉2"
