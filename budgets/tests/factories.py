import datetime
from decimal import Decimal

import factory

from budgets.models import BudgetLine, Expenditure
from projects.tests.factories import ProjectFactory


class BudgetLineFactory(factory.django.DjangoModelFactory[BudgetLine]):
    class Meta:
        model = BudgetLine

    project = factory.SubFactory(ProjectFactory)
    category = BudgetLine.Category.TRAVEL
    description = factory.Sequence(lambda n: f"Budget line {n}")
    amount = Decimal("1000.00")


class ExpenditureFactory(factory.django.DjangoModelFactory[Expenditure]):
    class Meta:
        model = Expenditure

    line = factory.SubFactory(BudgetLineFactory)
    date = datetime.date(2025, 3, 1)
    amount = Decimal("100.00")
    description = factory.Sequence(lambda n: f"Expenditure {n}")
    reference = ""
