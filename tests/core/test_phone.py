"""Phone numbers as typed: accepted forms normalise to digits; anything else names the rule."""

import pytest

from bangfu.core.phone import PHONE_RULE, normalise_phone


@pytest.mark.parametrize(("typed", "digits"), [
    ("10012345678", "10012345678"),
    ("100 1234 5678", "10012345678"),
    ("100-1234-5678", "10012345678"),
    ("+86 100 1234 5678", "10012345678"),
    ("１００１２３４５６７８", "10012345678"),
    ("(0837) 7731234", "08377731234"),
])
def test_accepted_forms(typed, digits):
    assert normalise_phone(typed) == digits


@pytest.mark.parametrize("typed", ["", "12345", "1001234567", "100123456789", "abc", "2001234567x"])
def test_rejected_forms_name_the_rule(typed):
    with pytest.raises(ValueError, match=PHONE_RULE):
        normalise_phone(typed)
