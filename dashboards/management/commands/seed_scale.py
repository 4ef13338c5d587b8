"""Synthetic projects for load tests: `manage.py seed_scale --projects 1000`.

Projects are coded `scale-00001`, `scale-00002`, ... and each one's facts come from a random
generator seeded with `--seed` and its number, so the same arguments always give the same data.
Projects that already exist are left alone (run with `--reset` to delete every `scale-*`
project first). Rows are written with `bulk_create`, which skips django-simple-history: scale
projects have no history, which is fine for test data.

Each model has its own small `_create_*` function taking the projects created in this run.
Every project gets six budget lines (one in ten revised); `--activities-per-project` and
`--expenditures-per-project` add activities (some of them one-day milestones, some overdue)
and expenditures spread over the lines and the planned period. The issue's scale:
`seed_scale --projects 1000 --activities-per-project 20 --expenditures-per-project 200`
(1,000 projects, 20,000 activities, 200,000 expenditures).
"""

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from activities.models import Activity
from budgets.models import BudgetLine, BudgetRevision, Expenditure
from common.generations import data_changed
from dashboards.figures import refresh_stale
from dashboards.models import PeriodFigures, ProjectFigures
from projects import demo as project_demo
from projects.models import FundingInstrument, Membership, Organisation, Project, ProjectPartner, Role
from projects.revision import touch_all

PREFIX = "scale-"
BATCH_SIZE = 500
PUBLISHED_SHARE = 0.8
USD_SHARE = 0.15
USER_POOL_SIZE = 12

COUNTRIES = ["AM", "AZ", "BY", "DZ", "EG", "GE", "JO", "LB", "LY", "MA", "MD", "NG", "SN", "TN", "UA"]
STATUS_WEIGHTS = [
    (Project.Status.PIPELINE, 15),
    (Project.Status.IMPLEMENTATION, 40),
    (Project.Status.FINALISATION, 10),
    (Project.Status.CLOSED, 28),
    (Project.Status.CANCELLED, 4),
    (Project.Status.SUSPENDED, 3),
]
THEMES = [
    "Legal migration and mobility",
    "Labour migration and mobility",
    "Return and reintegration",
    "Migration and development",
    "Border management",
    "Asylum and international protection",
    "Capacity building for migration management",
    "Migration data and statistics",
]
ACTIONS = ["Support to", "Strengthening", "Capacity building for", "Pilot of", "Review of", "Assessment of"]
SUBJECTS = [
    "the national migration strategy",
    "labour migration data",
    "diaspora engagement",
    "reintegration counselling",
    "integrated border management",
    "the asylum procedure",
    "skills partnerships with EU Member States",
    "migrant resource centres",
]
IMPLEMENTERS = [
    ("Scale implementer Alpha", "SIA", Organisation.Kind.IMPLEMENTING_AGENCY),
    ("Scale implementer Beta", "SIB", Organisation.Kind.IMPLEMENTING_AGENCY),
    ("Scale implementer Gamma", "SIG", Organisation.Kind.INTERNATIONAL),
    ("Scale implementer Delta", "SID", Organisation.Kind.INTERNATIONAL),
    ("Scale implementer Epsilon", "SIE", Organisation.Kind.CIVIL_SOCIETY),
    ("Scale implementer Zeta", "SIZ", Organisation.Kind.ACADEMIA),
]
MEMBER_ROLES = [Role.MANAGER, Role.DRAFTER, Role.REVIEWER, Role.DONOR]
# Budget lines of every scale project: category and share of the total budget.
LINE_SHARES = [
    (BudgetLine.Category.STAFF, Decimal("0.35")),
    (BudgetLine.Category.EXPERTS, Decimal("0.20")),
    (BudgetLine.Category.TRAVEL, Decimal("0.15")),
    (BudgetLine.Category.EVENTS, Decimal("0.15")),
    (BudgetLine.Category.COMMUNICATION, Decimal("0.08")),
    (BudgetLine.Category.INDIRECT, Decimal("0.07")),
]
REVISED_SHARE = 0.1
MILESTONE_SHARE = 0.2
ACTIVITY_KINDS = [kind for kind, _ in Activity.Kind.choices]
CENT = Decimal("0.01")


@dataclass
class Pools:
    """The shared rows that scale projects point at."""

    instruments: list[FundingInstrument]
    implementers: list[Organisation]
    beneficiaries: dict[str, Organisation]  # by country code
    users: list


def scale_code(number: int) -> str:
    return f"{PREFIX}{number:05d}"


def _rng(seed: int, number: int, topic: str) -> random.Random:
    """A generator of its own per project and topic: adding a topic changes no other data."""
    return random.Random(f"{seed}:{number}:{topic}")


def _weighted(rng: random.Random, weighted: list[tuple]):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)


def _pools(members_per_project: int) -> Pools:
    instruments = list(FundingInstrument.objects.order_by("code"))
    if not instruments:
        for code, name in project_demo.INSTRUMENTS:
            FundingInstrument.objects.get_or_create(code=code, defaults={"name": name})
        instruments = list(FundingInstrument.objects.order_by("code"))
    implementers = [
        Organisation.objects.get_or_create(name=name, defaults={"acronym": acronym, "kind": kind})[0]
        for name, acronym, kind in IMPLEMENTERS
    ]
    beneficiaries = {
        code: Organisation.objects.get_or_create(
            name=f"Scale national authority {code}",
            defaults={"kind": Organisation.Kind.NATIONAL_AUTHORITY, "country": code},
        )[0]
        for code in COUNTRIES
    }
    User = get_user_model()
    users = []
    for index in range(1, max(USER_POOL_SIZE, members_per_project) + 1):
        user, created = User.objects.get_or_create(
            username=f"{PREFIX}user-{index:03d}", defaults={"email": f"{PREFIX}user-{index:03d}@example.org"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        users.append(user)
    return Pools(instruments=instruments, implementers=implementers, beneficiaries=beneficiaries, users=users)


def _project(number: int, seed: int, pools: Pools) -> Project:
    rng = _rng(seed, number, "project")
    status = _weighted(rng, STATUS_WEIGHTS)
    planned_start = datetime.date(rng.randint(2017, 2028), rng.randint(1, 12), 1)
    planned_end = _add_months(planned_start, rng.randint(6, 48))
    actual_start = actual_end = None
    if status != Project.Status.PIPELINE and not (status == Project.Status.CANCELLED and rng.random() < 0.5):
        actual_start = planned_start + datetime.timedelta(days=rng.randint(0, 90))
    if status in (Project.Status.CLOSED, Project.Status.CANCELLED) and actual_start:
        actual_end = max(actual_start, planned_end + datetime.timedelta(days=rng.randint(-30, 120)))
    countries = sorted(rng.sample(COUNTRIES, k=1 if rng.random() < 0.85 else rng.randint(2, 3)))
    code = scale_code(number)
    return Project(
        code=code,
        slug=code,
        title=f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} ({code})",
        thematic_area=rng.choice(THEMES),
        summary="Synthetic project created by `manage.py seed_scale` for load tests.",
        status=status,
        planned_start=planned_start,
        planned_end=planned_end,
        actual_start=actual_start,
        actual_end=actual_end,
        countries=countries,
        instrument=rng.choice(pools.instruments),
        total_budget=Decimal(rng.randint(100, 2000) * 500),
        currency="USD" if rng.random() < USD_SHARE else "EUR",
        is_published=rng.random() < PUBLISHED_SHARE,
        contact_email="scale@example.org",
    )


def _create_projects(numbers: list[int], seed: int, pools: Pools) -> list[Project]:
    Project.objects.bulk_create([_project(number, seed, pools) for number in numbers], batch_size=BATCH_SIZE)
    # Read the rows back: primary keys on every backend, and the values as the database stores them.
    # (No `code__in` with thousands of codes: SQLite limits the parameters of one query.)
    codes = {scale_code(number) for number in numbers}
    return [
        project for project in Project.objects.filter(code__startswith=PREFIX).order_by("code") if project.code in codes
    ]


def _create_partners(projects: list[Project], seed: int, pools: Pools) -> int:
    partners = []
    for project in projects:
        rng = _rng(seed, int(project.code.removeprefix(PREFIX)), "partners")
        implementer = rng.choice(pools.implementers)
        beneficiary = pools.beneficiaries[str(project.countries[0])]
        partners.append(
            ProjectPartner(project=project, organisation=implementer, role=ProjectPartner.PartnerRole.IMPLEMENTING)
        )
        partners.append(
            ProjectPartner(project=project, organisation=beneficiary, role=ProjectPartner.PartnerRole.BENEFICIARY)
        )
    ProjectPartner.objects.bulk_create(partners, batch_size=BATCH_SIZE)
    return len(partners)


def _create_memberships(projects: list[Project], seed: int, pools: Pools, per_project: int) -> int:
    memberships = []
    for project in projects:
        rng = _rng(seed, int(project.code.removeprefix(PREFIX)), "memberships")
        users = rng.sample(pools.users, k=min(per_project, len(pools.users)))
        for index, user in enumerate(users):
            # The first member manages the project; the others get any role.
            role = Role.MANAGER if index == 0 else rng.choice(MEMBER_ROLES)
            memberships.append(Membership(project=project, user=user, role=role))
    Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
    return len(memberships)


def _project_number(project: Project) -> int:
    return int(project.code.removeprefix(PREFIX))


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _activity_status(rng: random.Random, project: Project, end: datetime.date, today: datetime.date) -> str:
    if project.status == Project.Status.PIPELINE:
        return Activity.Status.PLANNED
    if project.status in (Project.Status.CANCELLED, Project.Status.SUSPENDED):
        return Activity.Status.CANCELLED if rng.random() < 0.5 else Activity.Status.POSTPONED
    if end < today:
        # Most past activities are done; a few were never closed and show as overdue.
        return Activity.Status.COMPLETED if rng.random() < 0.9 else Activity.Status.ONGOING
    return Activity.Status.PLANNED


def _create_activities(projects: list[Project], seed: int, per_project: int) -> list[Activity]:
    """`per_project` activities inside each project's planned period; about a fifth are one-day events."""
    if per_project <= 0:
        return []
    today = timezone.localdate()
    activities = []
    for project in projects:
        rng = _rng(seed, _project_number(project), "activities")
        for order in range(per_project):
            start = _day_between(rng, project.planned_start, project.planned_end)
            one_day = rng.random() < MILESTONE_SHARE
            end = start if one_day else min(project.planned_end, start + datetime.timedelta(days=rng.randint(1, 60)))
            status = _activity_status(rng, project, end, today)
            done = status == Activity.Status.COMPLETED
            activities.append(
                Activity(
                    project=project,
                    kind=rng.choice(ACTIVITY_KINDS),
                    title=f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} – activity {order + 1}",
                    planned_start=start,
                    planned_end=end,
                    actual_start=start if done else None,
                    actual_end=end if done else None,
                    status=status,
                    is_remote=rng.random() < 0.3,
                    country=str(project.countries[0]) if project.countries else "",
                    order=order,
                )
            )
    return Activity.objects.bulk_create(activities, batch_size=BATCH_SIZE)


def _create_budget_lines(projects: list[Project], seed: int, activities: list[Activity]) -> list[BudgetLine]:
    """Six lines per project adding up to its total budget; one in ten revised; events lines paid for an activity."""
    by_project: dict[int, list[Activity]] = {}
    for activity in activities:
        by_project.setdefault(activity.project_id, []).append(activity)
    lines, revised = [], []
    for project in projects:
        rng = _rng(seed, _project_number(project), "budget")
        remaining = project.total_budget
        own = by_project.get(project.pk, [])
        for index, (category, share) in enumerate(LINE_SHARES):
            last = index == len(LINE_SHARES) - 1
            amount = remaining if last else (project.total_budget * share).quantize(CENT)
            remaining -= amount
            activity = rng.choice(own) if own and category == BudgetLine.Category.EVENTS else None
            description = f"{category.label} ({project.code})"
            lines.append(
                BudgetLine(
                    project=project, category=category, description=description, activity=activity, amount=amount
                )
            )
            factor = Decimal(rng.randint(85, 115)) / 100 if rng.random() < REVISED_SHARE else None
            revised.append(factor)
    lines = BudgetLine.objects.bulk_create(lines, batch_size=BATCH_SIZE)
    revisions = [
        BudgetRevision(line=line, amount=(line.amount * factor).quantize(CENT), date=line.project.planned_start,
                       reason="Synthetic revision (seed_scale).")
        for line, factor in zip(lines, revised, strict=True)
        if factor is not None
    ]  # fmt: skip
    BudgetRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
    return lines


def _create_expenditures(projects: list[Project], seed: int, lines: list[BudgetLine], per_project: int) -> int:
    """`per_project` expenditures per project over its lines, dated within its planned period,
    adding up to between a fifth of its budget and a little more than all of it."""
    if per_project <= 0:
        return 0
    by_project: dict[int, list[BudgetLine]] = {}
    for line in lines:
        by_project.setdefault(line.project_id, []).append(line)
    created = 0
    batch = []
    for project in projects:
        own = by_project.get(project.pk)
        if not own:
            continue
        rng = _rng(seed, _project_number(project), "expenditures")
        average = project.total_budget * Decimal(rng.randint(20, 105)) / 100 / per_project
        weights = [float(line.amount) or 1.0 for line in own]
        for number in range(per_project):
            amount = max(CENT, (average * Decimal(rng.randint(50, 150)) / 100).quantize(CENT))
            batch.append(
                Expenditure(line=rng.choices(own, weights=weights)[0], amount=amount,
                            date=_day_between(rng, project.planned_start, project.planned_end),
                            description=f"Synthetic expenditure {number + 1}", reference=f"{project.code}-{number + 1}")
            )  # fmt: skip
        if len(batch) >= BATCH_SIZE * 10:
            Expenditure.objects.bulk_create(batch, batch_size=BATCH_SIZE * 2)
            created += len(batch)
            batch = []
    Expenditure.objects.bulk_create(batch, batch_size=BATCH_SIZE * 2)
    return created + len(batch)


def reset() -> int:
    """Deletes every scale project (and, by cascade, what hangs off it); returns how many."""
    scale = Project.objects.filter(code__startswith=PREFIX)
    count = scale.count()
    # Deleting test data is no change worth a history row per object (and would be slow).
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        # Rows that PROTECT what cascades from a project go first, deepest first. The ledgers are
        # deleted in bulk without loading them (hundreds of thousands of rows at scale); nothing
        # but their own models points at them.
        Expenditure.objects.filter(line__project__in=scale)._raw_delete(Expenditure.objects.db)
        BudgetRevision.objects.filter(line__project__in=scale)._raw_delete(BudgetRevision.objects.db)
        BudgetLine.objects.filter(project__in=scale)._raw_delete(BudgetLine.objects.db)
        scale.delete()
    return count


def seed_scale(
    *,
    projects: int,
    members_per_project: int = 2,
    seed: int = 1,
    activities_per_project: int = 0,
    expenditures_per_project: int = 0,
) -> dict[str, int]:
    """Makes sure scale-00001 .. scale-<projects> exist; returns how many rows of each kind it created."""
    pools = _pools(members_per_project)
    existing = set(Project.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    numbers = [number for number in range(1, projects + 1) if scale_code(number) not in existing]
    created = _create_projects(numbers, seed, pools)
    activities = _create_activities(created, seed, activities_per_project)
    lines = _create_budget_lines(created, seed, activities)
    return {
        "projects": len(created),
        "partners": _create_partners(created, seed, pools),
        "memberships": _create_memberships(created, seed, pools, members_per_project),
        "activities": len(activities),
        "budget_lines": len(lines),
        "expenditures": _create_expenditures(created, seed, lines, expenditures_per_project),
        "skipped": projects - len(numbers),
    }


class Command(BaseCommand):
    help = (
        "Creates synthetic projects scale-00001..N (with partners and memberships) for load tests. "
        "Deterministic for a given --seed; existing scale projects are kept unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, required=True, help="How many scale projects there should be.")
        parser.add_argument("--members-per-project", type=int, default=2, help="Memberships per project (default 2).")
        parser.add_argument(
            "--activities-per-project", type=int, default=0, help="Activities per new project (default 0)."
        )
        parser.add_argument(
            "--expenditures-per-project", type=int, default=0, help="Expenditures per new project (default 0)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--reset", action="store_true", help="Delete every scale-* project first.")

    def handle(self, *args, **options):
        if options["projects"] < 0 or options["projects"] > 99999:
            raise CommandError("--projects must be between 0 and 99999.")
        for name in ("members_per_project", "activities_per_project", "expenditures_per_project"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative.")
        with transaction.atomic():
            deleted = reset() if options["reset"] else 0
            counts = seed_scale(
                projects=options["projects"],
                members_per_project=options["members_per_project"],
                seed=options["seed"],
                activities_per_project=options["activities_per_project"],
                expenditures_per_project=options["expenditures_per_project"],
            )
        data_changed()  # the dashboards' cached figures are out of date
        touch_all()  # rows written with bulk_create: the projects' pages are out of date too
        started = time.perf_counter()
        summed = refresh_stale(Project.objects.all())  # the new projects' budgets and spending, for the dashboards
        seconds = time.perf_counter() - started
        self.stdout.write(f"Projects whose dashboard figures were summed: {summed} ({seconds:.1f} s).")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh planner statistics for the rows just loaded
                loaded = (Project, Activity, BudgetLine, BudgetRevision, Expenditure, ProjectFigures, PeriodFigures)
                for model in loaded:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        if deleted:
            self.stdout.write(f"Deleted {deleted} earlier scale projects.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data: {counts['projects']} projects created ({counts['skipped']} already there), "
                f"{counts['partners']} partners, {counts['memberships']} memberships, "
                f"{counts['activities']} activities, {counts['budget_lines']} budget lines, "
                f"{counts['expenditures']} expenditures."
            )
        )
