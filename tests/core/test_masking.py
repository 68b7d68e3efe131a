"""Masked forms shown by default."""

import pytest

from bangfu.core.masking import mask_bank_account, mask_id_number, mask_phone


@pytest.mark.parametrize(("number", "masked"), [
    ("51322519800101123X", "513225********123X"),
    ("513225198001011234", "513225********1234"),
    ("513225800101123", "513225*****1123"),
    ("1234567890", "**********"),
    ("123", "***"),
    ("", ""),
])
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


def test_masked_id_hides_the_birth_date():
    masked = mask_id_number("51322519800101123X")
    assert "19800101" not in masked
    assert len(masked) == 18


@pytest.mark.parametrize(("phone", "masked"), [
    ("10012345678", "100****5678"),
    ("0837-7731234", "********1234"),
    ("08377731234", "083****1234"),
    ("1234", "1234"),
    ("12", "12"),
    ("", ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("account", "masked"), [
    ("6210000000001234", "************1234"),
    ("1234", "1234"),
    ("", ""),
])
def test_mask_bank_account(account, masked):
    assert mask_bank_account(account) == masked
