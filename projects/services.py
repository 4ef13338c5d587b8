"""Writes on projects, partners and memberships: one transaction each, validated first."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.models import Kind as AuditKind
from audit.services import record
from common.generations import data_changed

from .models import RESERVED_SLUGS, Membership, Organisation, Project, ProjectPartner, Role

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


SLUG_LENGTH = Project._meta.get_field("slug").max_length


def project_slug_unique(*, title: str, code: str = "") -> str:
    """A free slug made from the title (else the code, else "project"), with -2, -3… added when taken."""
    base = (slugify(title) or slugify(code) or "project")[: SLUG_LENGTH - 6].strip("-") or "project"
    candidate, number = base, 1
    while candidate in RESERVED_SLUGS or Project.objects.filter(slug=candidate).exists():
        number += 1
        candidate = f"{base}-{number}"
    return candidate


@transaction.atomic
def project_create(*, user, partners: Iterable[dict] = (), **fields) -> Project:
    """Creates the project and its first partners (each a dict of organisation and role) together.

    An empty slug is made from the title (project_slug_unique)."""
    if not fields.get("slug"):
        fields["slug"] = project_slug_unique(title=fields.get("title", ""), code=fields.get("code", ""))
    project = Project()
    _apply(project, fields, PROJECT_FIELDS)
    project._change_reason = _("Created")
    project.full_clean()
    project.save()
    for partner in partners:
        partner_add(project=project, organisation=partner["organisation"], role=partner["role"])
    if project.is_published:
        record(kind=AuditKind.PROJECT_PUBLISHED, actor=user, target=project)
    data_changed()
    return project


@transaction.atomic
def project_update(*, project: Project, user, **fields) -> Project:
    was_published = Project.objects.filter(pk=project.pk).values_list("is_published", flat=True).first()
    _apply(project, fields, PROJECT_FIELDS)
    project.full_clean()
    project.save()
    if was_published is not None and was_published != project.is_published:
        kind = AuditKind.PROJECT_PUBLISHED if project.is_published else AuditKind.PROJECT_UNPUBLISHED
        record(kind=kind, actor=user, target=project)
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
    record(kind=AuditKind.OBJECT_DELETED, target=partner, project=partner.project)
    partner.delete()


@transaction.atomic
def membership_set(*, project: Project, user, role: str) -> Membership:
    """Adds `user` to the project with `role`, or changes their role."""
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    before = Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()
    membership, _created = Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
    if before != role:
        kind = AuditKind.MEMBERSHIP_ADDED if before is None else AuditKind.MEMBERSHIP_CHANGED
        details = {"member": user.get_username(), "role": role, "previous_role": before}
        record(kind=kind, target=membership, project=project, details=details)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    details = {"member": membership.user.get_username(), "role": membership.role}
    record(kind=AuditKind.MEMBERSHIP_REMOVED, target=membership, project=membership.project, details=details)
    membership.delete()
