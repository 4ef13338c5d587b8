"""Demo reports. The seed project has an approved interim report for 2019 and an approved final
report due at its end in February 2020, both submitted through the services so that their figures
are frozen from the demo records; the Georgian project has one report due in two weeks and one
overdue, with dates worked out from today on every run. Idempotent: keyed on the reports' titles.
Narratives are written in our own words.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from projects.models import Project
from results.models import project_bounds

from . import services
from .models import Report

d = datetime.date

INTERIM = {
    "en": "The project started in February 2019 with desk research on the migration framework of Belarus "
    "and a fact-finding mission to Minsk, which met the ministries and agencies concerned.\n\n"
    "- A study visit acquainted officials with the practice of an EU Member State.\n"
    "- Three knowledge exchanges worked through policy options in group drafting exercises.\n\n"
    "The first advanced draft of the Concept was prepared with the national drafting group. "
    "Spending followed the plan; travel costs of the study visit were slightly lower than budgeted.",
    "ru": "Проект начался в феврале 2019 года с кабинетного исследования миграционного законодательства "
    "Беларуси и миссии по сбору информации в Минск, в ходе которой состоялись встречи с профильными "
    "министерствами и ведомствами.\n\n"
    "- Ознакомительный визит познакомил должностных лиц с практикой государства — члена ЕС.\n"
    "- На трёх обменах знаниями варианты политики прорабатывались в групповой работе над текстом.\n\n"
    "Вместе с национальной рабочей группой подготовлен первый продвинутый проект Концепции. "
    "Расходы соответствовали плану; расходы на поездку в рамках ознакомительного визита оказались "
    "несколько ниже запланированных.",
}
FINAL = {
    "en": "Over its twelve months the project supported the national authorities in drafting the Concept "
    "of the National Migration Policy. After the fourth knowledge exchange, the text was co-drafted "
    "remotely and discussed at consultations with state bodies and civil society.\n\n"
    "The final draft Concept was presented at the closing event in February 2020. Recommendations "
    "received during the consultations were answered one by one, and most were incorporated.",
    "ru": "За двенадцать месяцев проект оказал поддержку государственным органам в разработке Концепции "
    "национальной миграционной политики. После четвёртого обмена знаниями текст дорабатывался "
    "дистанционно и обсуждался на консультациях с государственными органами и гражданским обществом.\n\n"
    "Окончательный проект Концепции был представлен на заключительном мероприятии в феврале 2020 года. "
    "На каждую рекомендацию, полученную в ходе консультаций, дан ответ; большинство из них учтено.",
}


def _approved_report(project, *, title, title_ru, kind, start, end, due, narrative, writer, approver, approved_on):
    report = Report.objects.filter(project=project, title=title).first()
    if report is None:
        report = services.report_create(
            project=project,
            kind=kind,
            title=title,
            title_ru=title_ru,
            period_start=start,
            period_end=end,
            due_date=due,
            responsible=[writer],
        )
    if report.state == Report.State.APPROVED:
        return report
    for language, body in narrative.items():
        head = services.narrative_head(report=report, language=language)
        if head is None:
            services.narrative_save(report=report, language=language, base_number=0, body=body, user=writer)
    if report.state != Report.State.SUBMITTED:
        services.report_submit(report=report, user=writer)
    services.report_approve(report=report, user=approver)
    # The sign-off as it happened then, not on the day the demo is loaded.
    submitted = timezone.make_aware(
        datetime.datetime.combine(approved_on - datetime.timedelta(days=5), datetime.time(10))
    )
    Report.objects.filter(pk=report.pk).update(
        submitted_at=submitted, approved_at=submitted + datetime.timedelta(days=5, hours=4)
    )
    return report


def seed_reports(seed: Project) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["manager", "counterpart"])}
    writer, approver = users["counterpart"], users["manager"]
    seed_start, seed_end = project_bounds(seed)
    services.schedule_save(project=seed, interim_months=None, final_report=False, days_to_submit=30)
    _approved_report(
        seed,
        title="Interim report 2019",
        title_ru="Промежуточный отчёт за 2019 год",
        kind=Report.Kind.INTERIM,
        start=seed_start,
        end=d(2019, 12, 31),
        due=d(2020, 1, 31),
        narrative=INTERIM,
        writer=writer,
        approver=approver,
        approved_on=d(2020, 2, 7),
    )
    _approved_report(
        seed,
        title="Final report",
        title_ru="Итоговый отчёт",
        kind=Report.Kind.FINAL,
        start=seed_start,
        end=seed_end,
        due=seed_end,
        narrative=FINAL,
        writer=writer,
        approver=approver,
        approved_on=d(2020, 3, 20),
    )
    seed_due_reports(Project.objects.get(slug="labour-migration-data-georgia"))


def seed_due_reports(project: Project, *, today: datetime.date | None = None) -> None:
    """A quarterly report overdue by five days, and the next one, due in two weeks; each due a month
    after its period (kept inside the project)."""
    today = today or timezone.localdate()
    first, last = project_bounds(project)
    overdue_end = min(today - datetime.timedelta(days=35), last)
    soon_end = min(today - datetime.timedelta(days=16), last)
    periods = [
        (
            "Quarterly report (overdue)",
            overdue_end - relativedelta(months=3) + datetime.timedelta(days=1),
            overdue_end,
            today - datetime.timedelta(days=5),
        ),
        (
            "Quarterly report (due soon)",
            overdue_end + datetime.timedelta(days=1),
            soon_end,
            today + datetime.timedelta(days=14),
        ),
    ]
    for title, start, end, due in periods:
        fields = {"period_start": max(start, first), "period_end": end, "due_date": max(due, end)}
        report = Report.objects.filter(project=project, title=title).first()
        if report is None:
            services.report_create(project=project, kind=Report.Kind.CUSTOM, title=title, **fields)
        elif report.is_editable:
            services.report_update(report=report, responsible=report.responsible.all(), **fields)
