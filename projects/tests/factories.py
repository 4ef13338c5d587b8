import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from projects.models import FundingInstrument, Membership, Organisation, Project, ProjectPartner, Role


class UserFactory(factory.django.DjangoModelFactory[get_user_model()]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("demo-password")


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.NATIONAL_AUTHORITY


class FundingInstrumentFactory(factory.django.DjangoModelFactory[FundingInstrument]):
    class Meta:
        model = FundingInstrument
        django_get_or_create = ["code"]

    code = "AMIF"
    name = "Asylum, Migration and Integration Fund"


class ProjectFactory(factory.django.DjangoModelFactory[Project]):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"MPF-T-{n:04d}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Test project {n}")
    thematic_area = "Capacity building for migration management"
    status = Project.Status.IMPLEMENTATION
    planned_start = datetime.date(2025, 1, 1)
    planned_end = datetime.date(2025, 12, 31)
    countries = ["BY"]
    instrument = factory.SubFactory(FundingInstrumentFactory)
    total_budget = Decimal("100000.00")
    currency = "EUR"
    is_published = False


class ProjectPartnerFactory(factory.django.DjangoModelFactory[ProjectPartner]):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = ProjectPartner.PartnerRole.IMPLEMENTING


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.DRAFTER


def _member(username, role, *projects):
    user = UserFactory(username=username)
    for project in projects:
        MembershipFactory(project=project, user=user, role=role)
    return user


def role_users(*, project: Project, published_project: Project, other_project: Project) -> dict:
    """One user per role: members of `project` and `published_project`, and those outside them."""
    from django.contrib.auth.models import AnonymousUser, Group

    from projects.models import DONORS_GROUP

    donors, _ = Group.objects.get_or_create(name=DONORS_GROUP)
    portfolio_donor = UserFactory(username="portfolio_donor")
    portfolio_donor.groups.add(donors)
    return {
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(username="outsider"),
        "other_drafter": _member("other_drafter", Role.DRAFTER, other_project),
        "portfolio_donor": portfolio_donor,
        "donor": _member("donor", Role.DONOR, project, published_project),
        "reviewer": _member("reviewer", Role.REVIEWER, project, published_project),
        "drafter": _member("drafter", Role.DRAFTER, project, published_project),
        "manager": _member("manager", Role.MANAGER, project, published_project),
        "staff": UserFactory(username="staff", is_staff=True),
    }
