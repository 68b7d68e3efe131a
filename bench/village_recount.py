"""One member edit and its village recount, on a built demo county, against the village's own summary recount.

`member_update` recounts the member's village (summaries, month figures, welfare figures) inside its transaction.
Times, median of --runs, each in a transaction rolled back afterwards:
  - `member_update` of one member (a field that changes no figure),
  - the three parts of `village_summaries_refresh` for that village: summaries, months, welfare;
and prints each against the floor: `_recount([village])`, the village's summary recount (households and members
of the one village through its index), measured in the same run. On SQLite the database works inside this process,
so the CPU time (`cpu_ms`, process time) counts the queries too and holds on a loaded machine; the wall time does
not.

    BANGFU_VAR_DIR=/tmp/var-x bangfu build-demo   # or DATABASE_URL=...
    BANGFU_VAR_DIR=/tmp/var-x python bench/village_recount.py [--runs 15]
"""

import argparse
import os
import time

from bench_household_list import median_ms  # run as bench/village_recount.py: its folder is on the path


class _Rollback(Exception):
    pass


def rolled_back(function):
    from django.db import transaction

    def run():
        try:
            with transaction.atomic():
                function()
                raise _Rollback
        except _Rollback:
            pass
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    import django

    django.setup()
    from django.db.models import Count

    from bangfu.accounts.models import User
    from bangfu.registry.models import Household, Member
    from bangfu.registry.services import member_update
    from bangfu.reports.summaries import _recount, _recount_months, _recount_welfare

    admin = User.objects.get(username="admin")
    village = (Household.objects.filter(is_active=True).values("village_id").annotate(n=Count("pk"))
               .order_by("-n").first()["village_id"])
    member = Member.objects.filter(household__village_id=village, household__is_active=True).order_by("pk").first()
    households = Household.objects.filter(village_id=village, is_active=True).count()
    print(f"village {village}: {households} households; county: {Household.objects.count()} households, "
          f"{Member.objects.count()} members")

    def edit():
        member_update(actor=admin, member=Member.objects.get(pk=member.pk), data={"name": member.name + "甲"})

    floor = median_ms(rolled_back(lambda: _recount([village])), args.runs)
    floor_cpu = median_ms(rolled_back(lambda: _recount([village])), args.runs, clock=time.process_time)
    parts = {
        "member_update": rolled_back(edit),
        "summaries": rolled_back(lambda: _recount([village])),
        "months": rolled_back(lambda: _recount_months([village])),
        "welfare": rolled_back(lambda: _recount_welfare([village])),
    }
    for name, function in parts.items():
        function()  # warm
        ms, cpu = median_ms(function, args.runs), median_ms(function, args.runs, clock=time.process_time)
        print(f"{name}: ms={ms:.1f} floor_ms={floor:.1f} ratio={ms / floor:.1f}; "
              f"cpu_ms={cpu:.1f} floor_cpu_ms={floor_cpu:.1f} cpu_ratio={cpu / floor_cpu:.2f}")


if __name__ == "__main__":
    main()
