"""`python -m bench.dashboards_after_change`: how long does the first reader wait after a data change?

The dashboards' figures are kept until the data generation moves on (a service changing projects,
activities, budgets or expenditure, or the admin, moves it when its transaction commits); the first
reader after that adds up each project's kept sums again (the changed project's were summed again
when the change committed: dashboards/figures.py). This measures, in this process with Django's
test client signed in as the demo user `staff`, the wall time of a change (an expenditure recorded
or deleted through the services, its commit included), then the wall and CPU time of the first
request after it, and of a second one (warm), on a database that `make bench` left behind
(`--database-url`, which must name a database with "bench" in it; by default var/bench.sqlite3).
The aim (issue #22) is at most one second at 10,000 projects.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mpf_bench make bench BENCH_ARGS="--projects 10000"
    .venv/bin/python -m bench.dashboards_after_change --database-url postgres://postgres@127.0.0.1:5432/mpf_bench
"""

import argparse
import statistics
import sys
import time

from bench.profile import BASE_DIR, DEFAULT_DATABASE
from bench.profile import configure as configure_bench

AIM_MS = 1000.0
PAGES = {
    "portfolio dashboard": "/dashboard/",
    "portfolio, one country": "/dashboard/?country=BY",
    "a project's dashboard": "/projects/scale-00001/dashboard/",
}


def parse_args(argv=None):
    prog = "python -m bench.dashboards_after_change"
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="changes per page (the median is shown)")
    parser.add_argument("--database-url", default=None, help=f"default: sqlite:///{DEFAULT_DATABASE}")
    args = parser.parse_args(argv)
    if args.database_url and "bench" not in args.database_url:
        parser.error("--database-url must name a database with 'bench' in its name")
    return args


BENCH_REFERENCE = "bench-after-change"


def change() -> float:
    """A committed change through the services: an expenditure recorded on a scale project, or the one
    recorded before deleted again (the data is left as it was found). The wall time of the change in ms,
    its commit included: that is when the project's figures are summed again (dashboards/figures.py)."""
    import datetime
    from decimal import Decimal

    from budgets import services
    from budgets.models import BudgetLine, Expenditure

    started = time.perf_counter()
    earlier = Expenditure.objects.filter(reference=BENCH_REFERENCE).select_related("line").first()
    if earlier is not None:
        services.expenditure_delete(expenditure=earlier)
    else:
        line = BudgetLine.objects.filter(project__slug="scale-00001").select_related("project").order_by("pk").first()
        services.expenditure_create(
            project=line.project, line=line, date=datetime.date(2025, 3, 1), amount=Decimal("12.34"),
            description="bench", reference=BENCH_REFERENCE,
        )  # fmt: skip
    return (time.perf_counter() - started) * 1000


def timed(client, path: str) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    configure_bench(args)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from budgets.models import Expenditure
    from projects.models import Project

    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    print(f"{Project.objects.count():,} projects; the first request after a change, then a second one")
    heading = f"{'change ms':>10}{'first wall ms':>15}{'first CPU ms':>14}{'warm wall ms':>14}"
    print(f"{'page':<24}{heading}  aim ≤{AIM_MS:g} ms")
    for name, path in PAGES.items():
        client.get(path)
        changes, first, warm = [], [], []
        for _ in range(args.repeat):
            changes.append(change())
            first.append(timed(client, path))
            warm.append(timed(client, path))
        wall = statistics.median(ms for ms, _cpu in first)
        cpu = statistics.median(cpu for _ms, cpu in first)
        again = statistics.median(ms for ms, _cpu in warm)
        print(
            f"{name:<24}{statistics.median(changes):>10.0f}{wall:>15.0f}{cpu:>14.0f}{again:>14.0f}  "
            f"{'met' if wall <= AIM_MS else 'MISSED'}"
        )
    if Expenditure.objects.filter(reference=BENCH_REFERENCE).exists():
        change()  # the data as it was found
    return 0


if __name__ == "__main__":
    sys.exit(main())
