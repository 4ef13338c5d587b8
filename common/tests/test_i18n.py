"""The interface in English and Russian: pages, the language switcher, a user's saved
language, money and dates per language, e-mails in the recipient's language, and the
translation checker (tests/check_translations.py) on the repository."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from django.template import engines
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from common.models import UserPreferences
from common.money import format_money
from common.templatetags.portal import month_year, person, short_date
from concepts.models import Concept
from projects.demo import SEED_SLUG
from projects.tests.factories import UserFactory
from tests import check_translations

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
LANGUAGE_COOKIE = "django_language"
# The English interface words that must not be left on a page shown in Russian.
ENGLISH_CHROME = [
    ">Log in<",
    ">Log out<",
    ">Projects<",
    ">Budget<",
    ">Preferences<",
    "Skip to main content",
    "Main navigation",
    "an EU-funded initiative",
]


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """These tests read the catalogue as it is: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def _address(url: str) -> str:
    concept = Concept.objects.filter(project__slug=SEED_SLUG).first()
    section = concept.sections.order_by("position", "pk").first()
    return url.format(concept=concept.pk, section=section.pk)


# Each main page: (user or None, address, a Russian phrase the page must show).
PAGES = {
    "public project page": (None, f"/projects/{SEED_SLUG}/", "Сроки реализации"),
    "project list": (None, "/projects/", "Любой статус"),
    "login": (None, "/accounts/login/", "Забыли пароль?"),
    "budget as manager": ("manager", f"/projects/{SEED_SLUG}/budget/", "Бюджет и расходы"),
    "timeline": (None, f"/projects/{SEED_SLUG}/timeline/", "Диаграмма Ганта мероприятий"),
    "concept as drafter": ("counterpart", "/concepts/{concept}/", "Матрица решений"),
    "dashboard as staff": ("staff", "/dashboard/", "Панель мониторинга портфеля"),
    "translations as drafter": ("counterpart", "/concepts/{concept}/translations/", "Состояние перевода"),
    "translating a section": (
        "counterpart",
        "/concepts/{concept}/sections/{section}/translate/ru/",
        "Перевод абзаца 1",
    ),
    "a section's history": ("counterpart", "/concepts/{concept}/sections/{section}/history/", "Показать сравнение"),
}


def _get(client, url, *, user=None, language="ru"):
    from django.contrib.auth import get_user_model

    client.logout()  # also clears the cookies
    if user:
        client.force_login(get_user_model().objects.get(username=user))
    if language:
        client.cookies[LANGUAGE_COOKIE] = language
    return client.get(url)


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_each_main_page_renders_in_russian(client, seeded, page):
    user, url, russian = PAGES[page]
    response = _get(client, _address(url), user=user)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="ru">' in body
    assert russian in body
    left = [english for english in ENGLISH_CHROME if english in body]
    assert not left, f"English interface text on the Russian page: {left}"


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_each_main_page_still_renders_in_english(client, seeded, page):
    user, url, russian = PAGES[page]
    response = _get(client, _address(url), user=user, language=None)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert russian not in body


def test_the_browsers_accept_language_selects_russian(client, seeded):
    body = client.get("/projects/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"}).content.decode()
    assert '<html lang="ru">' in body
    assert ">Проекты<" in body


def test_the_public_project_page_gives_its_facts_in_each_language(client, seeded):
    russian = _get(client, f"/projects/{SEED_SLUG}/").content.decode()
    assert "февраль 2019 – февраль 2020" in russian
    assert "Проект MPF реализован силами ICMPD. Бенефициар: " in russian
    assert "This MPF project" not in russian
    english = _get(client, f"/projects/{SEED_SLUG}/", language="en").content.decode()
    assert "February 2019 – February 2020" in english


def test_amounts_on_the_budget_page_are_written_the_russian_way(client, seeded):
    russian = _get(client, f"/projects/{SEED_SLUG}/budget/", user="manager").content.decode()
    assert f"105{NBSP}000,00{NBSP}€" in russian
    assert "EUR 105,000.00" not in russian
    english = _get(client, f"/projects/{SEED_SLUG}/budget/", user="manager", language="en").content.decode()
    assert "EUR 105,000.00" in english


def test_the_server_error_page_is_translated():
    request = RequestFactory().get("/")
    with translation.override("ru"):
        body = server_error(request).content.decode()
    assert '<html lang="ru">' in body
    assert "Ошибка сервера" in body
    assert "Something went wrong" not in body


# Money and dates.


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("en", Decimal("105000"), "EUR", "EUR 105,000.00"),
        ("en", Decimal("1234.5"), "USD", "USD 1,234.50"),
        ("en", Decimal("-2000"), "BYN", "BYN -2,000.00"),
        ("ru", Decimal("105000"), "EUR", f"105{NBSP}000,00{NBSP}€"),
        ("ru", Decimal("1234.5"), "USD", f"1{NBSP}234,50{NBSP}$"),
        ("ru", Decimal("105000"), "BYN", f"105{NBSP}000,00{NBSP}BYN"),
        ("ru", Decimal("999.99"), "EUR", f"999,99{NBSP}€"),
        ("ru", Decimal("1000000"), "EUR", f"1{NBSP}000{NBSP}000,00{NBSP}€"),
        ("ru", Decimal("-2000"), "EUR", f"-2{NBSP}000,00{NBSP}€"),
    ],
)
def test_money_is_written_in_the_active_language(language, amount, currency, expected):
    with translation.override(language):
        assert format_money(amount, currency) == expected


def test_no_amount_is_written_as_nothing():
    with translation.override("ru"):
        assert format_money(None, "EUR") == ""


def test_the_money_tag_follows_the_active_language():
    template = engines["django"].from_string("{% load portal %}{% money amount 'EUR' %}")
    with translation.override("ru"):
        assert template.render({"amount": Decimal("105000")}) == f"105{NBSP}000,00{NBSP}€"
    with translation.override("en"):
        assert template.render({"amount": Decimal("105000")}) == "EUR 105,000.00"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "February 2019"), ("ru", "февраль 2019")],
)
def test_month_and_year_take_the_standalone_month_name(language, expected):
    with translation.override(language):
        assert month_year(datetime.date(2019, 2, 1)) == expected


def test_every_russian_month_is_in_the_nominative():
    with translation.override("ru"):
        months = [month_year(datetime.date(2020, month, 1)).split()[0] for month in range(1, 13)]
    assert months == [
        "январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
    ]  # fmt: skip


def test_a_days_date_is_written_per_language():
    day = datetime.date(2019, 5, 1)
    with translation.override("en"):
        assert short_date(day) == "1 May 2019"
    with translation.override("ru"):
        assert short_date(day) == "01.05.2019"
        when = datetime.datetime(2019, 5, 1, 14, 30)
        assert short_date(when, "time") == "01.05.2019, 14:30"
        # a long date takes the genitive month (Django's "E"), as in «1 мая 2019»
        assert engines["django"].from_string('{{ day|date:"j E Y" }}').render({"day": day}) == "1 мая 2019"


def test_remembered_dates_follow_the_language_and_the_clock_they_were_read_on():
    day = datetime.date(2019, 5, 1)
    with translation.override("en"):
        assert short_date(day) == "1 May 2019"
    with translation.override("ru"):
        assert short_date(day) == "01.05.2019" and month_year(day) == "май 2019"
    with translation.override("en"):
        assert month_year(day) == "May 2019"
        # The same instant on two clocks: equal datetimes, but each is written as its own clock reads.
        utc = datetime.datetime(2019, 5, 1, 11, 30, tzinfo=datetime.UTC)
        minsk = utc.astimezone(datetime.timezone(datetime.timedelta(hours=3)))
        assert utc == minsk
        assert short_date(utc, "time") == "1 May 2019, 11:30"
        assert short_date(minsk, "time") == "1 May 2019, 14:30"
        assert short_date(None) == "" and month_year("") == ""


def test_country_names_are_given_in_the_readers_language():
    from django_countries.fields import Country

    from common.templatetags.portal import country_names

    chosen = [Country("BY"), Country("AM")]
    with translation.override("en"):
        assert country_names(chosen) == "Belarus, Armenia"
    with translation.override("ru"):
        assert country_names(chosen) == "Беларусь, Армения"
    assert country_names([]) == ""


# The language switcher.


def test_every_page_has_a_language_switcher_that_returns_to_it(client, seeded):
    body = _get(client, "/projects/?status=5", language=None).content.decode()
    assert 'action="/i18n/setlang/"' in body
    assert '<label class="navbar-text py-0" for="language-select">Language</label>' in body
    assert '<select class="form-select form-select-sm w-auto" name="language" id="language-select">' in body
    assert '<option value="ru" lang="ru">Русский</option>' in body
    assert '<input type="hidden" name="next" value="/projects/?status=5">' in body
    assert '<button type="submit" class="btn btn-sm btn-outline-light">Apply</button>' in body


def test_choosing_russian_sets_the_cookie_and_returns_to_the_page(client, seeded):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/projects/"})
    assert response.status_code == 302
    assert response["Location"] == "/projects/"
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    assert response.cookies[LANGUAGE_COOKIE]["samesite"] == "Lax"
    assert '<html lang="ru">' in client.get("/projects/").content.decode()


@pytest.mark.parametrize("code", ["xx", "de", "", "ru'><script>"])
def test_an_unsupported_language_changes_nothing_and_shows_no_error(client, seeded, code):
    response = client.post("/i18n/setlang/", {"language": code, "next": "/projects/"})
    assert response.status_code == 302
    assert response["Location"] == "/projects/"
    assert LANGUAGE_COOKIE not in response.cookies
    assert '<html lang="en">' in client.get("/projects/").content.decode()


def test_setlang_by_get_changes_nothing(client, seeded):
    response = client.get("/i18n/setlang/?language=ru&next=/projects/")
    assert response.status_code == 302
    assert LANGUAGE_COOKIE not in response.cookies


def test_an_unsupported_language_in_the_cookie_or_the_address_falls_back_to_english(client, seeded):
    client.cookies[LANGUAGE_COOKIE] = "xx"
    response = client.get("/projects/?language=xx")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    response = client.get("/projects/", headers={"accept-language": "xx-YY"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_a_logged_in_users_choice_is_saved_in_their_preferences(client_for, users):
    client = client_for("manager")
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    assert UserPreferences.objects.get(user=users["manager"]).language == "ru"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert UserPreferences.objects.get(user=users["manager"]).language == "ru"


# The saved language applies at login.


def _log_in(client, user, *, browser_language=None):
    user.set_password("pw-for-the-test")
    user.save()
    client.logout()
    if browser_language:
        client.cookies[LANGUAGE_COOKIE] = browser_language
    return client.post("/accounts/login/", {"username": user.username, "password": "pw-for-the-test"})


def test_the_saved_language_applies_at_login(client, users):
    UserPreferences.objects.create(user=users["manager"], language="ru")
    response = _log_in(client, users["manager"])
    assert response.status_code == 302
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    body = client.get("/accounts/preferences/").content.decode()
    assert '<html lang="ru">' in body
    assert "Ваши настройки" in body


def test_the_saved_language_wins_over_the_browser_at_login(client, users):
    UserPreferences.objects.create(user=users["manager"], language="en")
    response = _log_in(client, users["manager"], browser_language="ru")
    assert response.cookies[LANGUAGE_COOKIE].value == "en"
    assert '<html lang="en">' in client.get("/projects/").content.decode()


def test_without_a_saved_language_login_leaves_the_browsers_choice(client, users):
    response = _log_in(client, users["manager"])
    assert LANGUAGE_COOKIE not in response.cookies
    body = client.get("/projects/", headers={"accept-language": "ru"}).content.decode()
    assert '<html lang="ru">' in body


def test_an_unsupported_saved_language_is_ignored_at_login(client, users):
    UserPreferences.objects.create(user=users["manager"])
    UserPreferences.objects.filter(user=users["manager"]).update(language="xx")
    response = _log_in(client, users["manager"])
    assert response.status_code == 302
    assert LANGUAGE_COOKIE not in response.cookies


def test_the_preferences_page_sets_the_language(client_for, users):
    client = client_for("manager")
    body = client.get("/accounts/preferences/").content.decode()
    assert 'name="language"' in body
    assert "Your browser&#x27;s language" in body
    response = client.post("/accounts/preferences/", {"language": "ru", "email_notifications": "on"})
    assert response.status_code == 302
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    assert UserPreferences.objects.get(user=users["manager"]).language == "ru"
    page = client.get("/accounts/preferences/").content.decode()
    assert "Настройки сохранены." in page
    response = client.post("/accounts/preferences/", {"language": "xx", "email_notifications": "on"})
    assert response.status_code == 200  # the form says what is wrong
    assert UserPreferences.objects.get(user=users["manager"]).language == "ru"


# E-mails go out in each recipient's language.


@pytest.mark.usefixtures("eager_celery")
def test_notifications_are_written_in_each_recipients_language(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    from concepts import services
    from concepts.tests.factories import ConceptFactory, section_with_version

    section = section_with_version(ConceptFactory(project=project), title="Asylum", body="T.", author=users["drafter"])
    services.section_save(section=section, base_number=1, title="Asylum", body="T. U.", user=users["manager"])
    UserPreferences.objects.create(user=users["drafter"], language="ru")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.comment_add(section=section, version=section.head, author=users["reviewer"], body="Define it.")
    by_recipient = {tuple(message.to): message for message in mailoutbox}
    russian = by_recipient[(users["drafter"].email,)]
    assert russian.subject == "Новый комментарий к разделу «Asylum»"
    assert "Такие письма можно отключить в настройках." in russian.body
    english = by_recipient[(users["manager"].email,)]
    assert english.subject == "New comment on “Asylum”"


# The translation checker.


def test_the_repository_passes_the_translation_checker():
    problems = check_translations.check_all()
    assert not problems, "\n".join(str(problem) for problem in problems)


def _template(tmp_path: Path, text: str, name: str = "page.html") -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [problem.message for problem in check_translations.check_template(path)]


def test_the_checker_flags_literal_words_in_templates(tmp_path):
    problems = _template(
        tmp_path,
        '{% load i18n %}<h1>Budget</h1><p title="Total {{ x }}">{% translate "ok" %}</p>'
        '<input type="submit" value="Send"><img src="a.png" alt="Logo"><span aria-label="Close">×</span>'
        '<td>{{ x|default:"None" }}</td><select><option>Any</option></select>',
    )
    assert problems == [
        "untranslated text: 'Budget'",
        "untranslated title=: 'Total …'",
        "untranslated value=: 'Send'",
        "untranslated alt=: 'Logo'",
        "untranslated aria-label=: 'Close'",
        "untranslated literal in a tag: 'None'",
        "untranslated text: 'Any'",
    ]


def test_the_checker_accepts_translated_text_symbols_and_code(tmp_path):
    problems = _template(
        tmp_path,
        '{% load i18n %}<h1>{% translate "Budget" %}</h1>'
        "<p>{% blocktranslate with n=x %}{{ n }} days{% endblocktranslate %}"
        ' · ↑ ↓ — 12 € (CSV; JSON)</p><div class="alert-{{ t|default:\'info\' }}" data-x="y">{{ value }}</div>'
        '{# a note #}{% comment %}Not shown{% endcomment %}<code>GET /api/</code><span translate="no">Minsk</span>'
        '<script>var words = "hello";</script><a href="{% url \'home\' %}" aria-label="{% translate \'Home\' %}">⌂</a>',
    )
    assert problems == []


def test_the_checker_reads_plain_text_templates_whole(tmp_path):
    assert _template(tmp_path, "{% load i18n %}{% translate 'Hi' %}\nRegards\n", name="mail.txt") == [
        "untranslated text: 'Regards'"
    ]


def test_the_checker_flags_untranslated_fuzzy_and_broken_catalogue_entries(tmp_path):
    header = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        f'"Plural-Forms: {check_translations.RU_PLURAL_FORMS}\\n"\n\n'
    )
    entries = (
        'msgid "Budget"\nmsgstr "Бюджет"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Fuzzy"\nmsgstr "Нечто"\n\n'
        'msgid "Page %(number)s"\nmsgstr "Страница"\n\n'
        'msgid "%(count)s row"\nmsgid_plural "%(count)s rows"\nmsgstr[0] "%(count)s строка"\n'
        'msgstr[1] "%(count)s строки"\nmsgstr[2] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n'
    )
    path = tmp_path / "django.po"
    path.write_text(header + entries, encoding="utf-8")
    messages = [problem.message for problem in check_translations.check_catalogue(path)]
    assert "no translation (form 0): 'Empty'" in messages
    assert "fuzzy (check and remove the flag): 'Fuzzy'" in messages
    assert any(message.startswith("placeholders differ") and "Page" in message for message in messages)
    assert "no translation (form 2): '%(count)s row'" in messages
    assert not any("Budget" in message or "Old" in message for message in messages)


def test_the_checker_flags_a_catalogue_without_russian_plural_forms(tmp_path):
    path = tmp_path / "django.po"
    path.write_text('msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n', encoding="utf-8")
    assert any("Plural-Forms" in problem.message for problem in check_translations.check_catalogue(path))


def test_the_checker_flags_untranslated_messages_in_python(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "from django.contrib import messages\nfrom django.utils.translation import gettext as _\n"
        "def view(request):\n"
        "    messages.success(request, 'Saved.')\n"
        "    messages.success(request, _('Saved.'))\n"
        "    raise ValidationError(f'Bad {x}')\n"
        "field = forms.CharField(label='Name', help_text=_('Help'))\n"
        "from django.utils.translation import gettext as _g, ngettext\n",
        encoding="utf-8",
    )
    messages = [(problem.line, problem.message) for problem in check_translations.check_python_module(module)]
    assert messages == [
        (4, "untranslated message: messages.success(…)"),
        (6, "untranslated ValidationError message"),
        (7, "untranslated label="),
        (8, "makemessages does not see _g(…): import gettext as _ or by its name"),
    ]


def test_a_person_is_named_by_full_name_else_username_and_nobody_by_a_dash():
    assert person(UserFactory(username="olga", first_name="Olga", last_name="Petrova")) == "Olga Petrova"
    assert person(UserFactory(username="ivan", first_name="", last_name="")) == "ivan"
    assert person(None) == "—"
