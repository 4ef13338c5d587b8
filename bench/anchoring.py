"""`python -m bench.anchoring`: do comments keep their place as sections are edited?

Generates a corpus of sections (default 60), each with comments quoting a passage of a sentence
(default 10 per section, some made on later versions, some on the second of two identical
sentences) and edits each section 20 times. An edit is one of: a sentence inserted (sometimes a
copy of an existing one), deleted or moved; a paragraph inserted, deleted or moved; words
reworded outside the passages; a quoted passage reworded; a quoted passage deleted. The generator
records, as it edits, where each passage truly is (or that it was deleted) and what became of it.

Each comment's place is followed from version to version by `concepts.anchoring.Relocation`, the
code the section-save service runs, and compared with the truth at every version:

- right: placed on its passage (at least half of the two character ranges overlap), or labelled
  removed when it was deleted. The aim is at least 95% at the last version.
- wrong "unchanged": labelled unchanged but placed on some other text, or on a deleted passage.
  The aim is none at all.

It also reports how often the label itself is right (moved vs unchanged is often a matter of
which text one considers moved: the diff may keep the passage and move the text around it) and
the CPU time per re-anchored comment. Needs no database. Exits 1 if an aim is missed.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import django

AIM_RIGHT = 0.95
RESULTS = Path(__file__).resolve().parent.parent / "var" / "bench-anchoring-results.json"

_WORDS = (  # noqa: SIM905 - easier to read than a list literal
    "the of and to in for on with by from as is are will be should shall may this that which its their "
    "within under between across through including migration partnership facility concept policy national "
    "government ministry labour mobility returnees reintegration border management capacity building "
    "stakeholders implementation framework action plan objective outcome output indicator baseline target "
    "budget donor partner programme strategy legal regulation diaspora remittances skills training "
    "employment protection rights coordination mechanism working group consultation review evaluation "
    "monitoring risk mitigation sustainability ownership inclusive gender vulnerable groups data collection "
    "analysis report annual quarterly regional cooperation agreement bilateral multilateral pilot project "
    "phase activity municipality civil society organisation private sector employers recognition "
    "qualifications information campaign referral counselling services access housing health education "
    "children women youth persons disabilities trafficking smuggling asylum integration community"
).split()


@dataclass(eq=False)  # two sentences with the same words are still two sentences
class Sentence:
    words: list[str]


@dataclass(eq=False)
class Truth:
    """One comment as the generator knows it."""

    sentence: Sentence
    first: int  # its words: sentence.words[first:last]
    last: int
    original: str
    made_at: int  # the version it was made on
    removed: bool = False
    moved: bool = False

    def text(self) -> str:
        return " ".join(self.sentence.words[self.first : self.last])

    def label(self) -> str:
        if self.removed:
            return "removed"
        if self.text() != self.original:
            return "changed"
        return "moved" if self.moved else "unchanged"


@dataclass(eq=False)
class Section:
    rng: random.Random
    paragraphs: list[list[Sentence]]
    comments: list[Truth] = field(default_factory=list)

    def render(self) -> tuple[str, dict[int, tuple[int, int]]]:
        """The text, and where each live comment's passage is in it (by its number in `comments`)."""
        spans: dict[int, tuple[int, int]] = {}
        by_sentence: dict[int, list[tuple[int, Truth]]] = {}
        for number, truth in enumerate(self.comments):
            if not truth.removed:
                by_sentence.setdefault(id(truth.sentence), []).append((number, truth))
        parts, at = [], 0
        for p_index, paragraph in enumerate(self.paragraphs):
            if p_index:
                parts.append("\n\n")
                at += 2
            for s_index, sentence in enumerate(paragraph):
                if s_index:
                    parts.append(" ")
                    at += 1
                for number, truth in by_sentence.get(id(sentence), []):
                    start = at + sum(len(word) + 1 for word in sentence.words[: truth.first])
                    spans[number] = (start, start + len(truth.text()))
                text = " ".join(sentence.words)
                parts.append(text)
                at += len(text)
        return "".join(parts), spans

    def sentences(self) -> list[Sentence]:
        return [sentence for paragraph in self.paragraphs for sentence in paragraph]

    def commented(self, sentence: Sentence) -> list[Truth]:
        return [truth for truth in self.comments if truth.sentence is sentence and not truth.removed]


def _sentence(rng: random.Random) -> Sentence:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
    words[0] = words[0].capitalize()
    words[-1] += "."
    return Sentence(words)


def _paragraph(rng: random.Random) -> list[Sentence]:
    return [_sentence(rng) for _ in range(rng.randint(2, 5))]


def new_section(rng: random.Random) -> Section:
    section = Section(rng, [_paragraph(rng) for _ in range(rng.randint(4, 7))])
    # A sentence that occurs twice: reviewers comment on either copy.
    for _attempt in range(20):
        paragraph = rng.choice(section.paragraphs)
        twin = Sentence(list(rng.choice(section.sentences()).words))
        at = rng.randint(0, len(paragraph))
        paragraph.insert(at, twin)
        if not _adjacent_twins(section):
            break
        paragraph.remove(twin)
    return section


def add_comment(section: Section, version: int, *, duplicate: bool = False) -> Truth | None:
    rng = section.rng
    free = [sentence for sentence in section.sentences() if not section.commented(sentence)]
    if duplicate:
        seen: dict[tuple, Sentence] = {}
        twins = []
        for sentence in section.sentences():
            key = tuple(sentence.words)
            if key in seen:
                twins.append(sentence)
            seen.setdefault(key, sentence)
        free = [sentence for sentence in twins if sentence in free] or free
    if not free:
        return None
    sentence = rng.choice(free)
    if rng.random() < 0.3 or len(sentence.words) < 4:
        first, last = 0, len(sentence.words)
    else:
        length = rng.randint(3, min(10, len(sentence.words)))
        first = rng.randint(0, len(sentence.words) - length)
        last = first + length
    truth = Truth(sentence, first, last, "", version)
    truth.original = truth.text()
    section.comments.append(truth)
    return truth


def _random_place(section: Section) -> tuple[list[Sentence], int]:
    if not section.paragraphs:
        section.paragraphs.append([])
    paragraph = section.rng.choice(section.paragraphs)
    return paragraph, section.rng.randint(0, len(paragraph))


def _remove_sentence(section: Section, sentence: Sentence) -> None:
    for paragraph in section.paragraphs:
        if sentence in paragraph:
            paragraph.remove(sentence)
    section.paragraphs = [paragraph for paragraph in section.paragraphs if paragraph]


def _outside(section: Section, sentence: Sentence) -> list[int]:
    taken = {i for truth in section.commented(sentence) for i in range(truth.first, truth.last)}
    return [i for i in range(len(sentence.words)) if i not in taken]


def edit(section: Section) -> str:
    """One random edit; returns its kind."""
    rng = section.rng
    live = [truth for truth in section.comments if not truth.removed]
    kinds = ["insert sentence", "delete sentence", "move sentence", "insert paragraph", "delete paragraph",
             "move paragraph", "reword elsewhere", "reword passage", "delete passage"]  # fmt: skip
    weights = [14, 10, 12, 6, 4, 8, 16, 18, 12]
    kind = rng.choices(kinds, weights)[0]
    if kind in ("reword passage", "delete passage") and not live:
        kind = "insert sentence"
    if len(section.sentences()) < 6 and kind.startswith("delete"):
        kind = "insert sentence"
    _EDITS[kind](section, live)
    return kind


def _insert_sentence(section: Section, live: list[Truth]) -> None:
    rng = section.rng
    # Sometimes a copy of an existing sentence: the same words in two places.
    copied = rng.random() < 0.15
    sentence = Sentence(list(rng.choice(section.sentences()).words)) if copied else _sentence(rng)
    paragraph, at = _random_place(section)
    paragraph.insert(at, sentence)


def _delete_sentence(section: Section, live: list[Truth]) -> None:
    sentence = section.rng.choice(section.sentences())
    for truth in section.commented(sentence):
        truth.removed = True
    _remove_sentence(section, sentence)


def _move_sentence(section: Section, live: list[Truth]) -> None:
    rng = section.rng
    # Moves of commented sentences are what matters; half of the moves take one.
    pool = [truth.sentence for truth in live] if live and rng.random() < 0.5 else section.sentences()
    sentence = rng.choice(pool)
    _remove_sentence(section, sentence)
    paragraph, at = _random_place(section)
    paragraph.insert(at, sentence)
    for truth in section.commented(sentence):
        truth.moved = True


def _insert_paragraph(section: Section, live: list[Truth]) -> None:
    section.paragraphs.insert(section.rng.randint(0, len(section.paragraphs)), _paragraph(section.rng))


def _delete_paragraph(section: Section, live: list[Truth]) -> None:
    paragraph = section.rng.choice(section.paragraphs)
    for sentence in paragraph:
        for truth in section.commented(sentence):
            truth.removed = True
    section.paragraphs.remove(paragraph)


def _move_paragraph(section: Section, live: list[Truth]) -> None:
    rng = section.rng
    if len(section.paragraphs) < 2:
        return
    paragraph = section.paragraphs.pop(rng.randrange(len(section.paragraphs)))
    section.paragraphs.insert(rng.randint(0, len(section.paragraphs)), paragraph)
    for sentence in paragraph:
        for truth in section.commented(sentence):
            truth.moved = True


def _reword_elsewhere(section: Section, live: list[Truth]) -> None:
    rng = section.rng
    sentence = rng.choice(section.sentences())
    outside = _outside(section, sentence)
    for index in rng.sample(outside, min(len(outside), rng.randint(1, 3))):
        sentence.words[index] = rng.choice(_WORDS)


def _reword_passage(section: Section, live: list[Truth]) -> None:
    """A reviewer's passage reworded: a third of its words or fewer replaced, at least one."""
    rng = section.rng
    truth = rng.choice(live)
    count = rng.randint(1, max(1, (truth.last - truth.first) // 3))
    for index in rng.sample(range(truth.first, truth.last), count):
        word = truth.sentence.words[index]
        replacement = rng.choice(_WORDS)
        truth.sentence.words[index] = replacement + ("." if word.endswith(".") else "")


def _delete_passage(section: Section, live: list[Truth]) -> None:
    truth = section.rng.choice(live)
    sentence = truth.sentence
    truth.removed = True
    if truth.last - truth.first >= len(sentence.words) - 1:
        for other in section.commented(sentence):
            other.removed = True
        _remove_sentence(section, sentence)
        return
    ends_sentence = truth.last == len(sentence.words)
    del sentence.words[truth.first : truth.last]
    if ends_sentence:
        sentence.words[-1] = sentence.words[-1].rstrip(".") + "."


_EDITS = {
    "insert sentence": _insert_sentence,
    "delete sentence": _delete_sentence,
    "move sentence": _move_sentence,
    "insert paragraph": _insert_paragraph,
    "delete paragraph": _delete_paragraph,
    "move paragraph": _move_paragraph,
    "reword elsewhere": _reword_elsewhere,
    "reword passage": _reword_passage,
    "delete passage": _delete_passage,
}


@dataclass
class Figures:
    comments: int = 0
    checks: int = 0  # (comment, version) pairs compared with the truth
    right: int = 0
    final_checks: int = 0
    final_right: int = 0
    wrong_unchanged: int = 0
    wrong_moved: int = 0
    label_right: int = 0
    exact: int = 0  # placed on exactly its words
    placed: int = 0  # checks where the truth has a place
    relocations: int = 0
    seconds: float = 0.0
    by_truth: dict = field(default_factory=dict)  # truth label: [checks, right]

    def as_dict(self) -> dict:
        return {**self.__dict__, "right_share": self.right_share, "final_right_share": self.final_right_share}

    @property
    def right_share(self) -> float:
        return self.right / self.checks if self.checks else 0.0

    @property
    def final_right_share(self) -> float:
        return self.final_right / self.final_checks if self.final_checks else 0.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def _check(figures: Figures, truth: Truth, span, place, status: str, final: bool) -> None:
    from concepts.anchoring import Status

    expected = truth.label()
    placed = place.start is not None
    if expected == "removed":
        right = status == Status.REMOVED
    else:
        right = placed and _overlap(span, (place.start, place.end)) >= 0.5
        figures.placed += 1
        figures.exact += placed and span == (place.start, place.end)
    figures.checks += 1
    figures.right += right
    counts = figures.by_truth.setdefault(expected, [0, 0])
    counts[0] += 1
    counts[1] += right
    if final:
        figures.final_checks += 1
        figures.final_right += right
    if not right and status == Status.UNCHANGED:
        figures.wrong_unchanged += 1
    if not right and status == Status.MOVED:
        figures.wrong_moved += 1
    figures.label_right += right and status == expected


def _adjacent_twins(section: Section) -> bool:
    sentences = section.sentences()
    return any(a.words == b.words for a, b in zip(sentences, sentences[1:], strict=False))


def _edited(section: Section, body: str) -> tuple[Section, str, dict]:
    """The section after one edit that changes the text and leaves no sentence next to its twin:
    "A S S B" made "A S B" says nothing of which S went, so no truth could be recorded for it."""
    for _attempt in range(50):
        section.rng.random()  # a trial starts from the same state: move on, or it repeats the same edit
        trial = copy.deepcopy(section)
        edit(trial)
        new_body, spans = trial.render()
        if new_body != body and not _adjacent_twins(trial):
            return trial, new_body, spans
    raise RuntimeError("no edit found")


def run(*, sections: int, comments: int, edits: int, seed: int) -> Figures:
    """Generates the corpus and follows every comment through it."""
    from concepts.anchoring import Relocation, initial_place, status_of

    figures = Figures()
    rng = random.Random(seed)
    for _ in range(sections):
        section = new_section(random.Random(rng.random()))
        followed: dict[int, object] = {}  # number of the comment in section.comments -> its place
        # Most comments on the first version, the rest on later ones; one on a duplicated sentence.
        schedule = sorted(0 if n < comments * 7 // 10 else section.rng.randint(1, edits // 2) for n in range(comments))
        body, spans = section.render()
        for version in range(edits + 1):
            for n, at in enumerate(schedule):
                if at != version or (truth := add_comment(section, version, duplicate=n == 0)) is None:
                    continue
                body, spans = section.render()
                number = len(section.comments) - 1
                followed[number] = initial_place(body, truth.original, offset=spans[number][0])
                figures.comments += 1
            if version == edits:
                break
            section, new_body, spans = _edited(section, body)
            started = time.process_time()
            relocation = Relocation(body, new_body)
            for number, place in followed.items():
                passage = body[place.start : place.end] if place.start is not None else ""
                followed[number] = relocation.locate(place, passage)
            figures.seconds += time.process_time() - started
            figures.relocations += len(followed)
            body = new_body
            for number, place in followed.items():
                truth = section.comments[number]
                text = body[place.start : place.end] if place.start is not None else ""
                status = status_of(place, text, truth.original)
                _check(figures, truth, spans.get(number), place, status, final=version == edits - 1)
    return figures


def report(figures: Figures, out=sys.stdout) -> bool:
    per = figures.seconds / figures.relocations * 1000 if figures.relocations else 0.0
    ok = figures.final_right_share >= AIM_RIGHT and figures.wrong_unchanged == 0
    lines = [
        f"comments: {figures.comments}; checks (comment x version): {figures.checks}",
        f"right at the last version: {figures.final_right}/{figures.final_checks} "
        f"= {figures.final_right_share:.1%} (aim >= {AIM_RIGHT:.0%})",
        f"right at every version:    {figures.right}/{figures.checks} = {figures.right_share:.1%}",
        f"wrong place labelled unchanged: {figures.wrong_unchanged} (aim 0); labelled moved: {figures.wrong_moved}",
        f"placed on exactly its words: {figures.exact}/{figures.placed} = {figures.exact / max(1, figures.placed):.1%}",
        f"label exactly right: {figures.label_right}/{figures.checks} = "
        f"{figures.label_right / max(1, figures.checks):.1%}",
        "by truth: "
        + ", ".join(
            f"{label} {right}/{checks}" for label, (checks, right) in sorted(figures.by_truth.items())
        ),  # fmt: skip
        f"CPU per re-anchored comment: {per:.3f} ms (one diff per version shared by its comments)",
        "OK" if ok else "AIM MISSED",
    ]
    print("\n".join(["anchoring:", *("  " + line for line in lines)]), file=out)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anchoring", description=__doc__.splitlines()[0])
    parser.add_argument("--sections", type=int, default=60)
    parser.add_argument("--comments", type=int, default=10, help="comments per section")
    parser.add_argument("--edits", type=int, default=20, help="edits per section")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpf_portal.settings")
    django.setup()
    figures = run(sections=args.sections, comments=args.comments, edits=args.edits, seed=args.seed)
    ok = report(figures)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures.as_dict(), indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
