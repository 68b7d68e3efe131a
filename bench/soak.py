"""Soak: 10 people working at once against a real server and worker on the demo county.

Builds the demo county (default size) in a throw-away SQLite file (or, with DATABASE_URL and --wipe, in that
PostgreSQL database, whose contents are dropped first), starts `bangfu serve` (which keeps a `bangfu worker`
running beside it), and runs --clients clients for --minutes minutes. Each client logs in as a demo user and loops over: search the list,
open a household, edit a household (read the form, add 1 to its 住房面积, save with the version read), reveal an
ID number, and export a ledger (whole county or a township) and wait for it.

Counted:
  requests      every HTTP request made
  errors        5xx, connection failures, unexpected statuses, any "database is locked"
  failed_jobs   exports that ended failed (or never ended)
  lost_updates  saved increments missing at the end: each household's 住房面积 must equal its start plus the
                saves the server accepted (a stale save refused with 保存未成功 is a conflict, not an error)
The floor is the median of GET /healthz on the idle server, measured in the same run; the ratio compares the
median request under load with it. The last line is
  soak: requests=Q, errors=E, failed_jobs=J, lost_updates=L

With --faults, every 30-60 s (at random) it kills -9 either the background worker or one of the web server's
worker processes, and the admin clients also start screenings. The server must restart what was killed; a
request in flight in a killed web process gets no answer and is not counted as an error (nor is a save it may
have committed unanswered counted as lost); every job running at a kill must end failed or done. Then
  stuck_runs    screening runs still 进行中 and jobs still queued or running once the clients have stopped and
                the queue has had 120 s to drain, plus jobs running at a kill that did not end
  restarts      killed processes that the server replaced (a new worker, a new web worker process)
and the last line is
  soak: requests=Q, errors=E, failed_jobs=J, lost_updates=L, stuck_runs=S, restarts=K

    python bench/soak.py [--minutes 5] [--clients 10] [--port 8151] [--people N] [--wipe] [--faults]
"""

import argparse
import http.cookiejar
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from html.parser import HTMLParser

PASSWORD = "bangfu-demo-2026"
USERS = ["admin", "shuanghe", "admin", "tuanjie", "admin", "shuanghe", "zhangzha", "admin", "shuanghe", "tuanjie"]
EXPORTERS = {"admin", "shuanghe"}
TUANJIE, ZHANGZHA, SHUANGHE = "513225103213", "513225101200", "513225103000"

SETUP = """
import json
from bangfu.registry.models import Household, Member
pools = {}
for village in ("VILLAGE_A", "VILLAGE_B"):
    rows = list(Household.objects.filter(village_id=village).order_by("pk").values_list("pk", "housing_area")[:12])
    pools[village] = [[pk, str(area or 0)] for pk, area in rows]
members = {v: list(Member.objects.filter(household__village_id=v).order_by("pk").values_list("pk", flat=True)[:40])
           for v in pools}
names = list(Member.objects.filter(household__village__code__startswith="513225103").values_list("name", flat=True)[:60])
numbers = list(Household.objects.order_by("?").values_list("number", flat=True)[:60])
print(json.dumps({"pools": pools, "members": members, "names": names, "numbers": numbers}))
""".replace("VILLAGE_A", TUANJIE).replace("VILLAGE_B", ZHANGZHA)
FINAL = """
import json
from bangfu.registry.models import Household
print(json.dumps({pk: str(area or 0) for pk, area in Household.objects.filter(pk__in=PKS).values_list("pk", "housing_area")}))
"""
RUNNING_JOBS = """
import json
from bangfu.jobs.models import Job
print(json.dumps(list(Job.objects.filter(status="running").values_list("pk", flat=True))))
"""
UNFINISHED = """
import json
from bangfu.jobs.models import Job
from bangfu.monitoring.models import ScreeningRun
killed = KILLED
print(json.dumps({"runs": ScreeningRun.objects.filter(status="running").count(),
                  "jobs": Job.objects.filter(status__in=["queued", "running"]).count(),
                  "killed_unfinished": Job.objects.filter(pk__in=killed).exclude(status__in=["done", "failed"]).count(),
                  "killed_failed": Job.objects.filter(pk__in=killed, status="failed").count(),
                  "killed_done": Job.objects.filter(pk__in=killed, status="done").count(),
                  "screenings": ScreeningRun.objects.count(),
                  "screenings_failed": ScreeningRun.objects.filter(status="failed").count()}))
"""


class FormFields(HTMLParser):
    """What a browser would post for the page's forms: inputs, checked boxes, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select = None
        self._first_option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields[a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button"}:
                self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select, self._first_option = a.get("name"), None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = a.get("value", "")
                self.fields.setdefault(self._select, self._first_option)
            if "selected" in a:
                self.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = self.errors = self.failed_jobs = self.jobs = self.conflicts = self.saves = 0
        self.latencies: list[float] = []
        self.accepted: dict[int, int] = {}
        self.unanswered_saves: dict[int, int] = {}  # saves whose process was killed: committed or not
        self.samples: list[str] = []
        self.kills: list[float] = []  # when a web worker process was killed
        self.excused = 0

    def in_flight_at_kill(self, started: float) -> bool:
        """A request that was under way when a web worker process was killed (its answer died with it)."""
        now = time.time()
        with self.lock:
            return any(started - 1 <= kill <= now for kill in self.kills)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.samples) < 8:
                self.samples.append(what[:300])


class Client:
    def __init__(self, base: str, username: str, stats: Stats, data: dict, seed: int, deadline: float,
                 screens: bool = False):
        self.base, self.username, self.stats, self.data, self.deadline = base, username, stats, data, deadline
        self.screens = screens and username == "admin"
        self.rng = random.Random(seed)
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        village = ZHANGZHA if username == "zhangzha" else TUANJIE
        self.pool = [pk for pk, _area in data["pools"][village]]
        self.members = data["members"][village]
        self.location = ""

    def request(self, path: str, form: dict | None = None, headers: dict | None = None, expect=(200,)):
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        started, wall = time.perf_counter(), time.time()
        try:
            with self.opener.open(req, timeout=120) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:  # 3xx too (redirects are not followed)
            status, text = error.code, error.read()
            self.location = urllib.parse.urlparse(error.headers.get("Location", "")).path
        except Exception as error:  # connection refused/reset, timeout: the server did not answer
            with self.stats.lock:
                self.stats.requests += 1
            if self.stats.in_flight_at_kill(wall):
                with self.stats.lock:
                    self.stats.excused += 1
            else:
                self.stats.error(f"{self.username} {path}: {error!r}")
            return None, ""
        elapsed = (time.perf_counter() - started) * 1000
        text = text.decode("utf-8", "replace") if not path.endswith("/download/") else ""
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.latencies.append(elapsed)
        if status not in expect or "database is locked" in text:
            self.stats.error(f"{self.username} {'POST' if form is not None else 'GET'} {path}: {status} {text[:200]}")
        return status, text

    def csrf(self, page: str) -> str:
        parser = FormFields()
        parser.feed(page)
        return parser.fields.get("csrfmiddlewaretoken", "")

    def login(self) -> None:
        _status, page = self.request("/login/")
        self.request("/login/", {"csrfmiddlewaretoken": self.csrf(page), "username": self.username,
                                 "password": PASSWORD}, headers={"Referer": self.base + "/login/"}, expect=(302,))

    def search(self) -> None:
        term = self.rng.choice(self.data["names"] + self.data["numbers"])
        headers = {"HX-Request": "true"} if self.rng.random() < 0.5 else {}
        self.request("/households/?" + urllib.parse.urlencode({"q": term}), headers=headers)

    def view(self) -> None:
        self.request(f"/households/{self.rng.choice(self.pool)}/")

    def edit(self) -> None:
        pk = self.rng.choice(self.pool)
        status, page = self.request(f"/households/{pk}/edit/")
        if status != 200:
            return
        parser = FormFields()
        parser.feed(page)
        fields = parser.fields
        fields.pop("language", None)
        fields.pop("next", None)
        fields["housing_area"] = str(Decimal(fields.get("housing_area") or "0") + 1)
        time.sleep(self.rng.random() * 0.5)  # a person reads the form before saving
        status, page = self.request(f"/households/{pk}/edit/", fields, expect=(302, 200))
        if status is None:
            with self.stats.lock:
                self.stats.unanswered_saves[pk] = self.stats.unanswered_saves.get(pk, 0) + 1
        elif status == 302:
            with self.stats.lock:
                self.stats.saves += 1
                self.stats.accepted[pk] = self.stats.accepted.get(pk, 0) + 1
        elif status == 200:
            if "保存未成功" in page:
                with self.stats.lock:
                    self.stats.conflicts += 1
            else:
                self.stats.error(f"{self.username} edit {pk} refused: {page[page.find('error'):][:300]}")

    def reveal(self) -> None:
        status, page = self.request(f"/households/{self.rng.choice(self.pool)}/")
        if status != 200:  # no page, no form token: a person would load the page again
            return
        member = self.rng.choice(self.members)
        self.request(f"/households/members/{member}/id-number/", {"csrfmiddlewaretoken": self.csrf(page)},
                     headers={"HX-Request": "true"})

    def export(self) -> None:
        status, page = self.request("/households/")
        if status != 200:
            return
        region = "" if self.username == "admin" and self.rng.random() < 0.25 else SHUANGHE
        status, _text = self.request("/households/export/", {"csrfmiddlewaretoken": self.csrf(page), "region": region},
                                     expect=(302,))
        if status != 302:
            return
        self.wait_for_job(self.location)

    def screen(self) -> None:
        status, page = self.request("/monitoring/screening/")
        if status != 200:
            return
        status, _text = self.request("/monitoring/screening/", {"csrfmiddlewaretoken": self.csrf(page)},
                                     expect=(302,))
        if status == 302 and self.location.startswith("/jobs/"):
            self.wait_for_job(self.location)  # else refused: a screening is already queued or running

    def wait_for_job(self, job: str) -> None:
        with self.stats.lock:
            self.stats.jobs += 1
        limit = time.time() + 1800  # one worker runs exports one after another: a queue takes a while
        while time.time() < limit:
            time.sleep(1)
            status, fragment = self.request(job, headers={"HX-Request": "true"})
            if status is None or "hx-trigger" in fragment:
                continue
            if "/download/" in fragment:
                self.request(job + "download/")
                return
            if 'class="badge ok"' in fragment:  # done without a file (a screening)
                return
            break
        with self.stats.lock:
            self.stats.failed_jobs += 1
            if len(self.stats.samples) < 8:
                self.stats.samples.append(f"job {job}: {fragment[-300:] if status else 'no answer'}")

    def run(self) -> None:
        self.login()
        actions = [(self.search, 30), (self.view, 25), (self.edit, 25), (self.reveal, 15)]
        if self.username in EXPORTERS:
            actions.append((self.export, 3))
        if self.screens:
            actions.append((self.screen, 1))
        functions, weights = zip(*actions, strict=True)
        while time.time() < self.deadline:
            self.rng.choices(functions, weights)[0]()


def bangfu(env, *args, capture=True):
    result = subprocess.run([sys.executable, "-m", "bangfu.cli", *args], env=env, text=True,
                            capture_output=capture)
    if result.returncode != 0:
        raise SystemExit(f"bangfu {' '.join(args)} failed: {result.stderr[-2000:] if capture else ''}")
    return result.stdout


def children(pid: int) -> tuple[list[int], list[int]]:
    """The server's children: (background workers, web worker processes)."""
    out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    rows = [(int(line.split()[0]), line.split()[-1]) for line in out.splitlines() if line.strip()]
    return [p for p, last in rows if last == "worker"], [p for p, last in rows if last != "worker"]


class Faults:
    """Every 30-60 s, kill -9 the background worker or a web worker process, and see it replaced."""

    def __init__(self, server: subprocess.Popen, env: dict, stats: Stats, deadline: float, seed: int = 17):
        self.server, self.env, self.stats, self.deadline = server, env, stats, deadline
        self.rng = random.Random(seed)
        self.kills = self.restarts = 0
        self.killed_jobs: set[int] = set()
        self.log: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while True:
            wait = self.rng.uniform(30, 60)
            if time.time() + wait > self.deadline:
                return
            time.sleep(wait)
            workers, web = children(self.server.pid)
            what = self.rng.choice(["worker", "web"])
            if what == "worker" and workers:
                running = json.loads(bangfu(self.env, "shell", "-v0", "-c", RUNNING_JOBS).strip().splitlines()[-1])
                self.killed_jobs.update(running)
                victim, before = workers[0], workers
            elif web:
                victim, before, what = self.rng.choice(web), web, "web"
            else:
                continue
            if what == "web":
                with self.stats.lock:
                    self.stats.kills.append(time.time())
            os.kill(victim, signal.SIGKILL)
            self.kills += 1
            replaced = self.replaced(what, before, victim)
            self.restarts += replaced
            self.log.append(f"{time.strftime('%H:%M:%S')} killed {what} {victim}"
                            f"{' running jobs ' + str(running) if what == 'worker' else ''}: "
                            f"{'replaced' if replaced else 'NOT replaced'}")
            print("soak: fault:", self.log[-1], flush=True)

    def replaced(self, what: str, before: list[int], victim: int) -> bool:
        limit = time.time() + 90
        while time.time() < limit:
            workers, web = children(self.server.pid)
            now = workers if what == "worker" else web
            if victim not in now and set(now) - set(before) and len(now) >= len(before):
                return True
            time.sleep(0.5)
        return False


def wait_for(url: str, seconds: float = 120) -> None:
    limit = time.time() + seconds
    while time.time() < limit:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except Exception:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--port", type=int, default=8151)
    parser.add_argument("--people", type=int, default=None, help="demo size (default: the demo's own)")
    parser.add_argument("--wipe", action="store_true", help="with DATABASE_URL: drop everything in that database first")
    parser.add_argument("--faults", action="store_true",
                        help="kill the worker or a web worker at random every 30-60 s; admins also screen")
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="bangfu-soak-")
    env = {k: v for k, v in os.environ.items() if k != "BANGFU_TASK_BACKEND"}
    env.update(BANGFU_VAR_DIR=var, DJANGO_SETTINGS_MODULE="bangfu.settings", BANGFU_ALLOWED_HOSTS="127.0.0.1")
    if env.get("DATABASE_URL"):
        if not args.wipe:
            raise SystemExit("soak drops everything in DATABASE_URL's database: pass --wipe to confirm")
        import psycopg

        with psycopg.connect(env["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True) as db:
            db.execute("DROP SCHEMA public CASCADE")
            db.execute("CREATE SCHEMA public")
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    print(f"soak: {database}, building the demo county in {var} ...", flush=True)
    started = time.perf_counter()
    bangfu(env, "migrate", "-v0")
    bangfu(env, "build-demo", *(["--people", str(args.people)] if args.people else []))
    data = json.loads(bangfu(env, "shell", "-v0", "-c", SETUP).strip().splitlines()[-1])
    print(f"soak: built in {time.perf_counter() - started:.0f} s", flush=True)
    base = f"http://127.0.0.1:{args.port}"
    log = open(os.path.join(var, "server.log"), "w")  # noqa: SIM115 - open for the processes' lifetime
    # The server keeps a worker running beside it (and restarts it when killed).
    server = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "serve", "--port", str(args.port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    stats = Stats()
    faults = None
    unfinished = {}
    try:
        wait_for(base + "/healthz")
        floor_times = []
        for _ in range(20):
            t = time.perf_counter()
            urllib.request.urlopen(base + "/healthz", timeout=10).read()
            floor_times.append((time.perf_counter() - t) * 1000)
        deadline = time.time() + args.minutes * 60
        clients = [Client(base, USERS[i % len(USERS)], stats, data, seed=i, deadline=deadline, screens=args.faults)
                   for i in range(args.clients)]
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        if args.faults:
            faults = Faults(server, env, stats, deadline)
            faults.thread.start()
        for thread in threads:
            thread.join(args.minutes * 60 + 2400)
        if faults is not None:
            faults.thread.join(120)
            unfinished = drain(env, faults.killed_jobs)
        pks = [pk for pool in data["pools"].values() for pk, _area in pool]
        final = json.loads(bangfu(env, "shell", "-v0", "-c", FINAL.replace("PKS", json.dumps(pks))).strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(150)  # it stops its worker, which finishes the job it is running first
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    start = {pk: Decimal(area) for pool in data["pools"].values() for pk, area in pool}
    lost = 0
    for pk in start:
        extra = Decimal(final[str(pk)]) - start[pk] - stats.accepted.get(pk, 0)
        if not 0 <= extra <= stats.unanswered_saves.get(pk, 0):  # a killed process may have saved unanswered
            lost += int(abs(extra))
    for sample in stats.samples:
        print("soak: sample problem:", sample)
    p50 = statistics.median(stats.latencies) if stats.latencies else 0
    p95 = statistics.quantiles(stats.latencies, n=20)[-1] if len(stats.latencies) > 20 else p50
    floor = statistics.median(floor_times)
    print(f"soak: {database} minutes={args.minutes} clients={args.clients} saves={stats.saves} "
          f"conflicts_refused={stats.conflicts} exports={stats.jobs} p50_ms={p50:.0f} p95_ms={p95:.0f} "
          f"floor_ms={floor:.1f} ratio={p50 / floor if floor else 0:.1f}")
    if faults is None:
        print(f"soak: requests={stats.requests}, errors={stats.errors}, failed_jobs={stats.failed_jobs}, "
              f"lost_updates={lost}")
        return
    stuck = unfinished.get("runs", 0) + unfinished.get("jobs", 0) + unfinished.get("killed_unfinished", 0)
    print(f"soak: faults kills={faults.kills} jobs_running_at_kills={len(faults.killed_jobs)} "
          f"(failed {unfinished.get('killed_failed', 0)}, done {unfinished.get('killed_done', 0)}) "
          f"screenings={unfinished.get('screenings', 0)} (failed {unfinished.get('screenings_failed', 0)}) "
          f"in_flight_at_kills={stats.excused} unanswered_saves={sum(stats.unanswered_saves.values())}")
    print(f"soak: requests={stats.requests}, errors={stats.errors}, failed_jobs={stats.failed_jobs}, "
          f"lost_updates={lost}, stuck_runs={stuck}, restarts={faults.restarts}")


def drain(env: dict, killed: set[int], seconds: float = 120) -> dict:
    """Give the queue time to empty, then count what is left unfinished."""
    script = UNFINISHED.replace("KILLED", json.dumps(sorted(killed)))
    limit = time.time() + seconds
    while True:
        counts = json.loads(bangfu(env, "shell", "-v0", "-c", script).strip().splitlines()[-1])
        if (counts["runs"] == 0 and counts["jobs"] == 0) or time.time() > limit:
            return counts
        time.sleep(5)


if __name__ == "__main__":
    main()
