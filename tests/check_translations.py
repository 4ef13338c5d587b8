"""Checks that the interface is translatable and translated: `python -m tests.check_translations`.

Three checks; each problem is printed as `path:line: message`, and the exit status is 1 when
there is any.

(a) Templates (templates/**/*.html and *.txt). Text that a reader sees must come from
    `{% translate %}` or `{% blocktranslate %}`: a literal word in the template's own text is a
    problem. "Seen" means the text between HTML tags (outside <script>, <style> and HTML
    comments) and the user-visible attributes (VISIBLE_ATTRIBUTES, and `value` of input buttons),
    plus the string literals that a `{{ … }}` in such text can print (`|default:"…"`,
    `|default_if_none:"…"`, `|yesno:"…"`, `{% firstof … "…" %}`). A text counts as a literal word
    when a letter is left after the template tags are taken out: punctuation, digits and symbols
    (· — – ↑ ↓ € …) need no translation, nor do the names of file formats (FORMAT_NAMES), which
    are written the same way in every language. Code shown as code (<code>, <pre>, <kbd>, <samp>) and
    any element marked `translate="no"` (HTML's own attribute for text that must stay as it is)
    are not checked.
(b) The Russian catalogue (locale/ru/LC_MESSAGES/django.po). Every message has a translation
    (each of the plural forms for a plural message), none is marked fuzzy, every placeholder
    (`%(name)s`, `%s`, `%d`) of the English text is kept, the header gives Russian's three
    plural forms, and `msgfmt --check` accepts the file when gettext is installed.
(c) Python (the apps' modules, not tests or migrations). A string literal given directly to
    `messages.success/info/warning/error/add_message`, to `ValidationError`, or as a form's or a
    model's `label`, `help_text`, `verbose_name`, `verbose_name_plural` or `empty_label`, is
    not translatable: it must go through gettext. A gettext function imported under another
    name than `_` or its own (`gettext as _g`) hides its strings from makemessages. The read
    API's serializers are left out: the API, its field names and its schema are in English.
"""

import ast
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
PYTHON_APPS = (
    "common",
    "audit",
    "accounts",
    "projects",
    "activities",
    "budgets",
    "concepts",
    "dashboards",
    "mpf_portal",
)
RU_PLURAL_FORMS = (
    "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
)

VISIBLE_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "hx-confirm",
    "label",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
NOT_CHECKED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
}
FORMAT_NAMES = {"CSV", "XLSX", "JSON", "YAML", "XML", "PDF", "DOCX", "HTML", "iCalendar"}
LETTER = re.compile(r"[^\W\d_]")
WORD = re.compile(r"[^\W_]+")
MARK = re.compile("\ue000(\\d+)\ue001")  # a template tag or variable, by its index
QUOTED = re.compile(r"""_\((["'])(?:(?!\1).)*\1\)|(["'])((?:(?!\2).)*)\2""")
PRINTING_FILTERS = re.compile(r"""\|(?:default|default_if_none|yesno):\s*(_\()?(["'])((?:(?!\2).)*)\2""")
PLACEHOLDER = re.compile(r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _has_words(text: str) -> bool:
    words = WORD.findall(MARK.sub(" ", text))
    return any(LETTER.search(word) and word not in FORMAT_NAMES for word in words)


def _shorten(text: str) -> str:
    text = " ".join(MARK.sub("…", text).split())
    return text if len(text) <= 70 else text[:67] + "…"


# (a) Templates.


def _masked(source: str) -> tuple[str, list]:
    """The template's text with every tag replaced by a mark, and the tags by index.

    The contents of {% blocktranslate %} and {% comment %} blocks, which are translated or
    not shown, are left out (their line breaks are kept, so that line numbers stay right).
    """
    tokens = Lexer(source).tokenize()
    parts: list[str] = []
    skipping = None  # the closing tag while inside a block whose contents are not checked
    for index, token in enumerate(tokens):
        if skipping:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == skipping:
                skipping = None
                parts.append(f"\ue000{index}\ue001")
            elif token.token_type == TokenType.TEXT:
                parts.append("\n" * token.contents.count("\n"))
            continue
        if token.token_type == TokenType.TEXT:
            parts.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in {"blocktranslate", "blocktrans"}:
                skipping = "endblocktranslate" if name == "blocktranslate" else "endblocktrans"
            elif name == "comment":
                skipping = "endcomment"
        parts.append(f"\ue000{index}\ue001")
    return "".join(parts), tokens


def _printed_literals(token) -> list[str]:
    """String literals with words that a {{ … }} or {% firstof %} would print untranslated."""
    if token.token_type == TokenType.VAR:
        return [match.group(3) for match in PRINTING_FILTERS.finditer(token.contents) if not match.group(1)]
    if token.token_type == TokenType.BLOCK and token.contents.split()[0] == "firstof":
        return [match.group(3) for match in QUOTED.finditer(token.contents) if match.group(3) is not None]
    return []


class _TemplateText(HTMLParser):
    def __init__(self, path: str, tokens: list, plain: bool):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.tokens = tokens
        self.plain = plain  # a plain-text template (an e-mail): all of it is seen
        self.open: list[tuple[str, bool]] = []  # (element, checked?)
        self.problems: list[Problem] = []

    def _checked(self) -> bool:
        return not self.open or self.open[-1][1]

    def _report(self, text: str, where: str, line: int) -> None:
        if _has_words(text):
            self.problems.append(Problem(self.path, line, f"untranslated {where}: {_shorten(text)!r}"))
        for index in MARK.findall(text):
            for literal in _printed_literals(self.tokens[int(index)]):
                if LETTER.search(literal):
                    self.problems.append(Problem(self.path, line, f"untranslated literal in a tag: {literal!r}"))

    def handle_starttag(self, tag, attrs):
        self._check_attributes(tag, attrs)
        if tag in VOID_ELEMENTS:
            return
        values = dict(attrs)
        checked = self._checked() and tag not in NOT_CHECKED_ELEMENTS and (values.get("translate") or "") != "no"
        self.open.append((tag, checked))

    def handle_startendtag(self, tag, attrs):
        self._check_attributes(tag, attrs)

    def handle_endtag(self, tag):
        for position in range(len(self.open) - 1, -1, -1):
            if self.open[position][0] == tag:
                del self.open[position:]
                return

    def _check_attributes(self, tag, attrs):
        if not self._checked():
            return
        values = dict(attrs)
        line = self.getpos()[0]
        for name, value in attrs:
            visible = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
            )
            if visible and value:
                self._report(value, f"{name}=", line)

    def handle_data(self, data):
        if self.plain or self._checked():
            leading = data[: len(data) - len(data.lstrip())]
            self._report(data, "text", self.getpos()[0] + leading.count("\n"))


def check_template(path: Path) -> list[Problem]:
    source = path.read_text(encoding="utf-8")
    masked, tokens = _masked(source)
    plain = path.suffix == ".txt"
    if plain:
        parser = _TemplateText(_relative(path), tokens, plain=True)
        for number, line in enumerate(masked.splitlines(), start=1):
            parser._report(line, "text", number)
        return parser.problems
    parser = _TemplateText(_relative(path), tokens, plain=False)
    parser.feed(masked)
    parser.close()
    return parser.problems


def check_templates(directory: Path = TEMPLATES) -> list[Problem]:
    problems = []
    for path in sorted([*directory.rglob("*.html"), *directory.rglob("*.txt")]):
        problems.extend(check_template(path))
    return problems


# (b) The Russian catalogue.


@dataclass
class Entry:
    line: int
    flags: set
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict | None = None
    obsolete: bool = False


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def parse_po(text: str) -> list[Entry]:
    """The entries of a gettext catalogue, as far as these checks need them."""
    entries: list[Entry] = []
    entry: Entry | None = None
    field = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            entry, field = None, None
            continue
        if line.startswith("#"):
            if entry is None or entry.msgstr is not None:
                entry = Entry(line=number, flags=set(), obsolete=obsolete)
                entries.append(entry)
                field = None
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if entry is None or (entry.msgstr is not None and line.startswith(("msgid ", "msgctxt "))):
            entry = Entry(line=number, flags=set(), obsolete=obsolete)
            entries.append(entry)
        keyword, _, value = line.partition(" ")
        if keyword == "msgctxt":
            field = "msgctxt"
        elif keyword == "msgid":
            entry.msgid, field = _unquote(value), "msgid"
        elif keyword == "msgid_plural":
            entry.msgid_plural, field = _unquote(value), "msgid_plural"
        elif keyword.startswith("msgstr"):
            form = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            entry.msgstr = entry.msgstr or {}
            entry.msgstr[form] = _unquote(value)
            field = ("msgstr", form)
        elif line.startswith('"') and field:
            if field == "msgid":
                entry.msgid += _unquote(line)
            elif field == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
            elif isinstance(field, tuple):
                entry.msgstr[field[1]] += _unquote(line)
    return entries


def _placeholders(text: str) -> list[str]:
    return sorted(match for match in PLACEHOLDER.findall(text) if match != "%%")


def check_catalogue(path: Path = CATALOGUE) -> list[Problem]:
    where = _relative(path)
    if not path.exists():
        return [Problem(where, 0, "the Russian catalogue is missing: run makemessages (locale/README.md)")]
    problems = []
    entries = [entry for entry in parse_po(path.read_text(encoding="utf-8")) if not entry.obsolete]
    header = next((entry for entry in entries if entry.msgid == "" and entry.msgstr is not None), None)
    if header is None or f"Plural-Forms: {RU_PLURAL_FORMS}" not in header.msgstr.get(0, ""):
        problems.append(Problem(where, 1, f"the header must say Plural-Forms: {RU_PLURAL_FORMS}"))
    elif "fuzzy" in header.flags:
        problems.append(Problem(where, header.line, "the header is marked fuzzy"))
    for entry in entries:
        if entry.msgid == "" or entry.msgstr is None:
            continue
        label = _shorten(entry.msgid)
        if "fuzzy" in entry.flags:
            problems.append(Problem(where, entry.line, f"fuzzy (check and remove the flag): {label!r}"))
        forms = 3 if entry.msgid_plural is not None else 1
        for form in range(forms):
            translation = entry.msgstr.get(form, "")
            if not translation.strip():
                problems.append(Problem(where, entry.line, f"no translation (form {form}): {label!r}"))
                continue
            english = entry.msgid_plural if entry.msgid_plural is not None and form else entry.msgid
            wanted = set(_placeholders(english)) | (set(_placeholders(entry.msgid)) if form else set())
            missing = {mark for mark in wanted if mark not in translation}
            if entry.msgid_plural is not None:
                # A Russian form may leave the count out ("одна строка"); every other name stays.
                missing -= {mark for mark in missing if mark.startswith(("%(count)", "%(counter)", "%d", "%s"))}
            extra = set(_placeholders(translation)) - set(_placeholders(english)) - set(_placeholders(entry.msgid))
            if missing or extra:
                problems.append(
                    Problem(
                        where,
                        entry.line,
                        f"placeholders differ (form {form}; missing {sorted(missing)}, extra {sorted(extra)}): "
                        f"{label!r}",
                    )
                )
    if shutil.which("msgfmt"):
        result = subprocess.run(
            ["msgfmt", "--check", "--output-file=/dev/null", str(path)], capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            for line in result.stderr.strip().splitlines():
                problems.append(Problem(where, 0, f"msgfmt: {line}"))
    return problems


# (c) Python modules.

MESSAGE_FUNCTIONS = {"success", "info", "warning", "error", "debug", "add_message"}
TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}


def _is_literal_text(node) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTER.search(node.value))
    return isinstance(node, ast.JoinedStr)


def check_python_module(path: Path) -> list[Problem]:
    problems = []
    where = _relative(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if "gettext" in alias.name and alias.asname not in (None, "_"):
                    problems.append(
                        Problem(
                            where,
                            node.lineno,
                            f"makemessages does not see {alias.asname}(…): import {alias.name} as _ or by its name",
                        )
                    )
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        owner = getattr(function.value, "id", "") if isinstance(function, ast.Attribute) else ""
        if owner == "messages" and name in MESSAGE_FUNCTIONS:
            arguments = node.args[2:3] if name == "add_message" else node.args[1:2]
            arguments += [keyword.value for keyword in node.keywords if keyword.arg == "message"]
            for argument in arguments:
                if _is_literal_text(argument):
                    problems.append(Problem(where, node.lineno, f"untranslated message: messages.{name}(…)"))
        if name == "ValidationError" and node.args and _is_literal_text(node.args[0]):
            problems.append(Problem(where, node.lineno, "untranslated ValidationError message"))
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS and _is_literal_text(keyword.value):
                problems.append(Problem(where, node.lineno, f"untranslated {keyword.arg}="))
    return sorted(problems)


def check_python(root: Path = ROOT) -> list[Problem]:
    problems = []
    for app in PYTHON_APPS:
        for path in sorted((root / app).rglob("*.py")):
            parts = set(path.relative_to(root).parts)
            if parts & {"tests", "migrations"} or path.name == "serializers.py":
                continue
            problems.extend(check_python_module(path))
    return problems


def check_all() -> list[Problem]:
    return sorted([*check_templates(), *check_catalogue(), *check_python()])


def main() -> int:
    problems = check_all()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s); see tests/check_translations.py for the rules.")
        return 1
    print("Translations: every template string is translatable and every Russian message is translated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
