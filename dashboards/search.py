"""Search across what the reader may open: projects, activities, organisations, concept sections
(their current text), comments and recommendations, and published editions.

Who finds what follows the pages exactly (projects/access.py): projects and activities wherever
the reader may see the project; organisations through the partners of those projects; sections
and comments where they may read drafts (the section page's rule); final editions of published
concepts wherever they may see the project. Anonymous visitors find published projects and
published editions only.

On PostgreSQL the text is matched with full-text search in both the English and the Russian
configuration (a word matches in either), ranked, with snippets from `ts_headline`; GIN indexes
on the same expressions (migration dashboards 0003) keep that fast. Elsewhere (SQLite, for
development) words are matched as substrings after a crude trimming of common English and Russian
endings, so «мигрант» finds «мигрантов» there too; SQLite compares only Latin letters without
regard to case, so a Cyrillic word is tried in lower case and capitalised only.
"""

import re
import secrets
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Exists, Expression, F, OuterRef, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from concepts.models import Comment, Concept, EditionEntry, Section, SectionTranslation, SectionVersion
from projects.access import Capability, projects_with
from projects.models import Organisation, Project, ProjectPartner

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
GROUP_LIMIT = 5  # hits per kind when every kind is shown
PAGE_SIZE = 20  # hits per page when one kind is chosen
# Matches of one kind counted and ranked: a word found in more things than this (say "migration" in
# 50,000 sections) costs no more than this many rows; the page then says "more than" and lists the
# best-ranked of the first ones found. Narrower searches (more words, a kind, a project) rank all.
MATCH_LIMIT = 1000
SNIPPET_WORDS = 30
SQLITE_SNIPPET_CHARS = 90  # each side of the first match


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    anonymous: bool = False  # found by visitors who are not logged in


KINDS = [
    Kind("project", _("Projects"), anonymous=True),
    Kind("activity", _("Activities")),
    Kind("organisation", _("Organisations")),
    Kind("section", _("Concept sections")),
    Kind("comment", _("Comments and recommendations")),
    Kind("edition", _("Published editions"), anonymous=True),
]
KIND_KEYS = [kind.key for kind in KINDS]


@dataclass
class Hit:
    title: str
    url: str
    snippet: SafeString
    context: str = ""  # where it belongs: the project, the concept
    language: str = ""  # the text's language when it is known
    badge: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url): an organisation's projects
    project_slug: str = ""  # a project's own hit: offers to search within it


@dataclass
class Group:
    kind: Kind
    count: int
    hits: list[Hit]
    page: object = None  # the Paginator page when one kind is shown
    more: bool = False  # more than MATCH_LIMIT matched: `count` is the limit


def kinds_for(user) -> list[Kind]:
    return [kind for kind in KINDS if user.is_authenticated or kind.anonymous]


def normalise_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- matching ------------------------------------------------------------------------------


class Matcher:
    """The query, matched against text fields: full-text on PostgreSQL, substrings elsewhere."""

    def __init__(self, text: str):
        self.text = text
        self.postgres = is_postgres()
        if self.postgres:
            self.english = SearchQuery(text, config="english", search_type="websearch")
            self.russian = SearchQuery(text, config="russian", search_type="websearch")
            # Markers no user text can forge: the snippet is escaped, then only these become <mark>.
            token = secrets.token_hex(8)
            self.start, self.stop = f"[[{token}[[", f"]]{token}]]"
        else:
            self.stems = simple_stems(text)

    def filter(self, queryset: QuerySet, fields: list[str]) -> QuerySet:
        if self.postgres:
            english, russian = _vectors(queryset.model, fields)
            return queryset.alias(_vector_en=english, _vector_ru=russian).filter(
                Q(_vector_en=self.english) | Q(_vector_ru=self.russian)
            )
        if not self.stems:
            return queryset.none()
        condition = Q()
        for stem in self.stems:  # every word, in any field
            word = Q()
            for variant in _case_variants(stem):
                for name in fields:
                    word |= Q(**{f"{name}__contains": variant})
            condition &= word
        return queryset.filter(condition)

    def ranked(self, queryset: QuerySet, fields: list[str], fallback_order: list[str]) -> QuerySet:
        if not self.postgres:
            return queryset.order_by(*fallback_order)
        english, russian = _vectors(queryset.model, fields)
        rank = SearchRank(english, self.english) + SearchRank(russian, self.russian)
        return queryset.annotate(search_rank=rank).order_by(F("search_rank").desc(), *fallback_order)

    def with_snippet(self, queryset: QuerySet, fields: list[str]) -> QuerySet:
        """Annotates `search_snippet` on PostgreSQL (ts_headline over the fields, with our markers)."""
        if not self.postgres:
            return queryset
        text = fields[0] if len(fields) == 1 else Concat(*_spaced(fields), output_field=TextField())
        headline = SearchHeadline(
            text,
            self.english | self.russian,
            # PostgreSQL's 'russian' stems Cyrillic words as Russian and Latin ones as English: both queries fit.
            config="russian",
            start_sel=self.start,
            stop_sel=self.stop,
            max_words=SNIPPET_WORDS,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        return queryset.annotate(search_snippet=headline)

    def snippet(self, row, texts: list[str]) -> SafeString:
        """Escaped text with the matches in <mark>: never the user's own markup."""
        if self.postgres:
            escaped = escape(getattr(row, "search_snippet", "") or "")
            marked = escaped.replace(escape(self.start), "<mark>").replace(escape(self.stop), "</mark>")
            return mark_safe(marked)  # noqa: S308 - escaped above; only our own <mark> tags added
        return python_snippet(" ".join(text for text in texts if text), self.stems)


class StoredVector(Expression):
    """A `tsvector` column that migration dashboards/0003 adds (generated, stored, indexed) to the
    table of the query it is compiled in: the model does not know it, so it is named here."""

    output_field = SearchVectorField()

    def __init__(self, column: str):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(self.column)}", []


def _vectors(model, fields: list[str]) -> tuple:
    """The English and the Russian vector of `fields`: stored columns where the table has them."""
    if STORED_VECTORS.get(model._meta.db_table) == fields:
        return StoredVector("search_en"), StoredVector("search_ru")
    return SearchVector(*fields, config="english"), SearchVector(*fields, config="russian")


def _spaced(fields: list[str]) -> list:
    parts = []
    for name in fields:
        if parts:
            parts.append(Value(" "))
        parts.append(_coalesced(name))
    return parts


def _coalesced(name: str):
    return Coalesce(F(name), Value(""), output_field=TextField())


def _case_variants(stem: str) -> list[str]:
    if stem.isascii():
        return [stem]  # SQLite's LIKE ignores the case of Latin letters itself
    variants = [stem, stem.capitalize(), stem.upper()]
    return list(dict.fromkeys(variants))


# Endings trimmed on SQLite: plural and case endings of Russian nouns and adjectives, and the
# commonest English ones. Crude by design (no dictionary): a stem of at least 4 letters is kept.
_RUSSIAN_ENDINGS = (
    "ами ями ого ему ому ыми ими его ов ев ей ий ый ой ая яя ое ее ые ие ам ям ах ях ом ем ую юю а я ы и у ю е о ь"
)
RUSSIAN_ENDINGS = sorted(_RUSSIAN_ENDINGS.split(), key=len, reverse=True)
ENGLISH_ENDINGS = ["ations", "ation", "ings", "ing", "ies", "es", "ed", "s"]
WORD = re.compile(r"\w+", re.UNICODE)


def simple_stems(text: str) -> list[str]:
    stems = []
    for word in WORD.findall(text.lower()):
        if len(word) < MIN_QUERY_LENGTH:
            continue
        endings = ENGLISH_ENDINGS if word.isascii() else RUSSIAN_ENDINGS
        for ending in endings:
            if word.endswith(ending) and len(word) - len(ending) >= 4:
                word = word[: -len(ending)]
                break
        stems.append(word)
    return list(dict.fromkeys(stems))


def python_snippet(text: str, stems: list[str]) -> SafeString:
    """A window of the text around the first match, escaped, each matching word in <mark>."""
    if not text or not stems:
        return mark_safe("")  # noqa: S308 - empty
    pattern = re.compile(r"\w*(?:" + "|".join(re.escape(stem) for stem in stems) + r")\w*", re.IGNORECASE)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - SQLITE_SNIPPET_CHARS)
    end = min(len(text), (first.end() if first else 0) + SQLITE_SNIPPET_CHARS * 2)
    window = text[start:end]
    pieces, at = [], 0
    for match in pattern.finditer(window):
        pieces.append(escape(window[at : match.start()]))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        at = match.end()
    pieces.append(escape(window[at:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece escaped above


# --- what each kind searches ----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The projects whose things the reader may find, as querysets (nothing read yet)."""

    visible: QuerySet  # the project page opens: projects, activities, organisations, editions
    drafts: QuerySet  # concept drafts may be read: sections, comments

    @classmethod
    def of(cls, user, project_slug: str = "") -> "Scope":
        visible = projects_with(user, Capability.VIEW)
        drafts = projects_with(user, Capability.READ_DRAFTS)
        if project_slug:
            visible = visible.filter(slug=project_slug)
            drafts = drafts.filter(slug=project_slug)
        return cls(visible=visible.values("pk"), drafts=drafts.values("pk"))


# The tables with stored vectors (migration dashboards/0003), and the fields they are made of.
STORED_VECTORS = {
    "concepts_sectionversion": ["title", "body"],
    "concepts_comment": ["body", "quote", "suggested_text"],
    "activities_activity": [
        "title",
        "title_ru",
        "theme",
        "theme_ru",
        "description",
        "description_ru",
        "outputs",
        "outputs_ru",
        "city",
    ],
    "projects_project": ["title", "title_ru", "code", "thematic_area", "thematic_area_ru", "summary", "summary_ru"],
}
PROJECT_FIELDS = ["title", "title_ru", "code", "thematic_area", "thematic_area_ru", "summary", "summary_ru"]
ACTIVITY_FIELDS = [
    "title",
    "title_ru",
    "theme",
    "theme_ru",
    "description",
    "description_ru",
    "outputs",
    "outputs_ru",
    "city",
]
ORGANISATION_FIELDS = ["name", "name_ru", "acronym"]
VERSION_FIELDS = ["title", "body"]
COMMENT_FIELDS = ["body", "quote", "suggested_text"]


def _project_hits(matcher, rows):
    return [
        Hit(
            title=project.localized("title"),
            url=project.get_absolute_url(),
            snippet=matcher.snippet(project, [project.summary, project.summary_ru, project.thematic_area]),
            context=project.code,
            project_slug=project.slug,
        )
        for project in rows
    ]


def _activity_hits(matcher, rows):
    return [
        Hit(
            title=activity.localized("title"),
            url=activity.get_absolute_url(),
            snippet=matcher.snippet(
                activity,
                [activity.description, activity.description_ru, activity.theme, activity.outputs, activity.outputs_ru],
            ),
            context=activity.project.localized("title"),
            badge=activity.get_kind_display(),
        )
        for activity in rows
    ]


def _organisation_hits(matcher, rows):
    return [
        Hit(
            title=str(organisation),
            url=organisation.visible_partnerships[0].project.get_absolute_url(),
            snippet=mark_safe(""),  # noqa: S308 - empty: the name is the whole text
            badge=organisation.get_kind_display(),
            links=[
                (partner.project.localized("title"), partner.project.get_absolute_url())
                for partner in organisation.visible_partnerships
            ],
        )
        for organisation in rows
        if organisation.visible_partnerships
    ]


def _language_query(concept: Concept, language: str) -> str:
    return "" if language == concept.language else f"?language={language}"


def _section_hits(matcher, rows):
    hits = []
    for version in rows:
        concept = version.section.concept
        hits.append(
            Hit(
                title=version.title,
                url=version.section.get_absolute_url() + _language_query(concept, version.language),
                snippet=matcher.snippet(version, [version.body]),
                context=f"{concept.title} · {concept.project.localized('title')}",
                language=version.language,
            )
        )
    return hits


def _comment_hits(matcher, rows):
    hits = []
    for comment in rows:
        section = comment.section
        concept = section.concept
        label = _("Recommendation") if comment.is_recommendation else _("Comment")
        who = comment.author.get_full_name() or comment.author.username
        hits.append(
            Hit(
                title=section.head.title if section.head_id else "",
                url=f"{section.get_absolute_url()}{_language_query(concept, comment.version.language)}"
                f"#comment-{comment.pk}",
                snippet=matcher.snippet(comment, [comment.body, comment.quote, comment.suggested_text]),
                context=f"{who} · {concept.title}",
                language=comment.version.language,
                badge=str(label),
            )
        )
    return hits


def _edition_hits(matcher, rows):
    hits = []
    for entry in rows:
        edition = entry.edition
        concept = edition.concept
        url = reverse("concepts:edition", kwargs={"concept_id": concept.pk, "edition_id": edition.pk})
        hits.append(
            Hit(
                title=f"{entry.number} {entry.version.title}",
                url=f"{url}{_language_query(concept, entry.language)}#entry-{entry.pk}",
                snippet=matcher.snippet(entry.version, [entry.version.body]),
                context=f"{edition.name} · {concept.title}",
                language=entry.language,
            )
        )
    return hits


def _matching_heads(matcher, scope):
    """The current versions (of the source text and of each translation) of sections in the outline."""
    readable = Q(concept__project__in=scope.drafts, is_removed=False)
    source_head = Section.objects.filter(readable, head=OuterRef("pk"))
    translation_head = _in_kept_language(
        SectionTranslation.objects.filter(head=OuterRef("pk"), section__in=Section.objects.filter(readable)),
        concept="section__concept",
        language="language",
    )
    versions = SectionVersion.objects.filter(Exists(source_head) | Exists(translation_head))
    return matcher.filter(versions, VERSION_FIELDS)


def _in_kept_language(queryset: QuerySet, *, concept: str, language: str) -> QuerySet:
    """Rows in the concept's source language or one it is still kept in: a language dropped from the
    concept keeps its versions and comments, but its pages show the source text instead."""
    quoted = Concat(Value('"'), F(language), Value('"'), output_field=TextField())
    return queryset.alias(_kept=Cast(f"{concept}__target_languages", TextField())).filter(
        Q(**{language: F(f"{concept}__language")}) | Q(_kept__contains=quoted)
    )


@dataclass
class KindQuery:
    """What one kind searches: its matching rows, the fields ranked, the order among equal ranks, the
    fields its snippet is cut from (none: no snippet), what to read with it, and its hits' builder."""

    matching: QuerySet
    fields: list[str]
    order: list[str]
    snippet_fields: list[str]
    build: object
    related: list[str] = field(default_factory=list)
    prefetch: list = field(default_factory=list)


def _querysets(matcher: Matcher, scope: Scope) -> dict[str, KindQuery]:
    published_final = Q(edition__is_final=True, edition__concept__status=Concept.Status.PUBLISHED)
    matching_versions = matcher.filter(SectionVersion.objects.all(), VERSION_FIELDS)
    visible_partners = ProjectPartner.objects.filter(project__in=scope.visible).select_related("project")
    return {
        "project": KindQuery(
            matcher.filter(Project.objects.filter(pk__in=scope.visible), PROJECT_FIELDS),
            PROJECT_FIELDS,
            ["title", "pk"],
            ["summary", "summary_ru", "thematic_area", "thematic_area_ru"],
            _project_hits,
        ),
        "activity": KindQuery(
            matcher.filter(Activity.objects.filter(project__in=scope.visible), ACTIVITY_FIELDS),
            ACTIVITY_FIELDS,
            ["title", "pk"],
            ["description", "description_ru", "theme", "theme_ru", "outputs", "outputs_ru"],
            _activity_hits,
            related=["project"],
        ),
        "organisation": KindQuery(
            matcher.filter(
                Organisation.objects.filter(partnerships__project__in=scope.visible).distinct(), ORGANISATION_FIELDS
            ),
            ORGANISATION_FIELDS,
            ["name", "pk"],
            [],
            _organisation_hits,
            prefetch=[
                Prefetch(
                    "partnerships",
                    queryset=visible_partners.order_by("project__title", "pk"),
                    to_attr="visible_partnerships",
                )
            ],
        ),
        "section": KindQuery(
            _matching_heads(matcher, scope),
            VERSION_FIELDS,
            ["title", "pk"],
            ["body"],
            _section_hits,
            related=["section__concept__project"],
        ),
        "comment": KindQuery(
            matcher.filter(
                _in_kept_language(
                    Comment.objects.filter(section__concept__project__in=scope.drafts, section__is_removed=False),
                    concept="section__concept",
                    language="version__language",
                ),
                COMMENT_FIELDS,
            ),
            COMMENT_FIELDS,
            ["-created_at", "pk"],
            COMMENT_FIELDS,
            _comment_hits,
            related=["author", "version", "section__head", "section__concept__project"],
        ),
        "edition": KindQuery(
            EditionEntry.objects.filter(
                published_final, edition__concept__project__in=scope.visible, version__in=matching_versions
            ),
            [f"version__{name}" for name in VERSION_FIELDS],
            ["edition__concept_id", "edition_id", "position"],
            ["version__body"],
            _edition_hits,
            related=["edition__concept__project", "version"],
        ),
    }


def _count(query: KindQuery) -> int:
    """The matches of one kind, counted up to one more than MATCH_LIMIT."""
    return query.matching.order_by()[: MATCH_LIMIT + 1].count()


def _rows(matcher, query: KindQuery, window: slice) -> list:
    """The rows of one kind in `window`, ranked among the first MATCH_LIMIT matches, with their
    snippets: one query (plus a prefetch for organisations). Snippets are cut for the window only."""
    model = query.matching.model
    candidates = model.objects.filter(pk__in=query.matching.order_by().values("pk")[:MATCH_LIMIT])
    page = matcher.ranked(candidates, query.fields, query.order).values("pk")[window]
    ranked = matcher.ranked(model.objects.filter(pk__in=page), query.fields, query.order)
    if query.snippet_fields:
        ranked = matcher.with_snippet(ranked, query.snippet_fields)
    return list(ranked.select_related(*query.related).prefetch_related(*query.prefetch))


def search(*, user, text: str, kind: str = "", project_slug: str = "", page: str | int | None = None) -> list[Group]:
    """The groups of hits for `text`, one per kind the reader may search (or only `kind`)."""
    with transaction.atomic():
        if is_postgres():
            # The planner's cost of the text-search rows sets off JIT compilation, which takes far
            # longer (over a second) than the queries it would speed up; for this transaction only.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return _search(user=user, text=text, kind=kind, project_slug=project_slug, page=page)


def _search(*, user, text: str, kind: str, project_slug: str, page) -> list[Group]:
    matcher = Matcher(text)
    queries = _querysets(matcher, Scope.of(user, project_slug))
    groups = []
    for entry in kinds_for(user):
        if kind and entry.key != kind:
            continue
        query = queries[entry.key]
        count = _count(query)
        listed = min(count, MATCH_LIMIT)
        if kind:
            current = Paginator(_CountOnly(listed), PAGE_SIZE).get_page(page)
            window = slice(current.start_index() - 1, current.end_index())
            rows = _rows(matcher, query, window) if count else []
            groups.append(Group(entry, listed, query.build(matcher, rows), current, more=count > MATCH_LIMIT))
        else:
            rows = _rows(matcher, query, slice(0, GROUP_LIMIT)) if count else []
            groups.append(Group(entry, listed, query.build(matcher, rows), more=count > MATCH_LIMIT))
    return groups


class _CountOnly:
    """What Paginator needs to count pages whose rows are read separately (ranked, with snippets)."""

    def __init__(self, total: int):
        self.total = total

    def count(self):
        return self.total

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        return []
