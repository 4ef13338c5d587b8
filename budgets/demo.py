"""Demo budget of the seed project: a plausible split of EUR 105,000.00, one revision, and
expenditure that adds up. Idempotent: keyed on each line's description."""

import datetime
from decimal import Decimal

from projects.models import Project

from .models import BudgetLine, BudgetRevision, Expenditure

D = Decimal
SEED_LINES = [
    # category, description, original amount, [(date, amount, description, reference)]
# Lines for a single activity are linked to it by ACTIVITY_OF_LINE.
    ("staff", "Project management and coordination", D("16000.00"), [
        ("2019-06-30", D("7800.00"), "Project management, February to June 2019", "TS-2019-06"),
        ("2020-02-28", D("8200.00"), "Project management, July 2019 to February 2020", "TS-2020-02"),
    ]),
    ("experts", "International and national experts: research, facilitation, drafting", D("35000.00"), [
        ("2019-04-15", D("6500.00"), "Desk research on the migration framework of Belarus", "EXP-2019-011"),
        ("2019-11-30", D("14000.00"), "Facilitation of four knowledge exchanges and drafting groups", "EXP-2019-047"),
        ("2020-02-20", D("13900.00"), "Remote co-drafting assistance and finalisation of the Concept", "EXP-2020-006"),
    ]),
    ("travel", "Fact-finding mission: travel and subsistence", D("6000.00"), [
        ("2019-04-30", D("5350.40"), "Fact-finding mission to Minsk: flights, hotel, per diem", "TR-2019-019"),
    ]),
    ("travel", "Study visit to an EU Member State", D("19000.00"), [
        ("2019-07-12", D("16400.00"), "Study visit of Belarusian officials to an EU Member State", "TR-2019-032"),
    ]),
    ("events", "Knowledge exchanges: venues and catering", D("8100.00"), [
        ("2019-10-25", D("4700.00"), "Venues and catering, knowledge exchanges 1 and 2", "EV-2019-044"),
        ("2019-12-20", D("4900.00"), "Venues and catering, knowledge exchanges 3 and 4", "EV-2019-061"),
    ]),
    ("events", "Presentation of the advanced draft and consultation", D("4300.00"), [
        ("2020-01-31", D("4300.00"), "Presentation of the advanced draft; two-day consultation", "EV-2020-002"),
    ]),
    ("events", "Closing event in Minsk", D("5600.00"), [
        ("2020-02-26", D("5600.00"), "Closing event in Minsk: venue, catering, equipment", "EV-2020-009"),
    ]),
    ("communication", "Translation and interpretation (English–Russian)", D("4131.00"), [
        ("2020-02-27", D("4131.00"), "Interpretation at events and translation of the draft Concept", "TRN-2020-004"),
    ]),
    ("indirect", "Indirect costs (7%)", D("6869.00"), [
        ("2020-02-28", D("6869.00"), "Indirect costs", "IND-2020"),
    ]),
]  # fmt: skip
SEED_REVISIONS = [
    # line description, new amount, date, reason
    ("Study visit to an EU Member State", D("17000.00"), "2019-09-16",
     "The study visit cost less than planned; the savings extend the knowledge exchanges."),
    ("Knowledge exchanges: venues and catering", D("10100.00"), "2019-09-16",
     "Longer knowledge exchanges, funded by the savings on the study visit."),
]  # fmt: skip


ACTIVITY_OF_LINE = {
    "Fact-finding mission: travel and subsistence": "Fact-finding mission to Belarus",
    "Study visit to an EU Member State": "Study visit of Belarusian officials to an EU Member State",
    "Presentation of the advanced draft and consultation": "Two-day consultation on the draft Concept",
    "Closing event in Minsk": "Closing event: presentation of the Final Draft Concept",
}


def seed_budget(project: Project) -> None:
    activities = {activity.title: activity for activity in project.activities.all()}
    for category, description, amount, expenditures in SEED_LINES:
        activity = activities.get(ACTIVITY_OF_LINE.get(description, ""))
        line, _ = BudgetLine.objects.update_or_create(
            project=project,
            description=description,
            defaults={"category": category, "amount": amount, "activity": activity},
        )
        for date, spent, what, reference in expenditures:
            Expenditure.objects.update_or_create(
                line=line, reference=reference, defaults={"date": date, "amount": spent, "description": what}
            )
    for description, amount, date, reason in SEED_REVISIONS:
        line = BudgetLine.objects.get(project=project, description=description)
        BudgetRevision.objects.get_or_create(line=line, date=datetime.date.fromisoformat(date), amount=amount,
                                             defaults={"reason": reason})  # fmt: skip


def seed_other_budgets(codes) -> None:
    """A smaller budget on the other demo projects, so dashboards have something to add up."""
    for project in Project.objects.filter(code__in=codes):
        if project.budget_lines.exists():
            continue
        share = project.total_budget / 4
        for category, description in [("staff", "Project team"), ("experts", "Experts"), ("events", "Workshops"),
                                      ("other", "Other costs")]:  # fmt: skip
            line = BudgetLine.objects.create(project=project, category=category, description=description, amount=share)
            if project.status in (Project.Status.IMPLEMENTATION, Project.Status.FINALISATION, Project.Status.CLOSED):
                spent = (share * D("0.6")).quantize(D("0.01"))
                start = project.actual_start or project.planned_start
                Expenditure.objects.create(
                    line=line,
                    date=start + datetime.timedelta(days=90),
                    amount=spent,
                    description=f"{description}: first instalment",
                    reference="DEMO",
                )
