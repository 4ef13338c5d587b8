import datetime

import factory

from activities.models import Activity, Participation
from projects.tests.factories import OrganisationFactory, ProjectFactory


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    project = factory.SubFactory(ProjectFactory)
    kind = Activity.Kind.KNOWLEDGE_EXCHANGE
    title = factory.Sequence(lambda n: f"Activity {n}")
    description = "What happened."
    planned_start = datetime.date(2025, 3, 10)
    planned_end = datetime.date(2025, 3, 11)
    order = factory.Sequence(lambda n: n)


class ParticipationFactory(factory.django.DjangoModelFactory[Participation]):
    class Meta:
        model = Participation

    activity = factory.SubFactory(ActivityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.PARTICIPANT
    participants = 10
    women = 6
