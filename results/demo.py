"""The seed project's results framework: the objective and outcome its page states, one output per
strand of its work, indicators typed and computed, periods for 2019 and 2020 with approved values,
one update returned for correction and one indicator still due. Idempotent: keyed on titles, and
no update is added to a period that has updates already. Typed figures are illustrative.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from activities.models import Activity
from projects.models import Project

from . import services
from .models import Indicator, IndicatorUpdate, ReportingPeriod, Result

d = datetime.date
K = Activity.Kind
U = Indicator.Unit
S = Indicator.Source

OBJECTIVE = (
    "Migration management and governance in Belarus improved in line with the Mobility Partnership",
    "Управление миграцией в Беларуси улучшено в соответствии с Партнёрством по вопросам мобильности",
)
OUTCOME = (
    "A Concept of the National Migration Policy drafted with the national authorities and stakeholders, and presented",
    "Концепция национальной миграционной политики разработана совместно с государственными органами "
    "и заинтересованными сторонами и представлена",
)
# title, Russian title, the kinds of activity that contribute
OUTPUTS = [
    (
        "The migration framework researched and needs identified on a fact-finding mission",
        "Изучена нормативная база в сфере миграции, потребности выявлены в ходе миссии по сбору информации",
        [K.DESK_RESEARCH, K.FACT_FINDING],
    ),
    (
        "Officials acquainted with EU Member State practice on a study visit",
        "Должностные лица ознакомлены с практикой государства — члена ЕС в ходе ознакомительного визита",
        [K.STUDY_VISIT],
    ),
    (
        "Policy options formulated at four knowledge exchanges with group drafting exercises",
        "Варианты политики сформулированы на четырёх обменах знаниями с групповой работой над текстом",
        [K.KNOWLEDGE_EXCHANGE],
    ),
    (
        "The Concept co-drafted and consulted with stakeholders",
        "Концепция разработана совместно и обсуждена с заинтересованными сторонами",
        [K.REMOTE_ASSISTANCE, K.MEETING, K.CONSULTATION, K.CLOSING_EVENT],
    ),
]

PERIODS = [(d(2019, 2, 1), d(2019, 12, 31)), (d(2020, 1, 1), d(2020, 2, 29))]


def _result(project, level, title, title_ru, parent=None) -> Result:
    result = Result.objects.filter(project=project, level=level, title=title).first()
    return result or services.result_create(project=project, level=level, parent=parent, title=title, title_ru=title_ru)


def _indicator(result, title, **fields) -> Indicator:
    return Indicator.objects.filter(result=result, title=title).first() or services.indicator_create(
        result=result, title=title, **fields
    )


def _framework(project: Project) -> dict[str, Indicator]:
    objective = _result(project, Result.Level.OBJECTIVE, *OBJECTIVE)
    outcome = _result(project, Result.Level.OUTCOME, *OUTCOME, parent=objective)
    outputs = []
    for title, title_ru, kinds in OUTPUTS:
        output = _result(project, Result.Level.OUTPUT, title, title_ru, parent=outcome)
        services.result_set_activities(result=output, activities=project.activities.filter(kind__in=kinds))
        outputs.append(output)
    return {
        "presented": _indicator(
            outcome,
            "Concept presented to the national authorities",
            title_ru="Концепция представлена",
            unit=U.YES_NO,
            source=S.EDITIONS_PRESENTED,
            means_of_verification="The edition presented at the closing event.",
            baseline_value=Decimal(0),
            baseline_year=2019,
        ),
        "received": _indicator(
            outcome,
            "Recommendations received from stakeholders",
            title_ru="Получено рекомендаций",
            source=S.RECOMMENDATIONS_RECEIVED,
            code="recommendations-received",
            means_of_verification="The concept's disposition matrix.",
        ),
        "incorporated": _indicator(
            outcome,
            "Share of recommendations incorporated",
            title_ru="Доля учтённых рекомендаций",
            unit=U.PERCENTAGE,
            source=S.RECOMMENDATIONS_INCORPORATED,
            means_of_verification="The concept's disposition matrix.",
        ),
        "consulted": _indicator(
            outputs[0],
            "Stakeholders met on the fact-finding mission",
            title_ru="Участники встреч миссии",
            source=S.PARTICIPANTS,
            activity_kind=K.FACT_FINDING,
            by_sex=True,
            means_of_verification="Participation recorded for the mission.",
        ),
        "trained": _indicator(
            outputs[1],
            "Officials trained",
            title_ru="Обучено должностных лиц",
            code="officials-trained",
            by_sex=True,
            baseline_value=Decimal(0),
            baseline_year=2019,
            means_of_verification="Attendance lists of the study visit and the knowledge exchanges.",
        ),
        "exchanges": _indicator(
            outputs[2],
            "Knowledge exchanges held",
            title_ru="Проведено обменов знаниями",
            code="knowledge-exchanges",
            source=S.ACTIVITIES_HELD,
            activity_kind=K.KNOWLEDGE_EXCHANGE,
            baseline_value=Decimal(0),
            baseline_year=2019,
            means_of_verification="Agendas and reports of the knowledge exchanges.",
        ),
        "disposed": _indicator(
            outputs[3],
            "Share of recommendations with a recorded disposition",
            title_ru="Доля рекомендаций с принятым решением",
            unit=U.PERCENTAGE,
            source=S.RECOMMENDATIONS_DISPOSED,
            means_of_verification="The concept's disposition matrix.",
        ),
    }


def _periods(project: Project) -> list[ReportingPeriod]:
    periods = []
    for start, end in PERIODS:
        period = ReportingPeriod.objects.filter(project=project, start=start, end=end).first()
        periods.append(period or services.period_create(project=project, start=start, end=end))
    return periods


def _targets(indicators, periods) -> None:
    first, second = periods
    services.target_set(indicator=indicators["presented"], period=None, value=Decimal(1))
    services.target_set(indicator=indicators["exchanges"], period=None, value=Decimal(4))
    services.target_set(indicator=indicators["exchanges"], period=first, value=Decimal(4))
    services.target_set(
        indicator=indicators["trained"], period=None, value=Decimal(60), women=Decimal(30), men=Decimal(30)
    )
    services.target_set(
        indicator=indicators["trained"], period=first, value=Decimal(45), women=Decimal(22), men=Decimal(23)
    )
    services.target_set(
        indicator=indicators["trained"], period=second, value=Decimal(15), women=Decimal(8), men=Decimal(7)
    )
    services.target_set(indicator=indicators["incorporated"], period=None, value=Decimal(50))
    services.target_set(indicator=indicators["disposed"], period=None, value=Decimal(100))


def _approved(indicator, period, drafter, manager, **fields) -> IndicatorUpdate:
    update = services.update_save(indicator=indicator, period=period, user=drafter, submit=True, **fields)
    return services.update_approve(update=update, user=manager)


def _updates(indicators, periods, drafter, manager) -> None:
    first, second = periods
    if not IndicatorUpdate.objects.filter(period=first).exists():
        _approved(
            indicators["trained"],
            first,
            drafter,
            manager,
            value=Decimal(12),
            women=Decimal(7),
            men=Decimal(5),
            narrative="Officials of the study visit.",
        )
        _approved(
            indicators["trained"],
            first,
            drafter,
            manager,
            value=Decimal(31),
            women=Decimal(17),
            men=Decimal(14),
            narrative="Officials at the four knowledge exchanges.",
        )
        for key in ("exchanges", "consulted", "received", "incorporated", "disposed"):
            _approved(indicators[key], first, drafter, manager, narrative="Computed by the portal.")
    if not IndicatorUpdate.objects.filter(period=second).exists():
        for key in ("presented", "incorporated", "disposed"):
            _approved(indicators[key], second, drafter, manager, narrative="Computed by the portal.")
        returned = services.update_save(
            indicator=indicators["trained"],
            period=second,
            user=drafter,
            submit=True,
            value=Decimal(15),
            women=Decimal(9),
            men=Decimal(6),
            narrative="Officials at the consultation.",
        )
        services.update_return(
            update=returned,
            user=manager,
            comment="The attendance list names 14 officials, 8 of them women: correct the figures.",
        )
        # "Recommendations received" in 2020 is left unreported: the demo's indicator still due.


def seed_results(project: Project) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["manager", "counterpart"])}
    indicators = _framework(project)
    periods = _periods(project)
    _targets(indicators, periods)
    _updates(indicators, periods, users["counterpart"], users["manager"])
