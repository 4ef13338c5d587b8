"""`python -m bench.after_save`: what does the first request after a save cost?

A drafter saves a section and is sent to it; the next readers open the concept page, the section's
history and a comparison. Those first requests find nothing of the new version in the cache. This
measures, in this process with Django's test client, the CPU time (`time.process_time`) and the
wall time of each of those pages right after a save of one section, and again warm, on a concept of
--sections sections (default 50) whose saved section has --versions versions (default 2,000) and
every section --comments open comments (default 10). The aim (issue #22) is at most 60 ms of CPU
for each first request, whatever the number of versions.

Then the same for the seed project's pages after a change of the project's data (its fragments are
kept under the project's content revision, which the change moves on): the budget page after an
expenditure is recorded, the timeline after an activity is edited, the project page and the project
list after the project is edited, each read by the demo manager.

The database is a throw-away SQLite file, var/bench-after-save.sqlite3, unless --database-url
names one (it must contain "bench"); with SQLite the database's own work is in this process and is
counted, with PostgreSQL it is not. The cache is the one the settings give (REDIS_URL or local
memory). Results also go to var/bench-after-save-results.json.
"""

import argparse
import io
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = BASE_DIR / "var" / "bench-after-save.sqlite3"
RESULTS = BASE_DIR / "var" / "bench-after-save-results.json"
AIM_MS = 60.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.after_save", description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=50)
    parser.add_argument("--versions", type=int, default=2000, help="versions of the saved section")
    parser.add_argument("--comments", type=int, default=10, help="open comments per section")
    parser.add_argument("--repeat", type=int, default=5, help="saves per page (the median is shown)")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if args.database_url and "bench" not in args.database_url:
        parser.error("--database-url must name a database with 'bench' in its name")
    return args


def configure(args) -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    if args.database_url:
        from bench.run import ensure_postgres_database

        ensure_postgres_database(args.database_url)
    else:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mpf_portal.settings",
            "DATABASE_URL": args.database_url or f"sqlite:///{DATABASE}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "ERROR",
            "MFA_REQUIRED_ROLES": "",
            "STATIC_ROOT": str(BASE_DIR / "var" / "bench-staticfiles"),
        }
    )
    import django

    django.setup()


def build(args):
    """The concept: written with bulk_create (the history is old); the measured saves use the service."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from concepts import revision
    from concepts.models import Comment, Concept, Section, SectionVersion
    from projects.models import Project

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("seed_demo", not_production=True, verbosity=0, stdout=io.StringIO())
    project = Project.objects.get(slug="concept-national-migration-policy-belarus")
    drafter = get_user_model().objects.get(username="counterpart")
    reviewer = get_user_model().objects.get(username="reviewer")
    Concept.objects.filter(project=project, title="After-save bench").delete()
    concept = Concept.objects.create(project=project, title="After-save bench", language="en")
    sections = Section.objects.bulk_create(Section(concept=concept, position=n) for n in range(1, args.sections + 1))
    text = "Migration policy paragraph on labour mobility and protection. " * 12
    versions = [
        SectionVersion(section=sections[0], language="en", number=n, title="Saved section",
                       body=f"{text}\n\nRevision {n}.\n\n{text}", author=drafter)
        for n in range(1, args.versions + 1)
    ]  # fmt: skip
    for section in sections[1:]:
        versions += [SectionVersion(section=section, language="en", number=n, title=f"Section {section.position}",
                                    body=f"{text}\n\n{text}", author=drafter) for n in (1, 2)]  # fmt: skip
    SectionVersion.objects.bulk_create(versions, batch_size=500)
    for section in sections:
        section.head = section.versions.order_by("-number").first()
    Section.objects.bulk_update(sections, ["head"])
    Comment.objects.bulk_create(
        Comment(section=section, version=section.head, author=reviewer, body=f"Remark {n} on {section.position}",
                is_recommendation=n % 2 == 0)
        for section in sections for n in range(args.comments)
    )  # fmt: skip
    revision.touch(concept.pk)  # bulk_create goes round the signals
    return concept, sections[0], drafter


def measure(client, url) -> dict:
    started_cpu, started = time.process_time(), time.perf_counter()
    response = client.get(url)
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return {"cpu_ms": cpu * 1000, "wall_ms": wall * 1000, "bytes": len(response.content)}


def run(args) -> list[dict]:
    from django.test import Client

    from concepts import services

    concept, section, drafter = build(args)
    client = Client()
    client.force_login(drafter)
    base = f"/concepts/{concept.pk}"
    pages = {
        "concept page": lambda head: f"{base}/",
        "section page": lambda head: f"{base}/sections/{section.pk}/",
        "history": lambda head: f"{base}/sections/{section.pk}/history/",
        "comparison": lambda head: f"{base}/sections/{section.pk}/compare/?from={head - 1}&to={head}",
    }
    for url in pages.values():  # templates, translations and the other sections' fragments warm
        client.get(url(args.versions))
    rows = []
    for name, url in pages.items():
        first, warm = [], []
        for _ in range(args.repeat):
            section.refresh_from_db()
            head = section.head.number
            body = f"{section.head.body}\n\nSaved at {time.perf_counter()}."
            services.section_save(section=section, base_number=head, title="Saved section", body=body, user=drafter)
            first.append(measure(client, url(head + 1)))
            warm.append(measure(client, url(head + 1)))
        row = {
            "page": name,
            "first_cpu_ms": statistics.median(m["cpu_ms"] for m in first),
            "first_wall_ms": statistics.median(m["wall_ms"] for m in first),
            "warm_cpu_ms": statistics.median(m["cpu_ms"] for m in warm),
            "bytes": first[-1]["bytes"],
        }
        row["aim_met"] = row["first_cpu_ms"] <= AIM_MS
        rows.append(row)
    return rows


def _project_changes(project, manager):
    """(page, address, a function making one change through the services) for the project pages."""
    import datetime
    from decimal import Decimal

    from activities import services as activities
    from budgets import services as budgets
    from projects import services as projects
    from projects.models import Project

    line = project.budget_lines.order_by("pk").first()
    activity = project.activities.order_by("pk").first()
    day = project.planned_start + datetime.timedelta(days=30)

    def expenditure():
        budgets.expenditure_create(project=project, line=line, date=day, amount=Decimal("1.00"),
                                   description=f"Bench {time.perf_counter()}")  # fmt: skip

    def activity_edited():
        activities.activity_update(activity=activity, description=f"Bench {time.perf_counter()}")

    def project_edited():
        projects.project_update(project=Project.objects.get(pk=project.pk), user=manager,
                                summary=f"{project.summary}\n\nBench {time.perf_counter()}.")  # fmt: skip

    base = f"/projects/{project.slug}"
    return [
        ("budget", f"{base}/budget/", expenditure),
        ("timeline", f"{base}/timeline/", activity_edited),
        ("project page", f"{base}/", project_edited),
        ("project list", "/projects/", project_edited),
    ]


def run_project_pages(args) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from projects.models import Project

    project = Project.objects.get(slug="concept-national-migration-policy-belarus")
    manager = get_user_model().objects.get(username="manager")
    client = Client()
    client.force_login(manager)
    rows = []
    for name, url, change in _project_changes(project, manager):
        client.get(url)
        first, warm = [], []
        for _ in range(args.repeat):
            change()
            first.append(measure(client, url))
            warm.append(measure(client, url))
        rows.append(
            {
                "page": name,
                "first_cpu_ms": statistics.median(m["cpu_ms"] for m in first),
                "first_wall_ms": statistics.median(m["wall_ms"] for m in first),
                "warm_cpu_ms": statistics.median(m["cpu_ms"] for m in warm),
                "bytes": first[-1]["bytes"],
                "aim_met": None,
            }
        )
    return rows


def main(argv=None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(BASE_DIR))
    configure(args)
    rows = run(args)
    header = f"{'page':<14}{'first CPU ms':>14}{'first wall ms':>15}{'warm CPU ms':>13}{'KB':>8}  aim ≤{AIM_MS:g} ms"
    print(f"\n{args.sections} sections, {args.versions} versions of the saved one, {args.comments} comments each")
    print(header)
    for row in rows:
        print(
            f"{row['page']:<14}{row['first_cpu_ms']:>14.1f}{row['first_wall_ms']:>15.1f}{row['warm_cpu_ms']:>13.1f}"
            f"{row['bytes'] / 1024:>8.0f}  {'met' if row['aim_met'] else 'MISSED'}"
        )
    project_rows = run_project_pages(args)
    print("\nThe seed project's pages after a change of its data (read by its manager)")
    print(header.split("  aim")[0])
    for row in project_rows:
        print(
            f"{row['page']:<14}{row['first_cpu_ms']:>14.1f}{row['first_wall_ms']:>15.1f}{row['warm_cpu_ms']:>13.1f}"
            f"{row['bytes'] / 1024:>8.0f}"
        )
    RESULTS.write_text(json.dumps({"args": vars(args), "pages": rows, "project_pages": project_rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
