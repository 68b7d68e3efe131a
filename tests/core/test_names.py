"""normalise_person_name: CJK (extension planes too), the middle dot, Latin letters; no emoji; a length limit."""

import pytest

from bangfu.core.names import NAME_MAX_LENGTH, normalise_person_name


@pytest.mark.parametrize(("raw", "name"), [
    ("张三", "张三"), ("𠮷田", "𠮷田"), ("䶮", "䶮"), ("王〇", "王〇"), ("扎西·多吉", "扎西·多吉"),
    ("扎西•多吉", "扎西·多吉"), ("扎西・多吉", "扎西·多吉"), ("扎西 · 多吉", "扎西·多吉"), ("  Tenzin  Dorje ", "Tenzin Dorje"),
    ("José Núñez", "José Núñez"), ("O'Brien-Smith", "O'Brien-Smith"),
])
def test_accepted_names(raw, name):
    assert normalise_person_name(raw) == name


@pytest.mark.parametrize(("raw", "words"), [
    ("张三😀", "不能包含“😀”"), ("张3", "不能包含“3”"), ("张三!", "不能包含“!”"), ("·扎西", "间隔号"), ("扎西··多吉", "间隔号"),
    ("", "不能为空"), ("   ", "不能为空"), ("张" * 60, f"最多{NAME_MAX_LENGTH}个字符，实为60个"),
])
def test_refused_names_say_why(raw, words):
    with pytest.raises(ValueError, match=words):
        normalise_person_name(raw)
