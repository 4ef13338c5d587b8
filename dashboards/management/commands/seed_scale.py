"""Synthetic projects for load tests: `manage.py seed_scale --projects 1000`.

Projects are coded `scale-00001`, `scale-00002`, ... and each one's facts come from a random
generator seeded with `--seed` and its number, so the same arguments always give the same data.
Projects that already exist are left alone (run with `--reset` to delete every `scale-*`
project first). Rows are written with `bulk_create`, which skips django-simple-history: scale
projects have no history, which is fine for test data.

Each model has its own small `_create_*` function taking the projects created in this run, so
that later models (activities, budget lines, expenditures) are one more function each.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from budgets.models import Expenditure
from projects import demo as project_demo
from projects.models import FundingInstrument, Membership, Organisation, Project, ProjectPartner, Role

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


def reset() -> int:
    """Deletes every scale project (and, by cascade, what hangs off it); returns how many."""
    scale = Project.objects.filter(code__startswith=PREFIX)
    count = scale.count()
    # Deleting test data is no change worth a history row per object (and would be slow).
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        # Rows that PROTECT what cascades from a project go first, deepest first.
        Expenditure.objects.filter(line__project__in=scale).delete()
        scale.delete()
    return count


def seed_scale(*, projects: int, members_per_project: int = 2, seed: int = 1) -> dict[str, int]:
    """Makes sure scale-00001 .. scale-<projects> exist; returns how many rows of each kind it created."""
    pools = _pools(members_per_project)
    existing = set(Project.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    numbers = [number for number in range(1, projects + 1) if scale_code(number) not in existing]
    created = _create_projects(numbers, seed, pools)
    return {
        "projects": len(created),
        "partners": _create_partners(created, seed, pools),
        "memberships": _create_memberships(created, seed, pools, members_per_project),
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
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--reset", action="store_true", help="Delete every scale-* project first.")

    def handle(self, *args, **options):
        if options["projects"] < 0 or options["projects"] > 99999:
            raise CommandError("--projects must be between 0 and 99999.")
        if options["members_per_project"] < 0:
            raise CommandError("--members-per-project must not be negative.")
        with transaction.atomic():
            deleted = reset() if options["reset"] else 0
            counts = seed_scale(
                projects=options["projects"],
                members_per_project=options["members_per_project"],
                seed=options["seed"],
            )
        if deleted:
            self.stdout.write(f"Deleted {deleted} earlier scale projects.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale data: {counts['projects']} projects created ({counts['skipped']} already there), "
                f"{counts['partners']} partners, {counts['memberships']} memberships."
            )
        )
