"""`python -m bench.profile`: where does a page's time go?

Runs in this process, with Django's test client, against the database `make bench` left behind
(var/bench.sqlite3, or --database-url), with the bench's production-like settings. For each page
(the names of bench/run.py's PAGES; default: the key pages with an aim) it prints the CPU time of
one request (median of --repeat, after three warm-up requests), the same for the template floor,
and the functions where a profiled request spends its time, grouped by package or module
(--top lines). Use it to find template work repeated on every request, per-row URL reversing and
translations, Markdown rendered per request, serialisers doing per-row work.

    make bench                                  # once, to build the bench database
    .venv/bin/python -m bench.profile --pages section-page-manager,projects-staff
"""

import argparse
import collections
import cProfile
import json
import os
import pstats
import secrets
import statistics
import sys
import time
from pathlib import Path

from bench.run import PAGES, RESULTS_FILE, STATIC_ROOT, TEMPLATE_FLOOR

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = BASE_DIR / "var" / "bench.sqlite3"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="", help="comma-separated page names (default: the pages with an aim)")
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page (default 15)")
    parser.add_argument("--top", type=int, default=12, help="lines of the profile per page (default 12)")
    parser.add_argument("--database-url", default=None, help=f"default: sqlite:///{DEFAULT_DATABASE}")
    return parser.parse_args(argv)


def configure(args) -> None:
    url = args.database_url or os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DATABASE}"
    if url.startswith("sqlite") and not DEFAULT_DATABASE.exists() and not args.database_url:
        raise SystemExit("No bench database: run `make bench` first (or pass --database-url).")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "STATIC_ROOT": str(STATIC_ROOT),
            "LOG_LEVEL": "ERROR",
            "MFA_REQUIRED_ROLES": "",
        }
    )
    import django

    django.setup()


def bench_ids() -> dict:
    """The ids bench/run.py filled into its paths, from its last results, else from the command."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_bench_concept", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def cpu_ms(client, path: str, repeat: int) -> tuple[float, int]:
    for _ in range(3):
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        started = time.process_time()
        client.get(path)
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times), len(response.content)


def where(client, path: str, top: int) -> list[tuple[str, float]]:
    """Own time per package (site-packages) or per module of ours, over five requests, per request."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(5):
        client.get(path)
    profile.disable()
    totals: collections.Counter = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, own, _cum, _callers) in pstats.Stats(profile).stats.items():
        if "site-packages/" in filename:
            key = filename.split("site-packages/")[1].split("/")[0]
            if key == "django":
                key = "/".join(filename.split("site-packages/")[1].split("/")[:3])
        elif str(BASE_DIR) in filename:
            key = filename.replace(f"{BASE_DIR}/", "")
        else:
            key = "python: " + Path(filename).name
        totals[key] += own / 5 * 1000
    return totals.most_common(top)


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    configure(args)
    from django.contrib.auth import get_user_model
    from django.test import Client

    wanted = {name.strip() for name in args.pages.split(",") if name.strip()}
    pages = [page for page in PAGES if (page.name in wanted if wanted else page.aim)]
    floor = next(page for page in PAGES if page.name == TEMPLATE_FLOOR)
    ids = bench_ids()
    clients: dict = {}

    def client_for(username):
        if username not in clients:
            clients[username] = Client()
            if username:
                clients[username].force_login(get_user_model().objects.get(username=username))
        return clients[username]

    floor_ms, _ = cpu_ms(client_for(floor.user), floor.path, args.repeat)
    print(f"template floor: {floor_ms:.1f} ms of CPU per request (the aim: a key page at most about twice that)")
    for page in pages:
        path = page.path.format(**ids)
        ms, size = cpu_ms(client_for(page.user), path, args.repeat)
        share = floor_ms / ms
        print(f"\n{page.name}  {path}  {ms:.1f} ms of CPU, {size / 1024:.0f} KB, {share:.0%} of the template floor")
        for key, own in where(client_for(page.user), path, args.top):
            print(f"  {own:7.2f} ms  {key}")
    if RESULTS_FILE.exists():
        print(f"\n(requests/s of the last `make bench`: {RESULTS_FILE.relative_to(BASE_DIR)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
