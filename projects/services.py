"""Writes on projects, partners and memberships: one transaction each, validated first."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.generations import data_changed

from .models import Membership, Organisation, Project, ProjectPartner, Role

PROJECT_FIELDS = {
    "code", "slug", "title", "thematic_area", "summary", "status", "planned_start", "planned_end",
    "actual_start", "actual_end", "countries", "instrument", "total_budget", "currency", "is_published",
    "contact_email", "title_ru", "thematic_area_ru", "summary_ru",
}  # fmt: skip


def _apply(instance, fields: dict, allowed: set[str]):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value)


@transaction.atomic
def project_create(*, user, **fields) -> Project:
    project = Project()
    _apply(project, fields, PROJECT_FIELDS)
    project._change_reason = _("Created")
    project.full_clean()
    project.save()
    data_changed()
    return project


@transaction.atomic
def project_update(*, project: Project, user, **fields) -> Project:
    _apply(project, fields, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    data_changed()
    return project


@transaction.atomic
def partner_add(*, project: Project, organisation: Organisation, role: str) -> ProjectPartner:
    partner = ProjectPartner(project=project, organisation=organisation, role=role)
    if ProjectPartner.objects.filter(project=project, organisation=organisation, role=role).exists():
        raise ValidationError(
            {"organisation": _("%(organisation)s is already a partner of this project in that role.")
             % {"organisation": organisation}}
        )  # fmt: skip
    partner.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:  # the same partner added at the same moment by someone else
        raise ValidationError({"organisation": _("That partner was just added by someone else.")}) from None
    return partner


@transaction.atomic
def partner_remove(*, partner: ProjectPartner) -> None:
    partner.delete()


@transaction.atomic
def membership_set(*, project: Project, user, role: str) -> Membership:
    """Adds `user` to the project with `role`, or changes their role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership, _created = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership.delete()
