"""The site as users meet it: many logged-in users at once, against the server as production runs it.

    python bench/web.py --people N [--users 20] [--seconds 60] [--port 8160] [--warmup 5]

1. Builds the N-person demo county on the configured database (DATABASE_URL, SQLite under
   var/bench/people-N/ otherwise), or reuses it when the last complete build there had the same N.
2. Starts `bangfu serve` (gunicorn worker processes on Linux, as production runs it) on --port.
3. Logs in --users users, half as the county administrator (the whole county) and half as a village cadre
   (团结村), and has each request pages without pause for --seconds: the home page, the household list at a
   random page, a search by a random member's name, a random household's page, the dashboard (统计看板: the
   county's for the administrator, the village's for the cadre, over this year) and the county map.
4. Meanwhile one more client requests a static file (served by the same workers): the floor, measured under the
   same load in the same run.
Prints p50 and p95 per page and role with the ratio to the static file's p95, the dashboard's and the map's p95
over both roles with that ratio, and as its last line
    web: p95 P ms (static p95 F ms), errors=E, requests=Q, rps=R
(P over every page request, Q page requests in --seconds, E those that failed or were not 200).
"""

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROLES = {"county": "admin", "village": "tuanjie"}
PAGES = ("home", "list", "search", "household", "dashboard", "map")
STATIC = "/static/bangfu/bangfu.css"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(people: int) -> dict:
    """Build or reuse the demo; return what the users draw from (ids, names, page counts) per role."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bangfu.accounts.models import User
    from bangfu.audit.models import ChangeRecord
    from bangfu.demo.builder import DEMO_FINISHED, demo_build, demo_clear, demo_state
    from bangfu.registry.models import Member
    from bangfu.registry.selectors import HouseholdFilter, households_paginator, households_visible_to

    call_command("migrate", verbosity=0)
    last = ChangeRecord.objects.filter(object_type="demo").order_by("-id").first()
    built_for = (last.after or {}).get("people") if last and last.reason == DEMO_FINISHED else None
    if demo_state() == "complete" and built_for == people:
        print(f"reusing the demo county built for {people:,} people", file=sys.stderr)
    else:
        if demo_state() != "empty":
            demo_clear()
        report = demo_build(people=people)
        print(f"built the demo county: {report.households:,} households, {report.people:,} people in "
              f"{report.seconds:.1f} s", file=sys.stderr)
    rng = random.Random(6)
    pools = {}
    for role, username in ROLES.items():
        user = User.objects.get(username=username)
        ids = list(households_visible_to(user).values_list("id", flat=True))
        sample_ids = rng.sample(ids, min(2000, len(ids)))
        names = list(Member.objects.filter(household_id__in=sample_ids[:300]).values_list("name", flat=True))
        pages = households_paginator(user, HouseholdFilter(), per_page=50).num_pages
        pools[role] = {"ids": sample_ids, "names": sorted(set(names)), "pages": pages, "households": len(ids)}
    connection.close()
    return pools


class User:
    """One logged-in browser: its own connection (kept alive) and cookies."""

    def __init__(self, port: int, username: str, password: str):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, body = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, _ = self.request("POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed: HTTP {status}")

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data.decode("utf-8", "replace")


def page_path(page: str, pool: dict, rng: random.Random) -> str:
    if page == "home":
        return "/"
    if page == "list":
        return f"/households/?page={rng.randint(1, max(1, pool['pages']))}"
    if page == "search":
        return "/households/?" + urllib.parse.urlencode({"q": rng.choice(pool["names"])})
    if page == "dashboard":
        return "/reports/dashboard/"
    if page == "map":
        return "/reports/map/"
    return f"/households/{rng.choice(pool['ids'])}/"


def role_of(index: int) -> str:
    return "county" if index % 2 == 0 else "village"


def run_user(index: int, user: User, pools: dict, start: float, stop: float, results: list, errors: list) -> None:
    role = role_of(index)
    rng = random.Random(index)
    turn = index
    while time.perf_counter() < stop:
        page = PAGES[turn % len(PAGES)]
        turn += 1
        path = page_path(page, pools[role], rng)
        began = time.perf_counter()
        try:
            status, _ = user.request("GET", path)
        except (http.client.HTTPException, OSError) as error:
            status = repr(error)
        ms = (time.perf_counter() - began) * 1000
        if began < start:
            continue  # warm-up
        results.append((role, page, ms))
        if status != 200:
            errors.append((path, status))


def run_static(port: int, start: float, stop: float, results: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.perf_counter() < stop:
        began = time.perf_counter()
        try:
            conn.request("GET", STATIC)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (http.client.HTTPException, OSError) as error:
            status = repr(error)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        if began >= start:
            results.append((time.perf_counter() - began) * 1000)
            if status != 200:
                errors.append((STATIC, status))
        time.sleep(0.05)  # one browser fetching assets now and then, not a second load generator


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("the server stopped while starting")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)  # also while /healthz answers 503 (the worker's first beat not yet written)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=66_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--port", type=int, default=8160)
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL", "")
    label = urllib.parse.urlparse(database).path.strip("/") if database else f"people-{args.people}"
    var_dir = ROOT / "var" / "bench" / label  # the field key must stay with the data it encrypted
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(BANGFU_VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="bangfu.settings",
                      BANGFU_ALLOWED_HOSTS="127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT / "src"))
    pools = prepare(args.people)
    from bangfu.demo.builder import DEMO_PASSWORD

    log = open(var_dir / "server.log", "w")  # noqa: SIM115 (kept open for the server's lifetime)
    server = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--port", str(args.port)],
                              env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(args.port, server)
        banner = (var_dir / "server.log").read_text(encoding="utf-8").splitlines()[:1]
        print(f"server: {' '.join(banner)}", file=sys.stderr)
        results: list[tuple[str, str, float]] = []
        static: list[float] = []
        errors: list = []
        # Log everyone in, one after another, before the clock starts (logins are not what is measured; at once,
        # the first login's password-hash upgrade would end the sessions opened beside it).
        users = [User(args.port, ROLES[role_of(i)], DEMO_PASSWORD) for i in range(args.users)]
        begin = time.perf_counter()
        start, stop = begin + args.warmup, begin + args.warmup + args.seconds
        threads = [threading.Thread(target=run_user, args=(i, users[i], pools, start, stop, results, errors),
                                    daemon=True) for i in range(args.users)]
        threads.append(threading.Thread(target=run_static, args=(args.port, start, stop, static, errors),
                                        daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + args.warmup + 300)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    static_p95 = percentile(static, 95)
    for role in ROLES:
        pool = pools[role]
        print(f"[{role}: {pool['households']:,} households, {pool['pages']:,} list pages]")
        for page in PAGES:
            times = [ms for r, p, ms in results if r == role and p == page]
            if times:
                p95 = percentile(times, 95)
                print(f"  {page:<9} n={len(times):<5} p50={statistics.median(times):7.1f} ms  p95={p95:7.1f} ms  "
                      f"ratio_to_static_p95={p95 / static_p95:6.1f}")
    for page in ("dashboard", "map"):
        times = [ms for _r, p, ms in results if p == page]
        if times:
            p95 = percentile(times, 95)
            print(f"{page}: p95 {p95:.0f} ms (static p95 {static_p95:.0f} ms), ratio={p95 / static_p95:.2f}, "
                  f"n={len(times)}")
    for path, status in errors[:5]:
        print(f"error: {path} -> {status}")
    all_ms = [ms for _r, _p, ms in results]
    print(f"web: p95 {percentile(all_ms, 95):.0f} ms (static p95 {static_p95:.0f} ms), errors={len(errors)}, "
          f"requests={len(all_ms)}, rps={len(all_ms) / args.seconds:.1f}")


if __name__ == "__main__":
    main()
