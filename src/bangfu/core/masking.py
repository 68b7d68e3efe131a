"""Masked forms of personal data, shown everywhere by default (reveal needs permission and is logged)."""


def mask_id_number(number: str) -> str:
    """513225********123X: keeps the address code and the last four characters."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """138****1234 for mobiles; fixed lines keep the last four only."""
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return phone[:3] + "****" + phone[-4:]
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_bank_account(account: str) -> str:
    if not account:
        return ""
    return "*" * max(len(account) - 4, 0) + account[-4:]
