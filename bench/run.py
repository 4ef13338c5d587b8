"""`make bench`: serves the portal with gunicorn on 127.0.0.1 and measures a list of pages.

Steps: create/migrate the bench database, load the demo and `seed_scale` data, collect static
files, start gunicorn with production-like settings, wait for /healthz, then load each page in
PAGES for --duration seconds at --concurrency, and print requests/s, latency, SQL queries and
errors, each page's requests/s also as a % of the floor (a bare Django view) of the same run.
Results are also written to var/bench-results.json. See bench/README.md.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None = None  # a demo user to be logged in as; None: anonymous
    aim: bool = False  # a key page of issue #22: at least AIM_SHARE of the template floor's requests/s


# The pages measured, in this order; add one line per page. The floor comes first: every other
# page's requests/s is given as a share of it.
STATIC_IATI_COPY = "static-iati-copy"

PAGES = [
    Page("floor", "/bench/floor/"),
    # What every logged-in page pays before its own work (bench/urls.py): the session and the user,
    # then also the site's frame (base.html) around an empty page.
    Page("floor-staff", "/bench/floor/user/", user="staff"),
    Page("frame-staff", "/bench/frame/", user="staff"),
    # The reference of the key pages' aim: a login-required page, one query, a 30-line template.
    Page("template-floor", "/bench/template-floor/", user="staff"),
    # The floor with a body the size of the concept page (50 sections): what sending it costs alone.
    Page("floor-480kb", "/bench/floor/480kb/"),
    Page("healthz", "/healthz"),
    Page("projects-anon", "/projects/"),
    Page("seed-project-anon", "/projects/concept-national-migration-policy-belarus/", aim=True),
    Page("projects-staff", "/projects/", user="staff", aim=True),
    Page("dashboard-staff", "/dashboard/", user="staff", aim=True),
    Page(
        "project-dashboard-staff",
        "/projects/concept-national-migration-policy-belarus/dashboard/",
        user="staff",
        aim=True,
    ),
    Page("api-projects-staff", "/api/projects/", user="staff", aim=True),
    Page("transactions-csv-staff", "/dashboard/export/transactions.csv", user="staff"),
    # The public IATI file as a worker leaves it (bench: `write_iati_file` first), and the same bytes
    # served by whitenoise from the static files: "static-file speed" is the second's requests/s.
    Page("iati-anon", "/iati/activities.xml"),
    Page(STATIC_IATI_COPY, "/static/bench/iati-activities.xml"),
    Page("budget-manager", "/projects/concept-national-migration-policy-belarus/budget/", user="manager", aim=True),
    Page("timeline-anon", "/projects/concept-national-migration-policy-belarus/timeline/", aim=True),
    Page("results-framework-manager", "/projects/concept-national-migration-policy-belarus/results/", user="manager"),
    # {placeholders} are filled from seed_bench_concept's output: 50 sections, 500 comments.
    Page("concept-page-manager", "/concepts/{concept}/", user="manager", aim=True),
    Page("section-page-manager", "/concepts/{concept}/sections/{history_section}/", user="manager", aim=True),
    Page("history-500-versions", "/concepts/{concept}/sections/{history_section}/history/", user="manager", aim=True),
    Page(
        "compare-200kb",
        "/concepts/{concept}/sections/{big_section}/compare/?from={big_from}&to={big_to}",
        user="manager",
        aim=True,
    ),
    # Search (/search/) over the scale projects and seed_bench_search's sections (--sections, 50,000).
    Page("search-staff", "/search/?q=migration", user="staff"),
    Page("search-ru-staff", "/search/?q=%D0%BC%D0%B8%D0%B3%D1%80%D0%B0%D0%BD%D1%82", user="staff"),  # «мигрант»
    Page("search-nothing-staff", "/search/?q=zzqxnothing", user="staff"),
    Page("search-sections-staff", "/search/?q=migration&kind=section&page=3", user="staff"),
    Page("search-manager", "/search/?q=migration", user="manager"),
    Page("search-anon", "/search/?q=migration"),
    # A scale project's results (seed_bench_results: 20 indicators × 8 periods with targets and approved
    # updates on every scale project): the framework page and the results on its dashboard.
    # seed_bench_report: an approved report over the seed project's whole period (frozen figures, a
    # narrative in both languages). Its page, and its PDF rendered in the request as a worker does.
    Page("report-page-manager", "/projects/{report_project}/reports/{report}/", user="manager"),
    Page("report-pdf-render-manager", "/bench/report-pdf/{report_project}/{report}/", user="manager"),
    Page("results-framework-scale-staff", "/projects/scale-00001/results/", user="staff", aim=True),
    Page("project-dashboard-scale-staff", "/projects/scale-00001/dashboard/", user="staff", aim=True),
]
FLOOR = "floor"
TEMPLATE_FLOOR = "template-floor"
AIM_SHARE = 50  # % of the template floor's requests/s that every key page should reach (issue #22)
FLOOR_AGAIN = "floor-again"  # the floor measured once more at the end, to show drift during the run

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DEFAULT_SQLITE = VAR_DIR / "bench.sqlite3"
RESULTS_FILE = VAR_DIR / "bench-results.json"
GUNICORN_LOG = VAR_DIR / "bench-gunicorn.log"
STATIC_ROOT = VAR_DIR / "bench-staticfiles"
HOST = "127.0.0.1"  # the only address the bench ever sends requests to

REQUEST_TIMEOUT = 30  # seconds, per request
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer /healthz
COMMAND_TIMEOUT = 1800  # seconds for each management command (seed_scale at 10,000 projects takes about 15 min)
WARMUP_SECONDS = 1.0
WARMUP_MAX_REQUESTS = 400


class BenchError(Exception):
    pass


# --- load generators ---------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int = 0  # responses received, whatever their status
    errors: int = 0  # non-2xx responses and failed requests
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, of received responses
    queries: list[int] = field(default_factory=list)  # X-Query-Count of each response
    statuses: dict[int, int] = field(default_factory=dict)
    p50: float | None = None  # wrk computes these itself
    p95: float | None = None

    def percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


class _Closed(Exception):
    """The server closed the connection."""


class _Connection:
    """A minimal HTTP/1.1 client for GET on 127.0.0.1: keep-alive when the server allows it.

    Much lighter than http.client (whose header parsing would make the generator the
    bottleneck on cheap pages); it reads bodies by Content-Length, chunks or to the close.
    """

    def __init__(self, port: int):
        self.socket = socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.open = True
        self.used = False

    def close(self) -> None:
        self.open = False
        self.socket.close()

    def _fill(self, limit: int = 262_144) -> None:
        data = self.socket.recv(limit)
        if not data:
            raise _Closed
        self.buffer += data

    def _line(self, marker: bytes, limit: int) -> bytes:
        while (end := self.buffer.find(marker)) < 0:
            if len(self.buffer) > limit:
                raise http.client.HTTPException("header too long")
            self._fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + len(marker) :]
        return line

    def _skip(self, size: int) -> None:
        if len(self.buffer) >= size:
            self.buffer = self.buffer[size:]
            return
        size -= len(self.buffer)
        self.buffer = b""
        while size > 0:
            data = self.socket.recv(min(size, 262_144))
            if not data:
                raise _Closed
            size -= len(data)

    def _skip_to_close(self) -> None:
        received = len(self.buffer)
        self.buffer = b""
        while received <= MAX_BODY_BYTES:
            data = self.socket.recv(262_144)
            if not data:
                return
            received += len(data)
        raise http.client.HTTPException("body too long")

    def get(self, request: bytes) -> tuple[int, dict[bytes, bytes]]:
        """Sends the request; returns the status and the headers (names lower-case), body read."""
        self.used = True
        self.socket.sendall(request)
        head = self._line(b"\r\n\r\n", MAX_HEADER_BYTES)
        status_line, *lines = head.split(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers = {}
        for line in lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"close" in headers.get(b"connection", b"").lower():
            self.open = False
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            total = 0
            while size := int(self._line(b"\r\n", MAX_HEADER_BYTES).split(b";")[0], 16):
                total += size
                if total > MAX_BODY_BYTES:
                    raise http.client.HTTPException("body too long")
                self._skip(size + 2)
            while self._line(b"\r\n", MAX_HEADER_BYTES):  # trailers, up to the empty line
                pass
        elif b"content-length" in headers:
            self._skip(int(headers[b"content-length"]))
        else:
            self._skip_to_close()
            self.open = False
        if not self.open:
            self.close()
        return status, headers


def request_bytes(port: int, page: Page, headers: dict[str, str]) -> bytes:
    lines = [f"GET {page.path} HTTP/1.1", f"Host: {HOST}:{port}", "User-Agent: mpf-bench", "Accept: */*"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def python_load(port, page, headers, *, duration, concurrency, max_requests, stop) -> LoadResult:
    """Threads with one keep-alive connection each, re-opened when the server closes it (gunicorn's
    sync workers close every connection, as they do behind a proxy in production).

    Each thread stops at the deadline, after its share of max_requests, or when `stop` is set.
    """
    deadline = time.monotonic() + duration
    per_thread = max(1, max_requests // concurrency)
    partials = [LoadResult() for _ in range(concurrency)]
    request = request_bytes(port, page, headers)

    def one(connection: _Connection | None) -> tuple[_Connection, int, dict[bytes, bytes]]:
        """One request; on a kept-alive connection the server had closed, retried once on a new one."""
        if connection is not None:
            try:
                return (connection, *connection.get(request))
            except _Closed:
                connection.close()
        connection = _Connection(port)
        try:
            return (connection, *connection.get(request))
        except BaseException:
            connection.close()
            raise

    def worker(result: LoadResult) -> None:
        connection = None
        try:
            for _ in range(per_thread):
                if stop.is_set() or time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    connection, status, response_headers = one(connection)
                except (OSError, ValueError, IndexError, _Closed, http.client.HTTPException):
                    result.errors += 1
                    if connection is not None:
                        connection.close()
                    connection = None
                    time.sleep(0.01)
                    continue
                result.latencies.append(time.perf_counter() - started)
                if not connection.open:
                    connection = None
                result.requests += 1
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if not 200 <= status < 300:
                    result.errors += 1
                count = response_headers.get(b"x-query-count", b"")
                if count.isdigit():
                    result.queries.append(int(count))
        finally:
            if connection is not None:
                connection.close()

    threads = [threading.Thread(target=worker, args=(partial,), daemon=True) for partial in partials]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    # The last requests may each wait behind all the others for a worker: on a slow page (the
    # transactions CSV of 1,000 projects takes seconds) that is far longer than one request.
    join_deadline = time.monotonic() + duration + REQUEST_TIMEOUT * concurrency + 5
    for thread in threads:
        thread.join(timeout=max(0.1, join_deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        stop.set()
        raise BenchError(f"{page.name}: load threads did not finish in time")
    total = LoadResult(elapsed=time.perf_counter() - started)
    for partial in partials:
        total.requests += partial.requests
        total.errors += partial.errors
        total.latencies.extend(partial.latencies)
        total.queries.extend(partial.queries)
        for status, count in partial.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + count
    return total


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, "
    .. "\\"status_errors\\": %d, \\"socket_errors\\": %d}\\n",
    summary.requests, summary.duration, math.floor(latency:percentile(50)), math.floor(latency:percentile(95)),
    e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_load(port, page, headers, *, duration, concurrency, max_requests, stop) -> LoadResult:
    """Debian's wrk, bounded by time only. Its errors are socket errors and statuses >= 400."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchError("--load wrk: wrk is not on PATH (apt-get install wrk), or use the default --load python")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [wrk, f"-t{min(2, concurrency)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s"]
        command += ["--timeout", f"{REQUEST_TIMEOUT}s", "-s", script.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://{HOST}:{port}{page.path}")
        completed = subprocess.run(  # noqa: S603 - fixed arguments, local target only
            command, capture_output=True, text=True, timeout=duration + REQUEST_TIMEOUT + 30, check=False
        )
    finally:
        os.unlink(script.name)
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise BenchError(f"wrk failed for {page.name}:\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return LoadResult(
        requests=data["requests"],
        errors=data["status_errors"] + data["socket_errors"],
        elapsed=data["duration_us"] / 1e6,
        p50=data["p50_us"] / 1e6,
        p95=data["p95_us"] / 1e6,
    )


LOAD_GENERATORS = {"python": python_load, "wrk": wrk_load}


# --- database, data and server ------------------------------------------------------------


def database_url(args) -> tuple[str, bool]:
    """The bench database's URL, and whether it is the default SQLite file (which starts fresh)."""
    url = args.database_url or os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE}", True
    name = urlsplit(url).path
    if "bench" not in name.rsplit("/", 1)[-1] and not args.allow_any_database:
        raise BenchError(
            f"The database {name!r} has no 'bench' in its name. The bench loads demo users (password 'demo') "
            "and deletes scale-* projects in it: use a database of its own, e.g. "
            "postgres://postgres@127.0.0.1:5432/mpf_bench, or pass --allow-any-database."
        )
    return url, False


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def ensure_postgres_database(url: str) -> None:
    """Creates the PostgreSQL database when it does not exist yet."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", query=""))
    try:
        psycopg.connect(conninfo, connect_timeout=10).close()
        return
    except psycopg.OperationalError as error:
        if "does not exist" not in str(error):
            raise BenchError(f"Cannot connect to {redact(url)}: {error}") from None
    name = parts.path.lstrip("/")
    print(f"Creating database {name} ...", flush=True)
    with psycopg.connect(
        urlunsplit(parts._replace(scheme="postgresql", path="/postgres", query="")), autocommit=True
    ) as c:
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def bench_environment(url: str) -> dict[str, str]:
    """Production-like settings, apart from plain HTTP on 127.0.0.1."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(STATIC_ROOT),
        "LOG_LEVEL": "WARNING",
        "MFA_REQUIRED_ROLES": "",  # the pages are measured, not the log-in: no user is sent to enrol first
    }


def manage(env: dict[str, str], *arguments: str) -> str:
    command = [sys.executable, "manage.py", *arguments]
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).splitlines()[-40:]
        raise BenchError(f"manage.py {' '.join(arguments)} failed:\n" + "\n".join(line[:500] for line in output))
    print(f"  manage.py {' '.join(arguments)}  ({time.perf_counter() - started:.1f} s)", flush=True)
    return completed.stdout


def session_cookies(usernames: set[str]) -> dict[str, str]:
    """A `Cookie` header value per demo user, from sessions created directly in the bench database.

    With the CSRF cookie a browser keeps from its first page with a form: without it, every page
    with a form would make a new CSRF secret and send it in a cookie, which no browser asks for twice.
    Runs Django in this process with the bench environment (already in os.environ).
    """
    if not usernames:
        return {}
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.db import connections
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    try:
        for username in sorted(usernames):
            user = get_user_model().objects.get(username=username)
            store = store_class()
            store[SESSION_KEY] = user._meta.pk.value_to_string(user)
            store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.create()
            csrf_secret = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
            cookies[username] = (
                f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf_secret}"
            )
    finally:
        connections.close_all()
    return cookies


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    GUNICORN_LOG.unlink(missing_ok=True)
    command = [sys.executable, "-m", "gunicorn", "mpf_portal.wsgi:application"]
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync"]
    command += ["--timeout", "60", "--graceful-timeout", "5", "--no-control-socket"]
    command += ["--log-level", "warning", "--error-logfile", str(GUNICORN_LOG)]
    # A session of its own: Ctrl-C reaches only this script, which then stops gunicorn itself.
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)  # noqa: S603


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the group gunicorn leads: its master and workers
        process.wait(timeout=5)


def log_tail(lines: int = 30) -> str:
    if not GUNICORN_LOG.exists():
        return ""
    return "\n".join(GUNICORN_LOG.read_text(errors="replace").splitlines()[-lines:])


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def wait_for_health(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    for _ in range(int(STARTUP_TIMEOUT / 0.2) + 1):
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}:\n{log_tail()}")
        if time.monotonic() >= deadline:
            break
        try:
            status, _ = get(port, "/healthz")
        except OSError:
            status = None
        if status == 200:
            return
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz with 200 within {STARTUP_TIMEOUT} s:\n{log_tail()}")


# --- measuring and reporting --------------------------------------------------------------


def measure(port, page, cookies, args, stop) -> dict:
    headers = {"Cookie": cookies[page.user]} if page.user else {}
    status, response_headers = get(port, page.path, headers)
    if not 200 <= status < 300:
        print(f"  ! {page.name}: GET {page.path} answers {status} (counted as errors)", flush=True)
    warmup = python_load(
        port,
        page,
        headers,
        duration=min(WARMUP_SECONDS, args.duration),
        concurrency=args.concurrency,
        max_requests=WARMUP_MAX_REQUESTS,
        stop=stop,
    )
    result = LOAD_GENERATORS[args.load](
        port,
        page,
        headers,
        duration=args.duration,
        concurrency=args.concurrency,
        max_requests=args.max_requests,
        stop=stop,
    )
    queries = result.queries or warmup.queries
    p50 = result.p50 if result.p50 is not None else result.percentile(0.50)
    p95 = result.p95 if result.p95 is not None else result.percentile(0.95)
    return {
        "page": page.name,
        "path": page.path,
        "user": page.user,
        "first_status": status,
        "requests": result.requests,
        "seconds": round(result.elapsed, 3),
        "requests_per_second": round(result.requests / result.elapsed, 1) if result.elapsed else 0.0,
        "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
        "p95_ms": round(p95 * 1000, 2) if p95 is not None else None,
        "queries": statistics.median_low(queries) if queries else None,
        "queries_min": min(queries) if queries else None,
        "queries_max": max(queries) if queries else None,
        "errors": result.errors,
        "statuses": {str(code): count for code, count in sorted(result.statuses.items())},
        "response_bytes": int(response_headers.get("content-length", 0) or 0),
    }


def table(rows: list[dict]) -> str:
    def number(value, digits=1):
        return "-" if value is None else f"{value:,.{digits}f}"

    def queries(row):
        if row["queries"] is None:
            return "-"
        if row["queries_min"] != row["queries_max"]:
            return f"{row['queries']} ({row['queries_min']}-{row['queries_max']})"
        return str(row["queries"])

    header = ["page", "path", "req/s", "p50 ms", "p95 ms", "queries", "errors", "% floor", "% tpl", "aim"]
    lines = [
        [
            row["page"],
            row["path"] + (f" [{row['user']}]" if row["user"] else ""),
            number(row["requests_per_second"]),
            number(row["p50_ms"]),
            number(row["p95_ms"]),
            queries(row),
            str(row["errors"]),
            number(row["percent_of_floor"], 0) + "%" if row["percent_of_floor"] is not None else "-",
            number(row.get("percent_of_template_floor"), 0) + "%"
            if row.get("percent_of_template_floor") is not None
            else "-",
            {True: "met", False: "MISSED"}.get(row.get("aim_met"), ""),
        ]
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]

    def render(cells):
        left = cells[:2]
        right = cells[2:]
        return "  ".join(
            [*(c.ljust(w) for c, w in zip(left, widths[:2], strict=True))]
            + [c.rjust(w) for c, w in zip(right, widths[2:], strict=True)]
        )

    return "\n".join([render(header), "  ".join("-" * w for w in widths), *(render(cells) for cells in lines)])


def git_commit() -> str | None:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return completed.stdout.strip() or None


def parse_args(argv=None):
    names = [page.name for page in PAGES]
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000, help="scale projects to seed (default 1000)")
    parser.add_argument(
        "--sections", type=int, default=50_000, help="concept sections over the scale projects, for search (50000)"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per page (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="simultaneous requests (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="bench database (default: $DATABASE_URL if set, else a fresh SQLite file var/bench.sqlite3)",
    )
    parser.add_argument(
        "--allow-any-database", action="store_true", help="allow a database without 'bench' in its name"
    )
    parser.add_argument(
        "--pages",
        default="",
        help=f"comma-separated pages to measure (default all; the floor always): {','.join(names)}",
    )
    parser.add_argument("--load", choices=sorted(LOAD_GENERATORS), default="python", help="load generator")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="at most this many requests per page (default 200000)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed_scale's random seed (default 1)")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="measure the database an earlier run left (migrated, not seeded again): "
        "at 10,000 projects seeding takes half an hour",
    )
    parser.add_argument("--activities-per-project", type=int, default=20, help="seed_scale's (default 20)")
    parser.add_argument("--expenditures-per-project", type=int, default=200, help="seed_scale's (default 200)")
    args = parser.parse_args(argv)
    wanted = {name.strip() for name in args.pages.split(",") if name.strip()}
    unknown = wanted - set(names)
    if unknown:
        parser.error(f"unknown pages {sorted(unknown)}; known: {', '.join(names)}")
    args.selected = [
        page for page in PAGES if not wanted or page.name in wanted or page.name in (FLOOR, TEMPLATE_FLOOR)
    ]
    if args.duration <= 0 or args.duration > 3600:
        parser.error("--duration must be more than 0 and at most 3600 seconds")
    if not 1 <= args.concurrency <= 256:
        parser.error("--concurrency must be between 1 and 256")
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    if not 0 <= args.projects <= 99_999:
        parser.error("--projects must be between 0 and 99999")
    if args.max_requests < 1:
        parser.error("--max-requests must be at least 1")
    return args


def seed(env: dict[str, str], url: str, args) -> None:
    # Earlier scale data goes before seed_demo, which gives a budget to every project it finds.
    manage(env, "seed_bench_search", "--sections", "0")  # quicker than deleting its sections with the projects
    manage(env, "seed_bench_results", "--reset", "--projects", "0")  # likewise its 160,000 updates
    manage(env, "seed_scale", "--projects", "0", "--reset")
    vacuum(url)
    manage(env, "seed_demo", "--not-production")
    manage(env, "seed_scale", "--projects", str(args.projects), "--seed", str(args.seed),
           "--activities-per-project", str(args.activities_per_project),
           "--expenditures-per-project", str(args.expenditures_per_project))  # fmt: skip
    manage(env, "seed_bench_concept")
    manage(env, "seed_bench_search", "--sections", str(args.sections), "--seed", str(args.seed))
    manage(env, "seed_bench_results", "--seed", str(args.seed))  # 20 indicators × 8 periods per scale project
    vacuum(url)


def vacuum(url: str) -> None:
    """On PostgreSQL, what autovacuum does in production (it is off on the development machine): the
    rows the reset deleted and the seeding updated (every content revision moved on) are cleared, and
    the planner's statistics refreshed. Without it, the project table of a second run at 10,000 projects
    held ten dead rows for each live one, and counting it took 400 ms."""
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(urlunsplit(urlsplit(url)._replace(scheme="postgresql", query="")), autocommit=True) as c:
        c.execute("VACUUM (ANALYZE)")
    print(f"  VACUUM (ANALYZE)  ({time.perf_counter() - started:.1f} s)", flush=True)


def publish_iati_file(env: dict[str, str]) -> None:
    """What a worker does after a data change: the public IATI file written through the storage API
    (unless the one stored is current). No worker runs beside the bench, and without the file every
    visitor would be sent it streamed from the database. A copy goes into the static files (after
    collectstatic, before gunicorn starts: whitenoise lists them then), to be served beside it."""
    name = manage(env, "write_iati_file").strip().splitlines()[-1]
    where = f"from django.core.files.storage import default_storage; print(default_storage.path({name!r}))"
    stored = Path(manage(env, "shell", "--verbosity", "0", "-c", where).strip().splitlines()[-1])
    copy = STATIC_ROOT / "bench" / "iati-activities.xml"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(stored, copy)
    print(f"  the public IATI file: {stored.stat().st_size:,} bytes, copied to {copy}", flush=True)


def run(args) -> dict:
    url, fresh = database_url(args)
    args.url = url  # for the profiles of the pages that miss their aim
    VAR_DIR.mkdir(exist_ok=True)
    if fresh:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DEFAULT_SQLITE}{suffix}").unlink(missing_ok=True)
    elif url.startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(url)
    overrides = bench_environment(url)
    env = {**os.environ, **overrides}
    os.environ.update(overrides)  # for the sessions created in this process

    print(f"Preparing the bench database {redact(url)}", flush=True)
    manage(env, "migrate", "--noinput")
    if not args.reuse_data:
        seed(env, url, args)
    count = "from projects.models import Project; print(Project.objects.filter(code__startswith='scale-').count())"
    scale_projects = int(manage(env, "shell", "--verbosity", "0", "-c", count).strip().splitlines()[-1])
    bench_ids = json.loads(manage(env, "seed_bench_concept").strip().splitlines()[-1])  # made once, then found
    bench_ids.update(json.loads(manage(env, "seed_bench_report").strip().splitlines()[-1]))
    args.selected = [Page(page.name, page.path.format(**bench_ids), page.user, page.aim) for page in args.selected]
    manage(env, "collectstatic", "--noinput", "--clear")
    if any(page.name in {"iati-anon", STATIC_IATI_COPY} for page in args.selected):
        publish_iati_file(env)
    cookies = session_cookies({page.user for page in args.selected if page.user})

    port = free_port()
    stop = threading.Event()
    print(f"Starting gunicorn ({args.workers} workers) on http://{HOST}:{port}/", flush=True)
    process = start_gunicorn(env, port, args.workers)
    rows = []
    try:
        wait_for_health(process, port)
        print(
            f"Loading each page for {args.duration:g} s at concurrency {args.concurrency} ({args.load} generator)",
            flush=True,
        )
        pages = list(args.selected)
        if len(pages) > 1:
            pages.append(Page(FLOOR_AGAIN, pages[0].path))
        for page in pages:
            rows.append(measure(port, page, cookies, args, stop))
            print(f"  {page.name}: {rows[-1]['requests_per_second']:,.1f} req/s", flush=True)
            if process.poll() is not None:
                raise BenchError(f"gunicorn exited with {process.returncode}:\n{log_tail()}")
    finally:
        stop.set()
        stop_gunicorn(process)

    floor = next((row["requests_per_second"] for row in rows if row["page"] == FLOOR), None)
    template_floor = next((row["requests_per_second"] for row in rows if row["page"] == TEMPLATE_FLOOR), None)
    aims = {page.name for page in args.selected if page.aim}
    for row in rows:
        row["percent_of_floor"] = round(100 * row["requests_per_second"] / floor, 1) if floor else None
        share = round(100 * row["requests_per_second"] / template_floor, 1) if template_floor else None
        row["percent_of_template_floor"] = share
        row["aim_met"] = None if row["page"] not in aims or share is None else share >= AIM_SHARE
    return {
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": redact(url),
        "vendor": "postgresql" if url.startswith("postgres") else "sqlite",
        "projects": scale_projects,  # as found: --reuse-data measures what an earlier run seeded
        "duration": args.duration,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "load": args.load,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "commit": git_commit(),
        "pages": rows,
    }


def main(argv=None) -> int:
    args = parse_args(argv)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    try:
        results = run(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; gunicorn stopped.", file=sys.stderr)
        return 130
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(
        f"{results['vendor']}, {results['projects']} scale projects, {results['workers']} gunicorn workers, "
        f"{results['concurrency']} concurrent, {results['duration']:g} s per page, {results['cpus']} CPUs "
        f"(load generator on the same machine)"
    )
    print(table(results["pages"]))
    print(f"\nerrors: non-2xx responses and failed requests. Written to {RESULTS_FILE.relative_to(BASE_DIR)}")
    again = next((row for row in results["pages"] if row["page"] == FLOOR_AGAIN), None)
    if again and again["percent_of_floor"] is not None and not 85 <= again["percent_of_floor"] <= 115:
        print(
            f"Note: the floor moved to {again['percent_of_floor']:g}% of itself during the run; "
            "something else was using the CPUs. Compare these numbers with care, or run again."
        )
    profile_missed(results["pages"], args)
    return 0


def profile_missed(rows: list[dict], args) -> None:
    """Where the time goes in each key page that missed its aim (`bench.profile`, in a fresh process)."""
    missed = [row["page"] for row in rows if row.get("aim_met") is False]
    if not missed:
        return
    print(f"\nProfiles of the pages below {AIM_SHARE}% of the template floor (python -m bench.profile):", flush=True)
    command = [sys.executable, "-m", "bench.profile", "--pages", ",".join(missed), "--database-url", args.url]
    subprocess.run(command, cwd=BASE_DIR, timeout=COMMAND_TIMEOUT, check=False)  # noqa: S603 - fixed arguments


if __name__ == "__main__":
    sys.exit(main())
