"""Moves the dashboards' data version on (cache.py) when anything their figures or scopes read changes."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from activities.models import Activity
from budgets.models import BudgetLine, BudgetRevision, Expenditure
from projects.models import FundingInstrument, Membership, Project

from .cache import bump_version

WATCHED = [Project, Membership, FundingInstrument, Activity, BudgetLine, BudgetRevision, Expenditure]


def connect() -> None:
    for model in WATCHED:
        post_save.connect(bump_version, sender=model, dispatch_uid=f"dashboards-save-{model._meta.label}")
        post_delete.connect(bump_version, sender=model, dispatch_uid=f"dashboards-delete-{model._meta.label}")
    m2m_changed.connect(bump_version, sender=get_user_model().groups.through, dispatch_uid="dashboards-groups")
