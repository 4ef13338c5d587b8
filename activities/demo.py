"""The seed project's activities, in order, with plausible dates inside February 2019 –
February 2020. Descriptions are written for the portal. Idempotent: keyed on titles."""

import datetime

from projects.models import Organisation, Project

from .models import Activity, Participation

d = datetime.date
K = Activity.Kind

THEMES = [
    "The impacts of migration on national socio-economic development, and the state of play",
    "Migration and development",
    "Asylum, international protection and integration",
]

SEED_ACTIVITIES = [
    {
        "kind": K.DESK_RESEARCH, "title": "Desk research on the migration framework of Belarus",
        "planned": (d(2019, 2, 4), d(2019, 3, 29)), "actual": (d(2019, 2, 4), d(2019, 3, 29)), "remote": True,
        "description": "Experts reviewed the policies, institutional mandates, legislation, studies, and the "
        "international agreements and conventions to which Belarus is party, to understand the overall "
        "migration framework. The findings identified the contact points for the fact-finding mission.",
    },
    {
        "kind": K.FACT_FINDING, "title": "Fact-finding mission to Belarus",
        "planned": (d(2019, 4, 8), d(2019, 4, 12)), "actual": (d(2019, 4, 8), d(2019, 4, 12)), "city": "Minsk",
        "country": "BY",
        "description": "Bilateral and multilateral meetings with national authorities, the EU Delegation, "
        "international organisations such as IOM and UNHCR, civil society, academia and the private sector. "
        "Their needs, findings and recommendations went into the Concept of the National Migration Policy.",
    },
    {
        "kind": K.STUDY_VISIT, "title": "Study visit of Belarusian officials to an EU Member State",
        "planned": (d(2019, 6, 17), d(2019, 6, 21)), "actual": (d(2019, 6, 24), d(2019, 6, 28)),
        "description": "Belarusian officials learned how an EU Member State makes and implements migration "
        "policy and legislation, in practical visits with the officials responsible.",
    },
    *[
        {
            "kind": K.KNOWLEDGE_EXCHANGE, "title": f"Knowledge exchange {number} and group drafting exercise",
            "theme": theme, "city": "Minsk", "country": "BY",
            "planned": (start, start + datetime.timedelta(days=1)),
            "actual": (start, start + datetime.timedelta(days=1)),
            "description": f"A knowledge exchange for officials with migration management duties on “{theme.lower()}”, "
            "followed by a group drafting exercise, facilitated by experts, that formulated policy options "
            "for the draft Concept.",
        }
        for number, (theme, start) in enumerate(
            zip(
                [*THEMES, "Policy options across the three themes"],
                [d(2019, 9, 10), d(2019, 10, 8), d(2019, 11, 5), d(2019, 12, 3)],
                strict=True,
            ),
            start=1,
        )
    ],
    {
        "kind": K.REMOTE_ASSISTANCE, "title": "Remote co-drafting of the Concept",
        "planned": (d(2019, 9, 16), d(2020, 2, 14)), "actual": (d(2019, 9, 16), d(2020, 2, 14)), "remote": True,
        "description": "Experts assisted the Belarusian counterparts at a distance in co-drafting the Concept "
        "of the National Migration Policy, up to its final draft.",
    },
    {
        "kind": K.MEETING, "title": "Presentation of the first advanced draft",
        "planned": (d(2020, 1, 15), d(2020, 1, 15)), "actual": (d(2020, 1, 15), d(2020, 1, 15)), "city": "Minsk",
        "country": "BY",
        "description": "A one-day meeting presented the first advanced draft, collected participants' views and "
        "recommendations on it, and agreed the next steps.",
    },
    {
        "kind": K.CONSULTATION, "title": "Two-day consultation on the draft Concept",
        "planned": (d(2020, 1, 28), d(2020, 1, 29)), "actual": (d(2020, 1, 28), d(2020, 1, 29)), "city": "Minsk",
        "country": "BY",
        "description": "Participants' suggestions and recommendations were worked into the draft, and its "
        "content was elaborated and refined.",
    },
    {
        "kind": K.CLOSING_EVENT, "title": "Closing event: presentation of the Final Draft Concept",
        "planned": (d(2020, 2, 25), d(2020, 2, 25)), "actual": (d(2020, 2, 25), d(2020, 2, 25)), "city": "Minsk",
        "country": "BY",
        "description": "A one-day event in Minsk brought together officials of Belarus and the EU and other "
        "stakeholders to present the Final Draft National Migration Policy Concept.",
    },
]  # fmt: skip

STAKEHOLDERS = [
    # organisation name, acronym, kind, role, participants, women
    ("Republic of Belarus", "", "national_authority", "host", 14, 8),
    ("Delegation of the European Union to Belarus", "EU Delegation", "eu_institution", "participant", 2, 1),
    ("International Organization for Migration", "IOM", "international", "participant", 3, 2),
    ("United Nations High Commissioner for Refugees", "UNHCR", "international", "participant", 2, 1),
    ("Belarusian civil society organisations", "", "civil_society", "participant", 6, 4),
    ("Belarusian universities and research institutes", "", "academia", "participant", 4, 3),
    ("Belarusian employers' associations", "", "private_sector", "participant", 3, 1),
    ("International Centre for Migration Policy Development", "ICMPD", "implementing_agency", "expert", 3, 2),
]


def seed_activities(project: Project) -> None:
    for order, facts in enumerate(SEED_ACTIVITIES, start=1):
        (planned_start, planned_end), (actual_start, actual_end) = facts["planned"], facts["actual"]
        Activity.objects.update_or_create(
            project=project,
            title=facts["title"],
            defaults={
                "kind": facts["kind"], "description": facts["description"], "theme": facts.get("theme", ""),
                "planned_start": planned_start, "planned_end": planned_end, "actual_start": actual_start,
                "actual_end": actual_end, "status": Activity.Status.COMPLETED, "is_remote": facts.get("remote", False),
                "city": facts.get("city", ""), "country": facts.get("country", ""), "order": order,
            },
        )  # fmt: skip
    mission = Activity.objects.get(project=project, kind=K.FACT_FINDING)
    for name, acronym, kind, role, participants, women in STAKEHOLDERS:
        organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"acronym": acronym, "kind": kind})
        Participation.objects.update_or_create(
            activity=mission, organisation=organisation, role=role,
            defaults={"participants": participants, "women": women},
        )  # fmt: skip
