"""Demo data for the projects app: the seed project of the facility and a few others.

Used by `manage.py seed_demo`; every function is idempotent (keyed on codes and names).
Descriptions are written for the portal; facts (names, dates, amounts) are the project's.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from .models import DONORS_GROUP, FundingInstrument, Membership, Organisation, Project, ProjectPartner, Role

SEED_SLUG = "concept-national-migration-policy-belarus"
DEMO_PASSWORD = "demo"  # noqa: S105 - demo accounts, created only by seed_demo
STAFF_GROUP = "Programme staff"
# No "auth": only superusers grant rights (accounts/admin.py).
STAFF_APPS = ["projects", "activities", "budgets", "concepts", "documents", "results", "dashboards"]

SEED_SUMMARY = """\
The project helped the Government of the Republic of Belarus draw up a concept for the
country's migration policy, so that migration is managed and governed in line with the
country's social and economic priorities and needs.

It followed the priorities of the Joint Declaration on a Mobility Partnership that Belarus,
the European Union and participating Member States signed in October 2018: better
migration policies and legal framework, and stronger institutions for managing migration,
through exchange of experience and capacity building.
"""

SEED_SUMMARY_RU = """\
Проект оказал содействие Правительству Республики Беларусь в разработке концепции
миграционной политики страны, с тем чтобы управление миграцией и её регулирование
осуществлялись в соответствии с социально-экономическими приоритетами и потребностями страны.

Проект соответствовал приоритетам Совместной декларации о партнёрстве по вопросам мобильности,
подписанной Беларусью, Европейским союзом и участвующими государствами — членами ЕС
в октябре 2018 года: совершенствование миграционной политики и нормативной правовой базы,
а также укрепление институтов, отвечающих за управление миграцией, посредством обмена опытом
и наращивания потенциала.
"""

ORGANISATIONS = [
    # name, acronym, kind, country
    ("International Centre for Migration Policy Development", "ICMPD", "implementing_agency", "AT"),
    ("Republic of Belarus", "", "national_authority", "BY"),
    ("European Union", "EU", "eu_institution", ""),
    ("Delegation of the European Union to Belarus", "EU Delegation", "eu_institution", "BY"),
    ("International Organization for Migration", "IOM", "international", ""),
    ("United Nations High Commissioner for Refugees", "UNHCR", "international", ""),
    ("Government of Georgia", "", "national_authority", "GE"),
    ("Kingdom of Morocco", "", "national_authority", "MA"),
    ("Republic of Armenia", "", "national_authority", "AM"),
    ("Republic of Moldova", "", "national_authority", "MD"),
]

# The organisations' names as Russian-language documents of the project give them.
ORGANISATION_NAMES_RU = {
    "International Centre for Migration Policy Development": "Международный центр по развитию миграционной политики",
    "Republic of Belarus": "Республика Беларусь",
    "European Union": "Европейский союз",
    "Delegation of the European Union to Belarus": "Представительство Европейского союза в Республике Беларусь",
    "International Organization for Migration": "Международная организация по миграции",
    "United Nations High Commissioner for Refugees": "Управление Верховного комиссара ООН по делам беженцев",
    "Government of Georgia": "Правительство Грузии",
    "Kingdom of Morocco": "Королевство Марокко",
    "Republic of Armenia": "Республика Армения",
    "Republic of Moldova": "Республика Молдова",
    "Belarusian civil society organisations": "Организации гражданского общества Беларуси",
    "Belarusian universities and research institutes": "Университеты и научно-исследовательские институты Беларуси",
    "Belarusian employers' associations": "Объединения нанимателей Беларуси",
}

# The EU's visibility requirements for what it funds: its emblem, the statement and a disclaimer.
EU_VISIBILITY = {
    "show_visibility_block": True,
    "funding_statement": "Funded by the European Union",
    "funding_statement_ru": "Финансируется Европейским союзом",
    "disclaimer": "This publication was produced with the financial support of the European Union. Its contents "
    "are the sole responsibility of ICMPD and do not necessarily reflect the views of the European Union.",
    "disclaimer_ru": "Настоящая публикация подготовлена при финансовой поддержке Европейского союза. За её "
    "содержание несёт ответственность исключительно ICMPD; оно не обязательно отражает позицию Европейского союза.",
}
INSTRUMENT_NAMES_RU = {"AMIF": "Фонд убежища, миграции и интеграции"}

INSTRUMENTS = [
    ("AMIF", "Asylum, Migration and Integration Fund"),
    ("ISF", "Internal Security Fund"),
    ("NDICI", "Neighbourhood, Development and International Cooperation Instrument"),
]

OTHER_PROJECTS = [
    {
        "code": "MPF-GE-2021-02",
        "slug": "labour-migration-data-georgia",
        "title": "Better labour migration data for policy making in Georgia",
        "thematic_area": "Labour migration and mobility",
        "status": Project.Status.IMPLEMENTATION,
        "planned_start": datetime.date(2025, 3, 1),
        "planned_end": datetime.date(2027, 2, 28),
        "actual_start": datetime.date(2025, 4, 1),
        "countries": ["GE"],
        "instrument": "NDICI",
        "total_budget": Decimal("240000.00"),
        "is_published": True,
        "beneficiary": "Government of Georgia",
        "summary": "Helps the national statistics and employment services collect and share "
        "comparable data on labour emigration and return.",
    },
    {
        "code": "MPF-MA-2024-01",
        "slug": "ict-skills-partnership-morocco",
        "title": "Skills partnership for ICT graduates between Morocco and EU Member States",
        "thematic_area": "Legal migration and mobility",
        "status": Project.Status.FINALISATION,
        "planned_start": datetime.date(2024, 1, 15),
        "planned_end": datetime.date(2026, 12, 31),
        "actual_start": datetime.date(2024, 1, 15),
        "countries": ["MA"],
        "instrument": "AMIF",
        "total_budget": Decimal("480000.00"),
        "is_published": True,
        "beneficiary": "Kingdom of Morocco",
        "summary": "Trains ICT graduates and matches them with employers in two Member States, "
        "with pre-departure orientation and support on return.",
    },
    {
        "code": "MPF-AM-2026-03",
        "slug": "reintegration-counselling-armenia",
        "title": "Reintegration counselling for returning migrants in Armenia",
        "thematic_area": "Return and reintegration",
        "status": Project.Status.PIPELINE,
        "planned_start": datetime.date(2027, 1, 1),
        "planned_end": datetime.date(2028, 6, 30),
        "actual_start": None,
        "countries": ["AM"],
        "instrument": "ISF",
        "total_budget": Decimal("150000.00"),
        "is_published": False,
        "beneficiary": "Republic of Armenia",
        "summary": "Prepares a network of municipal counsellors to advise returning migrants on "
        "jobs, housing and social services.",
    },
    {
        "code": "MPF-MD-2022-04",
        "slug": "diaspora-engagement-moldova",
        "title": "Diaspora engagement strategy for the Republic of Moldova",
        "thematic_area": "Migration and development",
        "status": Project.Status.CLOSED,
        "planned_start": datetime.date(2022, 5, 1),
        "planned_end": datetime.date(2023, 10, 31),
        "actual_start": datetime.date(2022, 6, 1),
        "actual_end": datetime.date(2023, 12, 15),
        "countries": ["MD"],
        "instrument": "AMIF",
        "total_budget": Decimal("130500.00"),
        "is_published": True,
        "beneficiary": "Republic of Moldova",
        "summary": "Supported the drafting of a diaspora engagement strategy and a pilot of "
        "matching grants for diaspora investment.",
    },
]


def seed_reference_data() -> dict[str, Organisation]:
    for code, name in INSTRUMENTS:
        visibility = EU_VISIBILITY if code == "AMIF" else {}  # the seed project's instrument
        FundingInstrument.objects.update_or_create(
            code=code, defaults={"name": name, "name_ru": INSTRUMENT_NAMES_RU.get(code, ""), **visibility}
        )
    organisations = {}
    for name, acronym, kind, country in ORGANISATIONS:
        organisations[name], _ = Organisation.objects.update_or_create(
            name=name,
            defaults={"acronym": acronym, "kind": kind, "country": country, "name_ru": ORGANISATION_NAMES_RU[name]},
        )
    return organisations


def _partner(project, organisation, role):
    ProjectPartner.objects.get_or_create(project=project, organisation=organisation, role=role)


def seed_projects() -> Project:
    """Creates or refreshes the seed project and the others; returns the seed project."""
    organisations = seed_reference_data()
    icmpd = organisations["International Centre for Migration Policy Development"]
    eu = organisations["European Union"]
    seed, _ = Project.objects.update_or_create(
        code="MPF-BY-2019-01",
        defaults={
            "slug": SEED_SLUG,
            "title": "Support to the development of the Concept of the National Migration Policy in Belarus",
            "thematic_area": "Capacity building for migration management",
            "summary": SEED_SUMMARY,
            "title_ru": "Содействие разработке Концепции национальной миграционной политики в Республике Беларусь",
            "thematic_area_ru": "Укрепление потенциала в сфере управления миграцией",
            "summary_ru": SEED_SUMMARY_RU,
            "status": Project.Status.CLOSED,
            "planned_start": datetime.date(2019, 2, 1),
            "planned_end": datetime.date(2020, 2, 29),
            "actual_start": datetime.date(2019, 2, 1),
            "actual_end": datetime.date(2020, 2, 28),
            "countries": ["BY"],
            "instrument": FundingInstrument.objects.get(code="AMIF"),
            "total_budget": Decimal("105000.00"),
            "currency": "EUR",
            "is_published": True,
            "contact_email": "MPF@icmpd.org",
        },
    )
    _partner(seed, icmpd, ProjectPartner.PartnerRole.IMPLEMENTING)
    _partner(seed, organisations["Republic of Belarus"], ProjectPartner.PartnerRole.BENEFICIARY)
    _partner(seed, eu, ProjectPartner.PartnerRole.FUNDING)

    for facts in OTHER_PROJECTS:
        facts = dict(facts)
        beneficiary = organisations[facts.pop("beneficiary")]
        facts["instrument"] = FundingInstrument.objects.get(code=facts["instrument"])
        project, _ = Project.objects.update_or_create(
            code=facts.pop("code"), defaults={**facts, "currency": "EUR", "contact_email": "MPF@icmpd.org"}
        )
        _partner(project, icmpd, ProjectPartner.PartnerRole.IMPLEMENTING)
        _partner(project, beneficiary, ProjectPartner.PartnerRole.BENEFICIARY)
        _partner(project, eu, ProjectPartner.PartnerRole.FUNDING)
    return seed


def _user(username: str, first: str, last: str, **flags):
    User = get_user_model()
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org", **flags},
    )
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    return user


def seed_users(seed_project: Project) -> dict:
    """The demo users of the public contract; password `demo` for all."""
    staff_group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    staff_group.permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
    donors, _ = Group.objects.get_or_create(name=DONORS_GROUP)

    users = {
        "staff": _user("staff", "Sofia", "Staff", is_staff=True),
        "manager": _user("manager", "Martin", "Manager"),
        "counterpart": _user("counterpart", "Alena", "Counterpart"),
        "reviewer": _user("reviewer", "Ruta", "Reviewer"),
        "donor": _user("donor", "Daniel", "Donor"),
        "outsider": _user("outsider", "Oscar", "Outsider"),
    }
    users["staff"].groups.add(staff_group)
    users["donor"].groups.add(donors)
    for username, role in [("manager", Role.MANAGER), ("counterpart", Role.DRAFTER), ("reviewer", Role.REVIEWER)]:
        Membership.objects.update_or_create(project=seed_project, user=users[username], defaults={"role": role})
    return users
