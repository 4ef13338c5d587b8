"""The seed project's activities, in order, with plausible dates inside February 2019 –
February 2020. Descriptions are written for the portal. Idempotent: keyed on titles.

Most activities have a Russian version; the consultation's description has none, so that
the Russian pages show the English fallback.
"""

import datetime

from projects.demo import ORGANISATION_NAMES_RU
from projects.models import Organisation, Project

from .models import Activity, Participation

d = datetime.date
K = Activity.Kind

THEMES = [
    "The impacts of migration on national socio-economic development, and the state of play",
    "Migration and development",
    "Asylum, international protection and integration",
]
THEMES_RU = [
    "Влияние миграции на социально-экономическое развитие страны и текущее положение дел",
    "Миграция и развитие",
    "Убежище, международная защита и интеграция",
]

SEED_ACTIVITIES = [
    {
        "kind": K.DESK_RESEARCH, "title": "Desk research on the migration framework of Belarus",
        "planned": (d(2019, 2, 4), d(2019, 3, 29)), "actual": (d(2019, 2, 4), d(2019, 3, 29)), "remote": True,
        "description": "Experts reviewed the policies, institutional mandates, legislation, studies, and the "
        "international agreements and conventions to which Belarus is party, to understand the overall "
        "migration framework. The findings identified the contact points for the fact-finding mission.",
        "title_ru": "Кабинетное исследование нормативной и институциональной базы Беларуси в сфере миграции",
        "description_ru": "Эксперты изучили политику, полномочия ведомств, законодательство, исследования, а также "
        "международные соглашения и конвенции, участником которых является Беларусь, чтобы составить общее "
        "представление о нормативной и институциональной базе в сфере миграции. По итогам исследования были "
        "определены контактные лица для миссии по сбору информации.",
    },
    {
        "kind": K.FACT_FINDING, "title": "Fact-finding mission to Belarus",
        "planned": (d(2019, 4, 8), d(2019, 4, 12)), "actual": (d(2019, 4, 8), d(2019, 4, 12)), "city": "Minsk",
        "country": "BY",
        "description": "Bilateral and multilateral meetings with national authorities, the EU Delegation, "
        "international organisations such as IOM and UNHCR, civil society, academia and the private sector. "
        "Their needs, findings and recommendations went into the Concept of the National Migration Policy.",
        "title_ru": "Миссия по сбору информации в Беларусь",
        "description_ru": "Двусторонние и многосторонние встречи с государственными органами, Представительством "
        "ЕС, международными организациями, в том числе МОМ и УВКБ ООН, гражданским обществом, академическим "
        "сообществом и частным сектором. Высказанные ими потребности, выводы и рекомендации были учтены "
        "в Концепции национальной миграционной политики.",
    },
    {
        "kind": K.STUDY_VISIT, "title": "Study visit of Belarusian officials to an EU Member State",
        "planned": (d(2019, 6, 17), d(2019, 6, 21)), "actual": (d(2019, 6, 24), d(2019, 6, 28)),
        "description": "Belarusian officials learned how an EU Member State makes and implements migration "
        "policy and legislation, in practical visits with the officials responsible.",
        "title_ru": "Ознакомительный визит белорусских должностных лиц в государство — член ЕС",
        "description_ru": "Белорусские должностные лица ознакомились с тем, как в государстве — члене ЕС "
        "разрабатываются и реализуются миграционная политика и законодательство, в ходе практических визитов "
        "и встреч с ответственными должностными лицами.",
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
            "title_ru": f"Обмен знаниями № {number} и групповая работа над текстом",
            "theme_ru": theme_ru,
            "description_ru": "Обмен знаниями для должностных лиц, в обязанности которых входит управление "
            f"миграцией, на тему «{theme_ru[0].lower()}{theme_ru[1:]}», за которым последовала групповая работа "
            "над текстом под руководством экспертов; в её ходе были сформулированы варианты политики для проекта "
            "Концепции.",
        }
        for number, (theme, theme_ru, start) in enumerate(
            zip(
                [*THEMES, "Policy options across the three themes"],
                [*THEMES_RU, "Варианты политики по трём темам"],
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
        "title_ru": "Дистанционная совместная разработка Концепции",
        "description_ru": "Эксперты дистанционно содействовали белорусским партнёрам в совместной разработке "
        "Концепции национальной миграционной политики вплоть до подготовки её окончательного проекта.",
    },
    {
        "kind": K.MEETING, "title": "Presentation of the first advanced draft",
        "planned": (d(2020, 1, 15), d(2020, 1, 15)), "actual": (d(2020, 1, 15), d(2020, 1, 15)), "city": "Minsk",
        "country": "BY",
        "description": "A one-day meeting presented the first advanced draft, collected participants' views and "
        "recommendations on it, and agreed the next steps.",
        "title_ru": "Презентация первого доработанного проекта",
        "description_ru": "На однодневной встрече был представлен первый доработанный проект, собраны мнения "
        "и рекомендации участников по нему и согласованы дальнейшие шаги.",
    },
    {
        "kind": K.CONSULTATION, "title": "Two-day consultation on the draft Concept",
        "planned": (d(2020, 1, 28), d(2020, 1, 29)), "actual": (d(2020, 1, 28), d(2020, 1, 29)), "city": "Minsk",
        "country": "BY",
        "description": "Participants' suggestions and recommendations were worked into the draft, and its "
        "content was elaborated and refined.",
        "title_ru": "Двухдневная консультация по проекту Концепции",  # no Russian description: the fallback shows
    },
    {
        "kind": K.CLOSING_EVENT, "title": "Closing event: presentation of the Final Draft Concept",
        "planned": (d(2020, 2, 25), d(2020, 2, 25)), "actual": (d(2020, 2, 25), d(2020, 2, 25)), "city": "Minsk",
        "country": "BY",
        "description": "A one-day event in Minsk brought together officials of Belarus and the EU and other "
        "stakeholders to present the Final Draft National Migration Policy Concept.",
        "title_ru": "Заключительное мероприятие: презентация окончательного проекта Концепции",
        "description_ru": "Однодневное мероприятие в Минске собрало должностных лиц Беларуси и ЕС, а также "
        "другие заинтересованные стороны для презентации окончательного проекта Концепции национальной "
        "миграционной политики.",
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

# Who took part in each knowledge exchange (their participant lists are among the seed's documents).
KNOWLEDGE_EXCHANGE_PARTICIPANTS = [
    # (participants, women) of the Republic of Belarus (host) and of ICMPD (experts), per exchange
    ((22, 13), (3, 2)),
    ((19, 11), (3, 1)),
    ((24, 15), (2, 1)),
    ((21, 12), (3, 2)),
]


def seed_activities(project: Project) -> None:
    for order, facts in enumerate(SEED_ACTIVITIES, start=1):
        (planned_start, planned_end), (actual_start, actual_end) = facts["planned"], facts["actual"]
        Activity.objects.update_or_create(
            project=project,
            title=facts["title"],
            defaults={
                "kind": facts["kind"], "description": facts["description"], "theme": facts.get("theme", ""),
                "title_ru": facts.get("title_ru", ""), "description_ru": facts.get("description_ru", ""),
                "theme_ru": facts.get("theme_ru", ""),
                "planned_start": planned_start, "planned_end": planned_end, "actual_start": actual_start,
                "actual_end": actual_end, "status": Activity.Status.COMPLETED, "is_remote": facts.get("remote", False),
                "city": facts.get("city", ""), "country": facts.get("country", ""), "order": order,
            },
        )  # fmt: skip
    _seed_knowledge_exchange_participation(project)
    mission = Activity.objects.get(project=project, kind=K.FACT_FINDING)
    for name, acronym, kind, role, participants, women in STAKEHOLDERS:
        organisation, _ = Organisation.objects.get_or_create(name=name, defaults={"acronym": acronym, "kind": kind})
        if not organisation.name_ru:  # a name given by hand since is kept
            organisation.name_ru = ORGANISATION_NAMES_RU.get(name, "")
            organisation.save(update_fields=["name_ru"])
        Participation.objects.update_or_create(
            activity=mission, organisation=organisation, role=role,
            defaults={"participants": participants, "women": women},
        )  # fmt: skip


def _seed_knowledge_exchange_participation(project: Project) -> None:
    host = Organisation.objects.get_or_create(name=STAKEHOLDERS[0][0], defaults={"kind": STAKEHOLDERS[0][2]})[0]
    experts = Organisation.objects.get_or_create(
        name=STAKEHOLDERS[-1][0], defaults={"acronym": STAKEHOLDERS[-1][1], "kind": STAKEHOLDERS[-1][2]}
    )[0]
    exchanges = Activity.objects.filter(project=project, kind=K.KNOWLEDGE_EXCHANGE).order_by("order")
    for exchange, (officials, team) in zip(exchanges, KNOWLEDGE_EXCHANGE_PARTICIPANTS, strict=False):
        for organisation, role, (participants, women) in [(host, "host", officials), (experts, "expert", team)]:
            Participation.objects.update_or_create(
                activity=exchange,
                organisation=organisation,
                role=role,
                defaults={"participants": participants, "women": women},
            )
