"""Shared fixtures: the packaged Jiuzhaigou tree and named users bound to different places.

- county_admin: 九寨沟县 (whole county)
- shuanghe_reviewer: 双河镇 township reviewer
- tuanjie_cadre: village cadre of 双河镇团结村
- zhangzha_cadre: village cadre of 漳扎镇漳扎村
- leader: county leader (read-only)
"""

import itertools
import os
import shutil
import subprocess
import sys

import pytest

from bangfu.accounts.models import User
from bangfu.core.id_number import make_id_number
from bangfu.regions.models import Region
from bangfu.regions.services import regions_load_jiuzhaigou

COUNTY = "513225000000"
SHUANGHE = "513225103000"
TUANJIE = "513225103213"
SONGBAI = "513225103212"
ZHANGZHA_TOWN = "513225101000"
ZHANGZHA_VILLAGE = "513225101200"

_sequence = itertools.count(1)


@pytest.fixture
def regions(db):
    regions_load_jiuzhaigou()
    return {code: Region.objects.get(code=code) for code in (COUNTY, SHUANGHE, TUANJIE, SONGBAI, ZHANGZHA_TOWN,
                                                            ZHANGZHA_VILLAGE)}


def make_user(username: str, role: str, region_code: str | None = None, unit=None, *,
              department: str | None = None) -> User:
    """A user as given; a department clerk is bound to 医保 unless another department is named."""
    if department is None:
        department = "medical_insurance" if role == "department_operator" else ""
    user = User.objects.create_user(username=username, password="pw-for-tests-1", role=role,
                                    region_id=region_code, unit=unit, full_name=username, department=department)
    return user


@pytest.fixture
def county_admin(regions):
    return make_user("county_admin", "county_admin", COUNTY)


@pytest.fixture
def shuanghe_reviewer(regions):
    return make_user("shuanghe_reviewer", "township_reviewer", SHUANGHE)


@pytest.fixture
def tuanjie_cadre(regions):
    return make_user("tuanjie_cadre", "village_cadre", TUANJIE)


@pytest.fixture
def zhangzha_cadre(regions):
    return make_user("zhangzha_cadre", "village_cadre", ZHANGZHA_VILLAGE)


@pytest.fixture
def leader(regions):
    return make_user("leader", "leader", COUNTY)


def synthetic_id(birth: str = "19800101", *, male: bool = True) -> str:
    """A fresh synthetic ID number with a valid check character and a Jiuzhaigou address code."""
    import datetime as dt

    n = next(_sequence)
    sequence = (n * 2 + (1 if male else 0)) % 1000
    born = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8])) + dt.timedelta(days=n // 400)
    return make_id_number("513225", born, sequence)


@pytest.fixture
def make_household(county_admin):
    """Create a household (with a head) through the services, as a county admin would."""
    from bangfu.registry.services import household_create, member_add
    from bangfu.reports.summaries import village_summaries_deferred

    def _make(village_code: str = TUANJIE, *, head_name: str = "测试户主", **fields):
        number = fields.pop("number", "")  # empty: the village's next number
        data = {"number": number, "village": Region.objects.get(code=village_code), **fields}
        # The household and its head in one recount of the village (as an import does), not one per write.
        with village_summaries_deferred():
            household = household_create(actor=county_admin, data=data, phone=fields.pop("phone", "10012345678"))
            member_add(actor=county_admin, household=household, data={"name": head_name, "relation": "head"},
                       id_number=synthetic_id())
        household.refresh_from_db()
        return household

    return _make


@pytest.fixture
def counts():
    """A function returning the row count of every table a registry write could touch."""
    from tests.support import row_counts

    return row_counts


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """For tests that run the real `bangfu` commands in subprocesses on a throw-away SQLite file: a function that
    fills a var folder with a freshly migrated database and its field key. The migration runs once per test
    process (a fresh `migrate` is 10-30 s on a loaded machine) and each test gets its own copy."""
    template = tmp_path_factory.mktemp("migrated-sqlite")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BANGFU_TASK_BACKEND"}}
    env.update(BANGFU_VAR_DIR=str(template), DJANGO_SETTINGS_MODULE="bangfu.settings")
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", "migrate", "-v0"], env=env, text=True,
                            capture_output=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-2000:]

    def copy_to(var_dir) -> None:
        shutil.copytree(template, var_dir, dirs_exist_ok=True)

    return copy_to
