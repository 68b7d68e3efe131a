import shutil

import pytest

from bangfu.core.crypto import field_cipher_reset


@pytest.fixture
def own_key(settings, tmp_path):
    """This test's own copy of the key file (the shared one serves every other test of this run)."""
    path = tmp_path / "keys" / "field-key.txt"
    path.parent.mkdir()
    shutil.copy2(settings.FIELD_KEY_FILE, path)
    settings.FIELD_KEY_FILE = path
    field_cipher_reset()
    yield path
    field_cipher_reset()
