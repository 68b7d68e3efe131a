"""Registry fixtures: fast user creation and counting every row a registry write could leave behind."""

import pytest

from tests.support import row_counts


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fixtures create users; the production hasher would make each test pay a quarter second for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def counts():
    return row_counts
