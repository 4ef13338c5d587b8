"""The seed project's concept: sections on its themes, several versions each, recommendations
from the fact-finding mission and the two-day consultation with every kind of disposition,
and the editions "First advanced draft" and "Final draft". The text is written for the demo.
Idempotent: nothing is added when the concept exists already."""

import datetime

from django.contrib.auth import get_user_model

from activities.models import Activity
from projects.models import Organisation, Project

from . import services
from .models import Comment, Concept

TITLE = "Concept of the National Migration Policy of the Republic of Belarus"
TITLE_RU = "Концепция национальной миграционной политики Республики Беларусь"

# (key, parent key, title, first text, later texts)
SECTIONS = [
    ("intro", None, "Introduction",
     "This Concept sets out the aims, principles and priorities of the state migration policy of the "
     "Republic of Belarus.\n\nIt was prepared with the support of the Migration Partnership Facility.",
     ["This Concept sets out the aims, principles and priorities of the state migration policy of the "
      "Republic of Belarus for the coming ten years.\n\nIt was prepared by a working group of the national "
      "authorities with the support of the Migration Partnership Facility, after consultations with "
      "international organisations, civil society and academia."]),
    ("framework", None, "Institutional framework",
     "Several state bodies share responsibility for migration management.",
     ["Several state bodies share responsibility for migration management. Their mandates are described "
      "below, together with the legal basis of their work."]),
    ("legal", "framework", "Legal and policy framework",
     "The main laws cover the legal status of foreigners, external labour migration and refugee status.",
     ["The main laws cover the legal status of foreigners, external labour migration, citizenship and "
      "refugee status and complementary protection.\n\n- Law on the legal status of foreign citizens\n"
      "- Law on external labour migration\n- Law on granting refugee status and protection"]),
    ("institutions", "framework", "Institutions responsible for migration management",
     "The Ministry of Internal Affairs coordinates migration policy.",
     ["The Ministry of Internal Affairs coordinates migration policy, working with the ministries of labour, "
      "foreign affairs, economy and education, and with the State Border Committee."]),
    ("impact", None, "The impact of migration on socio-economic development",
     "Migration affects the labour market and the demographic situation.",
     ["Migration affects the labour market, the demographic situation and regional development. Emigration "
      "of young specialists and the ageing of the population call for a policy that attracts and keeps "
      "skilled workers.",
      "Migration affects the labour market, the demographic situation and regional development. Emigration "
      "of young specialists and the ageing of the population call for a policy that attracts and keeps "
      "skilled workers.\n\nThe policy will rely on regular, comparable migration statistics."]),
    ("development", None, "Migration and development",
     "Remittances and the diaspora can contribute to development.",
     ["Remittances, the skills of returning migrants and the diaspora can all contribute to the country's "
      "development. The state will make remittances cheaper and safer and will support returning migrants."]),
    ("asylum", None, "Asylum, international protection and integration",
     "Belarus grants protection in line with its international obligations.",
     ["Belarus grants protection in line with the 1951 Refugee Convention and its other international "
      "obligations."]),
    ("procedures", "asylum", "Asylum procedures",
     "Applications for protection are examined individually.",
     ["Applications for protection are examined individually, with access to interpretation and legal aid.",
      "Applications for protection are examined individually and within set time limits, with access to "
      "interpretation and free legal aid."]),
    ("integration", "asylum", "Integration of foreigners",
     "Foreigners who stay for a long time are offered language courses.",
     ["Foreigners who stay for a long time are offered language courses and information on their rights "
      "and duties, with local authorities and civil society as partners."]),
    ("implementation", None, "Implementation, monitoring and evaluation",
     "An action plan will implement this Concept.",
     ["An action plan will implement this Concept, with indicators, responsible bodies and deadlines. "
      "Progress will be reviewed every year and the Concept evaluated after five years."]),
]  # fmt: skip

# section key, author, is recommendation, organisation, activity title, quote, text, disposition, reason
RECOMMENDATIONS = [
    ("procedures", "reviewer", True, "United Nations High Commissioner for Refugees", "Fact-finding mission to Belarus",
     "", "Set time limits for the examination of applications and guarantee free legal aid.", "incorporated", ""),
    ("impact", "reviewer", True, "International Organization for Migration", "Fact-finding mission to Belarus", "",
     "Base the policy on regular, comparable migration statistics.", "incorporated", ""),
    ("development", "reviewer", True, "International Organization for Migration",
     "Two-day consultation on the draft Concept", "",
     "Add measures to lower the cost of sending remittances.", "accepted", ""),
    ("integration", "reviewer", True, "Belarusian civil society organisations",
     "Two-day consultation on the draft Concept", "",
     "Involve civil society organisations in integration programmes.", "partly_accepted",
     "Civil society is named as a partner; funding arrangements are left to the action plan."),
    ("framework", "reviewer", True, "Belarusian universities and research institutes",
     "Two-day consultation on the draft Concept", "",
     "Create a new state agency for migration.", "declined",
     "The working group preferred to strengthen coordination between the existing bodies."),
    ("implementation", "reviewer", True, "Belarusian civil society organisations",
     "Two-day consultation on the draft Concept", "An action plan will implement this Concept",
     "Publish a yearly report on progress, open to comment by civil society.", "open", ""),
    ("implementation", "reviewer", False, "", "Two-day consultation on the draft Concept", "action plan",
     "Who will report on progress each year?", "open", ""),
]  # fmt: skip


# The Russian version, section by section: (title, text). "impact" translates the first advanced
# draft's text, so it shows as out of date once a recommendation changes the source; "implementation"
# is not translated yet.
RUSSIAN = {
    "intro": ("Введение",
              "Настоящая Концепция определяет цели, принципы и приоритеты государственной миграционной политики "
              "Республики Беларусь на ближайшие десять лет.\n\nКонцепция подготовлена рабочей группой "
              "национальных органов государственного управления при поддержке Фонда миграционного партнёрства "
              "по итогам консультаций с международными организациями, гражданским обществом и научным "
              "сообществом."),
    "framework": ("Институциональная основа",
                  "Ответственность за управление миграцией разделяют несколько государственных органов. Их "
                  "полномочия описаны ниже вместе с правовой основой их деятельности."),
    "legal": ("Правовая и политическая основа",
              "Основные законы регулируют правовое положение иностранцев, внешнюю трудовую миграцию, "
              "гражданство, а также статус беженца и дополнительную защиту.\n\n- Закон о правовом положении "
              "иностранных граждан\n- Закон о внешней трудовой миграции\n- Закон о предоставлении статуса "
              "беженца и защиты"),
    "institutions": ("Органы, ответственные за управление миграцией",
                     "Министерство внутренних дел координирует миграционную политику во взаимодействии с "
                     "министерствами труда, иностранных дел, экономики и образования, а также с "
                     "Государственным пограничным комитетом."),
    "impact": ("Влияние миграции на социально-экономическое развитие",
               "Миграция влияет на рынок труда, демографическую ситуацию и региональное развитие. Эмиграция "
               "молодых специалистов и старение населения требуют политики, которая привлекает и удерживает "
               "квалифицированных работников."),
    "development": ("Миграция и развитие",
                    "Денежные переводы, навыки возвращающихся мигрантов и диаспора могут способствовать развитию "
                    "страны. Государство сделает денежные переводы дешевле и безопаснее и будет поддерживать "
                    "возвращающихся мигрантов."),
    "asylum": ("Убежище, международная защита и интеграция",
               "Беларусь предоставляет защиту в соответствии с Конвенцией о статусе беженцев 1951 года и другими "
               "международными обязательствами."),
    "procedures": ("Процедуры предоставления убежища",
                   "Ходатайства о защите рассматриваются индивидуально и в установленные сроки, с доступом к "
                   "услугам переводчика и бесплатной юридической помощи."),
    "integration": ("Интеграция иностранцев",
                    "Иностранцам, проживающим в стране длительное время, предлагаются языковые курсы и информация "
                    "об их правах и обязанностях; партнёрами в этой работе выступают местные органы власти и "
                    "гражданское общество."),
}  # fmt: skip
RUSSIAN_COMMENT = ("legal", "Согласовать термин «дополнительная защита» с формулировкой закона.")


def _translate(section, key, user) -> None:
    section.refresh_from_db()
    title, body = RUSSIAN[key]
    services.section_save(section=section, base_number=0, title=title, body=body, user=user, language="ru",
                          source_number=section.head.number, summary="Перевод на русский язык")  # fmt: skip


def seed_concept(project: Project) -> Concept | None:
    if Concept.objects.filter(project=project, title=TITLE).exists():
        return None
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=["staff", "manager", "counterpart", "reviewer"])}  # fmt: skip
    drafter, manager = users["counterpart"], users["manager"]
    activities = {activity.title: activity for activity in Activity.objects.filter(project=project)}
    concept = services.concept_create(
        project=project, title=TITLE, title_ru=TITLE_RU, language="en", target_languages=["ru"], user=manager
    )

    sections = {}
    for key, parent, title, first, _later in SECTIONS:
        sections[key] = services.section_add(
            concept=concept, title=title, body=first, parent=sections.get(parent), user=drafter
        )
    # The first advanced draft: the second text of every section.
    for key, _parent, title, _first, later in SECTIONS:
        section = sections[key]
        section.refresh_from_db()
        services.section_save(section=section, base_number=section.head.number, title=title, body=later[0],
                              summary="Drafted after the knowledge exchanges", user=drafter)  # fmt: skip
    services.edition_create(
        concept=concept, name="First advanced draft", name_ru="Первая расширенная редакция",
        date=datetime.date(2020, 1, 15),
        presented_at=activities.get("Presentation of the first advanced draft"), is_final=False, user=manager,
    )  # fmt: skip

    _translate(sections["impact"], "impact", drafter)  # before the recommendation that changes the source

    for key, author, is_recommendation, organisation, activity, quote, text, disposition, reason in RECOMMENDATIONS:
        section = sections[key]
        section.refresh_from_db()
        comment = services.comment_add(
            section=section, version=section.head, author=users[author], body=text, quote=quote,
            is_recommendation=is_recommendation, source_activity=activities.get(activity),
            source_organisation=Organisation.objects.filter(name=organisation).first(), notify=False,
        )  # fmt: skip
        incorporated_in = None
        if disposition == Comment.Disposition.INCORPORATED:
            body = {k: later for k, _p, _t, _f, later in SECTIONS}[key][1]
            saved = services.section_save(
                section=section,
                base_number=section.head.number,
                title=section.head.title,
                body=body,
                summary=f"Incorporated the recommendation: {text}",
                user=drafter,
            )
            incorporated_in = saved.version  # fmt: skip
        if disposition != Comment.Disposition.OPEN:
            services.comment_set_disposition(comment=comment, disposition=disposition, reason=reason,
                                             incorporated_in=incorporated_in, user=manager, notify=False)  # fmt: skip

    for key in RUSSIAN:
        if key != "impact":
            _translate(sections[key], key, drafter)
    key, text = RUSSIAN_COMMENT
    section = sections[key]
    section.refresh_from_db()
    translation = section.translations.get(language="ru").head
    services.comment_add(section=section, version=translation, author=users["reviewer"], body=text, notify=False)

    services.edition_create(
        concept=concept, name="Final draft", name_ru="Окончательная редакция", date=datetime.date(2020, 2, 25),
        presented_at=activities.get("Closing event: presentation of the Final Draft Concept"), is_final=True,
        user=manager,
    )  # fmt: skip
    for _step in range(3):  # drafting → consultation → final → published
        services.concept_advance_status(concept=concept)
    return concept
