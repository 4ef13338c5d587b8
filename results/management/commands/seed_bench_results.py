"""Bench data for the results pages: `manage.py seed_bench_results --projects 1000`.

Gives each `scale-*` project (`seed_scale`) without a framework one: an overall objective, two
outcomes, four outputs and 20 indicators spread over them (the first five with codes shared across
projects, numbers of people disaggregated by sex, some percentages, yes/no and text), eight
consecutive reporting periods inside the project's planned dates, a target per indicator and period
and one for the whole project, and an approved update per indicator and period: at 1,000 projects,
20,000 indicators, 8,000 periods, 180,000 targets and 160,000 updates. Deterministic for `--seed`.
`--reset` deletes the frameworks of every scale project first. Rows are written with `bulk_create`,
which skips the change history: bench data has none.
"""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from common.generations import data_changed
from projects.models import Project
from projects.revision import touch_all
from results.models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target

PREFIX = "scale-"
BATCH_SIZE = 2000
PERIODS = 8
INDICATORS = 20
# (code shared across projects or "", title, unit, by sex); one row per indicator, in order.
SHARED = [
    ("officials-trained", "Officials trained", Indicator.Unit.NUMBER, True),
    ("migrants-counselled", "Migrants counselled", Indicator.Unit.NUMBER, True),
    ("procedures-adopted", "Procedures adopted", Indicator.Unit.NUMBER, False),
    ("share-satisfied", "Share of participants satisfied", Indicator.Unit.PERCENTAGE, False),
    ("strategy-adopted", "Strategy adopted", Indicator.Unit.YES_NO, False),
]
UNITS = [Indicator.Unit.NUMBER] * 6 + [Indicator.Unit.PERCENTAGE] * 2 + [Indicator.Unit.YES_NO, Indicator.Unit.TEXT]
# The result each indicator belongs to: 2 on the objective, 3 on each outcome, 3 on each output.
RESULT_OF_INDICATOR = [0, 0, 1, 1, 1, 2, 2, 2] + [3 + index // 3 for index in range(12)]


def _periods(project: Project) -> list[ReportingPeriod]:
    """Eight consecutive periods splitting the project's planned dates."""
    start, end = project.planned_start, project.planned_end
    days = (end - start).days + 1
    bounds = [start + datetime.timedelta(days=days * index // PERIODS) for index in range(PERIODS + 1)]
    return [
        ReportingPeriod(
            project=project,
            start=bounds[index],
            end=bounds[index + 1] - datetime.timedelta(days=1),
            due=bounds[index + 1] + datetime.timedelta(days=29),
        )
        for index in range(PERIODS)
    ]


def _results(project: Project) -> list[Result]:
    """The objective, two outcomes and four outputs, parents set once they have keys."""
    results = [Result(project=project, level=Result.Level.OBJECTIVE, title=f"Overall objective of {project.code}")]
    results += [
        Result(project=project, level=Result.Level.OUTCOME, title=f"Outcome {number}", order=number)
        for number in (1, 2)
    ]
    results += [
        Result(project=project, level=Result.Level.OUTPUT, title=f"Output {number}", order=number)
        for number in (1, 2, 3, 4)
    ]
    return results


def _indicators(project: Project, results: list[Result], rng: random.Random) -> list[Indicator]:
    indicators = []
    for index in range(INDICATORS):
        if index < len(SHARED):
            code, title, unit, by_sex = SHARED[index]
        else:
            unit = rng.choice(UNITS)
            code, title, by_sex = "", f"Indicator {index + 1} of {project.code}", False
            by_sex = unit == Indicator.Unit.NUMBER and rng.random() < 0.4
        indicators.append(
            Indicator(
                project=project,
                result=results[RESULT_OF_INDICATOR[index]],
                code=code,
                title=title,
                unit=unit,
                by_sex=by_sex,
                baseline_value=None if unit == Indicator.Unit.TEXT else Decimal(0),
                baseline_year=project.planned_start.year,
                order=index + 1,
            )
        )
    return indicators


def _value(indicator: Indicator, rng: random.Random) -> Decimal:
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        return Decimal(rng.randint(0, 100))
    if indicator.unit == Indicator.Unit.YES_NO:
        return Decimal(rng.randint(0, 1))
    return Decimal(rng.randint(1, 200))


def _parts(indicator: Indicator, value: Decimal | None, rng: random.Random) -> dict:
    if not indicator.by_sex or value is None:
        return {}
    women = Decimal(rng.randint(0, int(value)))
    men = Decimal(rng.randint(0, int(value - women)))
    return {"women": women, "men": men, "other": value - women - men}


def _figures(indicator: Indicator, period: ReportingPeriod | None, rng: random.Random, model) -> object:
    if indicator.unit == Indicator.Unit.TEXT:
        text = "Drafted" if model is Target else "Draft discussed with the ministry"
        return model(project_id=indicator.project_id, indicator=indicator, period=period, text=text)
    value = _value(indicator, rng)
    return model(
        project_id=indicator.project_id, indicator=indicator, period=period, value=value,
        **_parts(indicator, value, rng),
    )  # fmt: skip


def _create_frameworks(projects: list[Project], seed: int) -> dict[str, int]:
    now = timezone.now()
    rngs = {project.pk: random.Random(f"{seed}:{project.code}:results") for project in projects}
    frameworks = {project.pk: _results(project) for project in projects}
    # Objectives first, then outcomes pointing at them, then outputs pointing at the outcomes.
    Result.objects.bulk_create([results[0] for results in frameworks.values()], batch_size=BATCH_SIZE)
    for results in frameworks.values():
        results[1].parent = results[2].parent = results[0]
    Result.objects.bulk_create([r for results in frameworks.values() for r in results[1:3]], batch_size=BATCH_SIZE)
    for results in frameworks.values():
        for index, output in enumerate(results[3:]):
            output.parent = results[1 + index // 2]
    Result.objects.bulk_create([r for results in frameworks.values() for r in results[3:]], batch_size=BATCH_SIZE)
    periods = {project.pk: _periods(project) for project in projects}
    ReportingPeriod.objects.bulk_create([p for rows in periods.values() for p in rows], batch_size=BATCH_SIZE)
    indicators = Indicator.objects.bulk_create(
        [i for project in projects for i in _indicators(project, frameworks[project.pk], rngs[project.pk])],
        batch_size=BATCH_SIZE,
    )
    targets = updates = 0
    target_batch, update_batch = [], []
    for indicator in indicators:
        rng = rngs[indicator.project_id]
        target_batch.append(_figures(indicator, None, rng, Target))
        for period in periods[indicator.project_id]:
            target_batch.append(_figures(indicator, period, rng, Target))
            update = _figures(indicator, period, rng, IndicatorUpdate)
            update.status = IndicatorUpdate.Status.APPROVED
            update.submitted_at = update.reviewed_at = now
            update_batch.append(update)
        if len(update_batch) >= BATCH_SIZE * 5:
            targets += len(Target.objects.bulk_create(target_batch, batch_size=BATCH_SIZE))
            updates += len(IndicatorUpdate.objects.bulk_create(update_batch, batch_size=BATCH_SIZE))
            target_batch, update_batch = [], []
    targets += len(Target.objects.bulk_create(target_batch, batch_size=BATCH_SIZE))
    updates += len(IndicatorUpdate.objects.bulk_create(update_batch, batch_size=BATCH_SIZE))
    return {
        "projects": len(projects),
        "indicators": len(indicators),
        "periods": sum(len(rows) for rows in periods.values()),
        "targets": targets,
        "updates": updates,
    }


def reset() -> None:
    """Deletes the frameworks of every scale project in a few statements (updates protect periods)."""
    scale = Project.objects.filter(code__startswith=PREFIX)
    for model in (IndicatorUpdate, Target, Indicator):
        model.objects.filter(project__in=scale)._raw_delete(model.objects.db)
    ReportingPeriod.objects.filter(project__in=scale)._raw_delete(ReportingPeriod.objects.db)
    results = Result.objects.filter(project__in=scale)
    Result.activities.through.objects.filter(result__in=results)._raw_delete(Result.objects.db)
    for level in (Result.Level.OUTPUT, Result.Level.OUTCOME, Result.Level.OBJECTIVE):
        results.filter(level=level)._raw_delete(Result.objects.db)


def seed_bench_results(*, projects: int | None = None, seed: int = 1) -> dict[str, int]:
    """Frameworks for the first `projects` scale projects (all if None) that have none yet."""
    scale = Project.objects.filter(code__startswith=PREFIX).exclude(results__isnull=False).order_by("code")
    wanted = [project for project in scale if projects is None or int(project.code.removeprefix(PREFIX)) <= projects]
    return _create_frameworks(wanted, seed)


class Command(BaseCommand):
    help = (
        "Gives scale-* projects (seed_scale) a results framework with 20 indicators, 8 periods, targets "
        "and approved updates, for the bench. Projects that have one keep it unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--projects", type=int, default=None, help="Only scale-00001..N (default: all).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--reset", action="store_true", help="Delete every scale project's framework first.")

    def handle(self, *args, **options):
        if options["projects"] is not None and options["projects"] < 0:
            raise CommandError("--projects must not be negative.")
        with transaction.atomic():
            if options["reset"]:
                reset()
            counts = seed_bench_results(projects=options["projects"], seed=options["seed"])
        data_changed()
        touch_all()  # rows written with bulk_create: the projects' pages are out of date too
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Result, Indicator, ReportingPeriod, Target, IndicatorUpdate):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Results bench data: {counts['projects']} frameworks, {counts['indicators']} indicators, "
                f"{counts['periods']} periods, {counts['targets']} targets, {counts['updates']} approved updates."
            )
        )
