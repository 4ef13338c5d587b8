"""`python -m bench.exports`: do the big exports stream, with flat memory, however many projects?

Seeds a throw-away SQLite file (var/bench-exports.sqlite3) with `seed_scale` projects (default
1,000, each with 20 activities and 200 expenditures, as `make bench`), then writes two files for the first fifth
of the projects and for all of them, each in a fresh subprocess that reads the file as a client
would, chunk by chunk, and throws it away:

- iati: the IATI activity file, as /iati/activities.xml streams it (dashboards.iati, a batch
  of projects at a time);
- transactions-csv: the transactions CSV, as /dashboard/export/transactions.csv streams it
  (one row per budget line and per expenditure).

It prints, for each, the size written, the rows or activities, the wall time and how much the
subprocess's resident memory grew while writing (the largest RSS seen after any chunk, less the
RSS before the first). Streaming means that growth
stays about the same at both sizes while the output grows five times.

    python -m bench.exports                     # 1,000 projects
    python -m bench.exports --projects 2000
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = BASE_DIR / "var" / "bench-exports.sqlite3"
EXPORTS = ("iati", "transactions-csv")


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpf_portal.settings")
    import django

    django.setup()


def _chunks(export: str, projects):
    from common.spreadsheets import csv_response
    from dashboards import iati, selectors

    if export == "iati":
        return iati.activities_xml_chunks(projects, base_url="https://portal.example.org/")
    response = csv_response("transactions.csv", selectors.TRANSACTIONS_HEADER,
                            selectors.transaction_export_rows(projects=projects))  # fmt: skip
    return (chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in response.streaming_content)


def measure(export: str, count: int) -> dict:
    """In this (fresh) process: write `export` for the first `count` projects by code, chunk by chunk."""
    _setup_django()
    from projects.models import Project

    codes = list(Project.objects.order_by("code").values_list("code", flat=True)[:count])
    projects = Project.objects.filter(code__in=codes)
    before = largest = _rss_kib()
    started = time.perf_counter()
    size = lines = activities = 0
    for chunk in _chunks(export, projects):
        size += len(chunk)
        lines += chunk.count(b"\n")
        activities += chunk.count(b"<iati-activity ")
        largest = max(largest, _rss_kib())
    seconds = time.perf_counter() - started
    grown = largest - before
    items = activities if export == "iati" else lines - 1  # CSV: rows after the header
    return {"export": export, "projects": len(codes), "items": items, "bytes": size, "seconds": seconds,
            "rss_growth_mib": grown / 1024}  # fmt: skip


def _rss_kib() -> int:
    """This process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _prepare(projects: int) -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    _setup_django()
    from django.core.management import call_command

    print(f"Preparing {DATABASE} with {projects} scale projects", flush=True)
    call_command("migrate", verbosity=0)
    call_command("seed_scale", projects=projects, reset=True, activities_per_project=20,
                 expenditures_per_project=200, verbosity=0)  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=1000, help="scale projects (default 1000)")
    parser.add_argument("--child", nargs=2, metavar=("EXPORT", "COUNT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return 0
    if args.projects < 5:
        parser.error("--projects must be at least 5")
    _prepare(args.projects)
    rows = []
    for export in EXPORTS:
        for count in (args.projects // 5, args.projects):
            command = [sys.executable, "-m", "bench.exports", "--child", export, str(count)]
            # Our own module and numbers: nothing from outside goes into the command.
            done = subprocess.run(command, cwd=BASE_DIR, check=True, capture_output=True, text=True, timeout=1800)  # noqa: S603
            output = done.stdout
            rows.append(json.loads(output.strip().splitlines()[-1]))
    print(f"\n{'export':<18} {'projects':>8} {'rows/activities':>15} {'MB':>7} {'s':>6} {'RSS growth MiB':>15}")
    for row in rows:
        print(f"{row['export']:<18} {row['projects']:>8,} {row['items']:>15,} {row['bytes'] / 1e6:>7.1f} "
              f"{row['seconds']:>6.1f} {row['rss_growth_mib']:>15.1f}")  # fmt: skip
    print("\nStreaming: the memory growth should be about the same for both sizes of each export.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
