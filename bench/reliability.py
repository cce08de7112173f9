"""`make reliability`: Transferhub under load on PostgreSQL, with a worker killed and the
database restarted during the run, and afterwards every acknowledged write looked up again.

1. A throwaway PostgreSQL cluster in bench/work/reliability/postgres (own port), `migrate`, a
   synthetic catalog of 200 projects and a scene (reliability_db.py scene): 20 open offers,
   RELIABILITY_CLIENTS people with one conversation each, an article.
2. gunicorn (RELIABILITY_WORKERS sync workers, DEBUG off) on loopback, and the load generator
   (reliability_load.py) in a second process: the clients log in through the login form, then
   read and write for RELIABILITY_SECONDS.
3. At 30 % of the run one gunicorn worker is killed with SIGKILL while it is inside a write
   transaction (found in pg_stat_activity, mapped to the worker by its socket); at 60 % the
   database is restarted (pg_ctl restart -m fast) and a probe measures how soon a page answers
   200 again.
4. reliability_db.py verify: each acknowledged write by its marker in the database, each
   record of the run known to a client, no partial records.

Writes bench/work/reliability.json and prints a summary. Exits 1 when a check fails: a 5xx
answer (the database backend waits for a restarting PostgreSQL and a request cut off before its
commit runs again: apps.core.middleware), an acknowledged write missing, a partial record, or
recovery slower than 5 s.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import postgres
from catalogs import PYTHON, ROOT, WORK, django_env, manage
from servers import Gunicorn, free_port

BENCH = Path(__file__).resolve().parent
RUN_DIR = WORK / "reliability"
RESULTS_FILE = WORK / "reliability.json"
DATABASE = "transferhub"
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "60"))
CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", "200"))
WORKERS = int(os.environ.get("RELIABILITY_WORKERS", "4"))
THINK = float(os.environ.get("RELIABILITY_THINK_SECONDS", "1.0"))
# Another settings module tries a change to the app without touching its files.
SETTINGS = os.environ.get("RELIABILITY_SETTINGS", "transferhub.settings")
PROJECTS = 200
KILL_AT, RESTART_AT = 0.3, 0.6  # fractions of the run
RECOVERY_TARGET = 5.0

started_at = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - started_at:6.1f} s] {message}", flush=True)


# PostgreSQL -----------------------------------------------------------------------------------


def pg_bin() -> Path:
    if postgres.available():
        return postgres.PGBIN
    if os.geteuid() == 0:
        say("Installing PostgreSQL with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True)
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        if found:
            return found[0]
    sys.exit("make reliability needs PostgreSQL (apt-get install -y postgresql)")


class Cluster:
    """A cluster of its own, made anew for each run, so the bench's cluster is never touched."""

    def __init__(self):
        self.bin = pg_bin()
        self.dir = RUN_DIR / "postgres"
        self.port = free_port()
        self.admin_url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def pg_ctl(self, action: str) -> None:
        postgres._as_postgres(
            f"{self.bin}/pg_ctl -D {self.dir}/data -l {self.dir}/log -w -m fast -o "
            f"'-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1' {action}"
        )

    def __enter__(self) -> "Cluster":
        import psycopg

        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        postgres._as_postgres(
            f"{self.bin}/initdb -D {self.dir}/data -A trust -E UTF8 --locale=C.UTF-8"
        )
        self.pg_ctl("start")
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")
            self.version = connection.execute("SHOW server_version").fetchone()[0]
        return self

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.pg_ctl("stop")


# gunicorn and its workers ---------------------------------------------------------------------


class AppServer(Gunicorn):
    name = "reliability-gunicorn"

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--workers") + 1] = str(WORKERS)
        return command


def workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    return [
        int(stat.parent.name)
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _parent(stat) == master
    ]


def _parent(stat: Path) -> int | None:
    try:
        return int(stat.read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def connection_owners(master: int, database_port: int) -> dict[int, int]:
    """Which gunicorn worker holds which database connection: client port -> worker pid, from
    the workers' socket file descriptors and the kernel's TCP table."""
    inodes = {}
    for pid in workers(master):
        try:
            for fd in os.scandir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    link = os.readlink(fd.path)
                    if link.startswith("socket:["):
                        inodes[link[8:-1]] = pid
        except OSError:
            continue
    owners = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, inode = fields[1], fields[2], fields[9]
                if int(remote.rsplit(":", 1)[1], 16) == database_port and inode in inodes:
                    owners[int(local.rsplit(":", 1)[1], 16)] = inodes[inode]
    return owners


# A transaction that has inserted a rate-limit hit is one of the users' writes (interest
# request, message, comment): the hit is its first write, the records follow, then COMMIT.
WRITES_IN_PROGRESS = """
    SELECT a.client_port, a.backend_xid::text, a.state, a.query
    FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
    WHERE a.datname = %s AND a.backend_xid IS NOT NULL AND a.client_port > 0
      AND l.locktype = 'relation' AND l.relation = 'core_ratelimithit'::regclass
      AND l.mode = 'RowExclusiveLock' AND l.granted
"""


def kill_worker_mid_write(cluster: Cluster, master: int, search_seconds: float) -> dict:
    """SIGKILL the gunicorn worker whose database transaction is in the middle of a user's
    write right now; then ask PostgreSQL how that transaction ended."""
    import psycopg

    found = None
    owners = connection_owners(master, cluster.port)
    deadline = time.monotonic() + search_seconds
    with psycopg.connect(cluster.url, autocommit=True) as connection:
        while found is None and time.monotonic() < deadline:
            for port, xid, state, query in connection.execute(WRITES_IN_PROGRESS, [DATABASE]):
                if port not in owners:  # a connection opened since
                    owners = connection_owners(master, cluster.port)
                pid = owners.get(port)
                if pid:
                    os.kill(pid, signal.SIGKILL)
                    found = {"pid": pid, "mid_write": True, "xid": xid, "state": state}
                    found["last_statement"] = query[:200]
                    break
            else:
                time.sleep(0.002)
        killed_at = time.time()
        if found is None:
            pid = workers(master)[0]
            os.kill(pid, signal.SIGKILL)
            found = {"pid": pid, "mid_write": False}
        found["at"] = killed_at
        if "xid" in found:
            outcome, until = "in progress", time.monotonic() + 10
            while outcome == "in progress" and time.monotonic() < until:
                outcome = connection.execute(
                    "SELECT pg_xact_status(%s::xid8)", [found["xid"]]
                ).fetchone()[0]
                time.sleep(0.05)
            found["transaction"] = outcome
    until = time.monotonic() + 30
    while time.monotonic() < until:
        current = workers(master)
        if len(current) >= WORKERS and found["pid"] not in current:
            found["replaced_after_s"] = round(time.time() - killed_at, 2)
            break
        time.sleep(0.05)
    return found


def probe(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def restart_database(cluster: Cluster, probe_url: str) -> dict:
    """Restart PostgreSQL, then fetch a page that needs the database until it answers 200.

    Under load a request waits in gunicorn's queue before a worker takes it; the same probe
    just before the restart tells how long that wait is without any fault."""
    before = time.time()
    baseline = probe(probe_url)
    began = time.time()
    cluster.pg_ctl("restart")
    back = time.time()
    probes, status = 0, None
    while time.time() - back < 60:
        probes += 1
        status = probe(probe_url)
        if status == 200:
            break
        time.sleep(0.05)
    answered = time.time()
    return {
        "began": began,
        "back": back,
        "answered": answered,
        "down_s": round(back - began, 2),
        "recovery_s": round(answered - back, 2) if status == 200 else None,
        "probes": probes,
        "probe_before_restart_s": round(began - before, 2) if baseline == 200 else None,
    }


# The run --------------------------------------------------------------------------------------


def build(cluster: Cluster, env: dict, scene: Path) -> None:
    say("migrate, cache table, static files")
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("createcachetable", "-v", "0", env=env)
    manage("collectstatic", "--no-input", "-v", "0", env=env)
    say(f"catalog of {PROJECTS} projects (generate_catalog) and the scene")
    subprocess.run(
        [str(PYTHON), "manage.py", "generate_catalog", "--projects", str(PROJECTS), "--seed", "1"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(
        [str(PYTHON), str(BENCH / "reliability_db.py"), "scene", str(scene), str(CLIENTS)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def follow(process: subprocess.Popen, window: dict, ready: threading.Event) -> None:
    for line in process.stdout:
        if line.startswith("WINDOW "):
            window["start"] = float(line.split()[1])
            ready.set()
        else:
            print(line, end="", flush=True)
    ready.set()


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def overlaps(record: list, start: float, end: float) -> bool:
    return record[0] <= end and record[1] >= start


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(share * len(values)))] * 1000)


def analyse(load: dict, kill: dict, restart: dict, verified: dict) -> dict:
    requests = load["requests"]
    window_start, window_end = load["window"]
    restart_window = (restart["began"], restart["answered"] + 1)
    kill_window = (kill["at"] - 1, kill["at"] + 1)

    def where(record: list) -> str:
        if overlaps(record, *restart_window):
            return "db_restart"
        if overlaps(record, *kill_window):
            return "worker_kill"
        return "elsewhere"

    errors = Counter(where(r) for r in requests if r[4] >= 500)
    no_answer = Counter(where(r) for r in requests if r[4] == -1)
    by_kind = {}
    for kind in sorted({r[2] for r in requests}):
        mine = [r for r in requests if r[2] == kind]
        ok = [r[1] - r[0] for r in mine if 0 < r[4] < 500]
        by_kind[kind] = {
            "requests": len(mine),
            "p50_ms": percentile(ok, 0.5),
            "p95_ms": percentile(ok, 0.95),
            "statuses": dict(Counter(str(r[4]) for r in mine)),
        }
    back = restart["back"]
    # The app answers again when a response after the database is back is a success; the
    # requests sent after that moment must all succeed (those already waiting may not).
    successes_after_back = [r[1] - back for r in requests if r[1] >= back and 0 < r[4] < 500]
    errors_sent_after_back = [r for r in requests if r[0] >= back and r[4] >= 500]
    errors_ended_after_back = [r[1] - back for r in requests if r[1] >= back and r[4] >= 500]
    writes = load["writes"]
    return {
        "requests": len(requests),
        "requests_per_second": round(len(requests) / (window_end - window_start), 1),
        "statuses": dict(Counter(str(r[4]) for r in requests)),
        "server_errors_5xx": {
            "total": sum(errors.values()),
            "db_restart_window": errors["db_restart"],
            "worker_kill_window": errors["worker_kill"],
            "elsewhere": errors["elsewhere"],
            "examples_elsewhere": [r for r in requests if r[4] >= 500 and where(r) == "elsewhere"][
                :10
            ],
        },
        "no_answer": {
            "total": sum(no_answer.values()),
            "db_restart_window": no_answer["db_restart"],
            "worker_kill_window": no_answer["worker_kill"],
            "elsewhere": no_answer["elsewhere"],
        },
        "by_kind": by_kind,
        "writes": {
            "attempted": len(writes),
            "outcomes": dict(Counter(w["outcome"] for w in writes)),
            "acknowledged": verified["acknowledged"],
            "found": verified["acknowledged_found"],
            "outcomes_in_db_restart_window": dict(
                Counter(
                    w["outcome"] for w in writes if overlaps([w["t0"], w["t1"]], *restart_window)
                )
            ),
            "by_kind": verified["by_kind"],
        },
        "db_restart": {
            "down_s": restart["down_s"],
            "recovery_s": round(min(successes_after_back), 2) if successes_after_back else None,
            "5xx_of_requests_sent_after_back": len(errors_sent_after_back),
            "last_5xx_after_back_s": round(max(errors_ended_after_back), 2)
            if errors_ended_after_back
            else None,
            "probe_s": restart["recovery_s"],
            "probes": restart["probes"],
            "probe_before_restart_s": restart["probe_before_restart_s"],
        },
        "worker_kill": {k: v for k, v in kill.items() if k != "at"}
        | {
            "requests_without_answer_then": [
                r[2:4] + r[5:7] for r in requests if r[4] == -1 and where(r) == "worker_kill"
            ]
        },
    }


def server_exceptions(log: Path) -> dict:
    """What the 500s in gunicorn's log were: the exception each traceback ends with."""
    found, last = Counter(), None
    for line in [*log.read_text(errors="replace").splitlines(), "Internal Server Error: end"]:
        if line.startswith(("Internal Server Error", "[")):
            if last:
                found[last] += 1
            last = None
            continue
        match = re.match(r"([A-Za-z_][\w.]*(?:Error|Exception|Shutdown|Timeout))(?::|$)", line)
        if match:
            last = match.group(1)
    return dict(found.most_common())


def main() -> None:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    run = secrets.token_hex(3)
    scene, load_file = RUN_DIR / "scene.json", RUN_DIR / "load.json"
    verified_file = RUN_DIR / "verified.json"
    say(
        f"Reliability run {run}: {CLIENTS} clients for {SECONDS:.0f} s, gunicorn with "
        f"{WORKERS} workers, PostgreSQL restarted and a worker killed on the way"
    )
    with Cluster() as cluster:
        say(f"PostgreSQL {cluster.version} on port {cluster.port}")
        env = django_env(cluster.url) | {
            "RATE_LIMIT_TRUSTED_PROXIES": "1",
            "DJANGO_SETTINGS_MODULE": SETTINGS,
        }
        build(cluster, env, scene)
        setup_s = time.monotonic() - started_at
        data = json.loads(scene.read_text(encoding="utf-8"))
        say(f"gunicorn with {WORKERS} workers")
        with AppServer(env) as server:
            master = server.process.pid
            probe_url = f"{server.base_url}/projekte/{data['projects'][0]['slug']}/"
            load = subprocess.Popen(
                [str(PYTHON), str(BENCH / "reliability_load.py"),
                 "--base", server.base_url, "--scene", str(scene), "--out", str(load_file),
                 "--run", run, "--clients", str(CLIENTS), "--seconds", str(SECONDS),
                 "--think", str(THINK)],
                stdout=subprocess.PIPE, text=True, cwd=ROOT,
            )  # fmt: skip
            window, ready = {}, threading.Event()
            reader = threading.Thread(target=follow, args=(load, window, ready), daemon=True)
            reader.start()
            say(f"{CLIENTS} clients log in (the login form, one password hash each)")
            ready.wait()
            if "start" not in window:
                sys.exit(f"The load generator stopped before the run (exit {load.wait()}).")
            start = window["start"]
            say(f"load runs for {SECONDS:.0f} s")
            sleep_until(start + KILL_AT * SECONDS)
            search = max(3.0, (RESTART_AT - KILL_AT) * SECONDS - 5)  # done before the restart
            kill = kill_worker_mid_write(cluster, master, search)
            say(
                f"killed gunicorn worker {kill['pid']} with SIGKILL "
                + (
                    f"inside write transaction {kill['xid']} ({kill.get('transaction')})"
                    if kill["mid_write"]
                    else "(no write in progress found)"
                )
                + f"; replaced after {kill.get('replaced_after_s')} s"
            )
            sleep_until(start + RESTART_AT * SECONDS)
            say("restarting PostgreSQL (pg_ctl restart -m fast)")
            restart = restart_database(cluster, probe_url)
            say(
                f"PostgreSQL was down {restart['down_s']} s; the site answered 200 again "
                f"{restart['recovery_s']} s after it was back (waiting in gunicorn's queue "
                "included)"
            )
            if load.wait(timeout=SECONDS + 600) != 0:
                sys.exit(f"The load generator failed (exit {load.returncode}).")
            reader.join(timeout=5)
        exceptions = server_exceptions(server.log)
        say("gunicorn stopped; looking up every write")
        subprocess.run(
            [str(PYTHON), str(BENCH / "reliability_db.py"), "verify",
             str(scene), str(load_file), str(verified_file)],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        postgres_version = cluster.version
    load_data = json.loads(load_file.read_text(encoding="utf-8"))
    verified = json.loads(verified_file.read_text(encoding="utf-8"))
    result = analyse(load_data, kill, restart, verified)
    result = {
        "run": run,
        "setup": {
            "clients": CLIENTS,
            "clients_logged_in": load_data["clients_logged_in"],
            "seconds": SECONDS,
            "think_seconds": THINK,
            "gunicorn_workers": WORKERS,
            "postgresql": postgres_version,
            "projects": PROJECTS,
            "setup_s": round(setup_s, 1),
            "login_s": load_data["login_seconds"],
        },
        **result,
        "server_log_exceptions": exceptions,
        "verified": verified,
    }
    # The write the killed worker was serving: the one whose client lost its connection then.
    lost = [
        w
        for w in load_data["writes"]
        if w["outcome"] == "transport_error" and w["t0"] <= kill["at"] <= w["t1"] + 1
    ]
    if kill["mid_write"] and len(lost) == 1:
        result["worker_kill"]["write_killed"] = {
            "marker": lost[0]["marker"],
            "client_saw": "no answer",
            "in_database": lost[0]["marker"] in verified["markers_in_database"],
        }
    result["checks"] = checks = {
        "every acknowledged write is in the database": verified["acknowledged"]
        == verified["acknowledged_found"]
        and not verified["found_but_different"],
        "no record the clients did not send, none twice": not verified["records_never_sent"]
        and not verified["records_duplicated"],
        "no partial records": not any(verified["orphans"].values()),
        "every write answered with its page or an error": "redirect_elsewhere"
        not in result["writes"]["outcomes"],
        "no 5xx, not even while the database restarts": result["server_errors_5xx"]["total"] == 0,
        "no request without answer outside the faults": result["no_answer"]["elsewhere"] == 0,
        f"recovery after the database restart < {RECOVERY_TARGET:.0f} s": result["db_restart"][
            "recovery_s"
        ]
        is not None
        and result["db_restart"]["recovery_s"] < RECOVERY_TARGET,
        "no 5xx for requests sent after the database was back": result["db_restart"][
            "5xx_of_requests_sent_after_back"
        ]
        == 0,
        "all clients logged in": load_data["clients_logged_in"] == CLIENTS,
    }
    result["total_s"] = round(time.monotonic() - started_at, 1)
    RESULTS_FILE.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    print_summary(result)
    sys.exit(0 if all(checks.values()) else 1)


def print_summary(result: dict) -> None:
    setup, errors, writes = result["setup"], result["server_errors_5xx"], result["writes"]
    kill, restart, verified = result["worker_kill"], result["db_restart"], result["verified"]
    reads = [k for k, v in result["by_kind"].items() if v["p95_ms"] is not None]
    latencies = [v["p95_ms"] for k, v in result["by_kind"].items() if k in reads]
    kinds = ", ".join(
        f"{kind} {counts['acknowledged']}/{counts['in_database']}"
        for kind, counts in writes["by_kind"].items()
    )
    lines = [
        "",
        f"Reliability ({setup['clients']} clients, {setup['seconds']:.0f} s, gunicorn "
        f"{setup['gunicorn_workers']} workers, PostgreSQL {setup['postgresql']})",
        f"  logins                          {setup['clients_logged_in']}/{setup['clients']} "
        f"in {setup['login_s']} s (before the timed run)",
        f"  requests                        {result['requests']} "
        f"({result['requests_per_second']}/s; p95 by page {min(latencies)}–{max(latencies)} ms)",
        f"  5xx                             {errors['total']}: {errors['db_restart_window']} "
        f"while the database restarted, {errors['worker_kill_window']} at the worker kill, "
        f"{errors['elsewhere']} elsewhere",
        "  exceptions in the gunicorn log  "
        + (", ".join(f"{k} {v}" for k, v in result["server_log_exceptions"].items()) or "none"),
        f"  no answer (connection lost)     {result['no_answer']['total']}: "
        f"{result['no_answer']['worker_kill_window']} at the worker kill, "
        f"{result['no_answer']['db_restart_window']} at the restart, "
        f"{result['no_answer']['elsewhere']} elsewhere",
        f"  writes acknowledged vs found    {writes['acknowledged']} / {writes['found']} ({kinds})",
        f"  writes not acknowledged         {writes['attempted'] - writes['acknowledged']} "
        f"{ {k: v for k, v in writes['outcomes'].items() if k != 'acknowledged'} }; "
        f"of these in the database: {verified['records_without_acknowledgement']}",
        f"  partial records (orphans)       {sum(verified['orphans'].values())}",
        f"  worker kill                     pid {kill['pid']} "
        + (
            f"mid-write (transaction {kill['xid']}: {kill.get('transaction')})"
            if kill["mid_write"]
            else "(no write in progress found)"
        )
        + f", replaced after {kill.get('replaced_after_s')} s"
        + (
            f"; its write {kill['write_killed']['marker']}: client saw "
            f"{kill['write_killed']['client_saw']}, in the database: "
            f"{'yes' if kill['write_killed']['in_database'] else 'no'}"
            if "write_killed" in kill
            else ""
        ),
        f"  recovery after DB restart       {restart['recovery_s']} s to the first success "
        f"(database down {restart['down_s']} s); "
        f"{restart['5xx_of_requests_sent_after_back']} 5xx for requests sent after it was back",
        f"                                  a new request: 200 after {restart['probe_s']} s "
        f"(just before the restart: {restart['probe_before_restart_s']} s, waiting in the queue)",
        "",
    ]
    lines += [f"  {'PASS' if ok else 'FAIL'}  {name}" for name, ok in result["checks"].items()]
    lines += ["", f"Details: {RESULTS_FILE.relative_to(ROOT)} ({result['total_s']} s in all)"]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main()
