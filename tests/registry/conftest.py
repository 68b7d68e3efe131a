"""Registry helpers: counting every row a registry write could leave behind."""

import pytest

from bangfu.audit.models import ChangeRecord, RevealRecord
from bangfu.registry.models import Household, IncomeRecord, Member


def row_counts() -> dict[str, int]:
    """How many rows each registry and audit table holds: equal before and after means nothing was written."""
    return {model.__name__: model.objects.count()
            for model in (Household, Member, IncomeRecord, ChangeRecord, RevealRecord)}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fixtures create users; the production hasher would make each test pay a quarter second for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counts():
    return row_counts
