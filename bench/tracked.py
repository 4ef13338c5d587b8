"""`python -m bench.tracked`: how long does a Word file with tracked changes of a long comparison take?

Generates a concept of about --pages pages (default 300, the text of `bench.render`), freezes it,
changes it as a drafting round would (a third of the sections edited by two people in two
versions each: words replaced, a sentence deleted, a paragraph inserted; a few sections added,
removed and moved; an open comment with a reply on every tenth section), freezes it again and
times what a worker does for the `tracked_docx` render of the two editions, best of --repeat:

- build: read both editions and the versions between them, flatten, diff and attribute every
  change, anchor the comments (`build_tracked_document`);
- write: the .docx itself (`render_tracked_docx`).

It prints the times, the file's size, its paragraphs, tracked changes and comments, and writes
them to var/bench-tracked-results.json. The data lives in a throw-away SQLite file under var/.

    python -m bench.tracked                 # ~300 pages, best of 2
    python -m bench.tracked --pages 50,300
"""

import argparse
import datetime
import json
import random
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path

from bench import render as bench_render

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = BASE_DIR / "var" / "bench-tracked.sqlite3"
RESULTS = BASE_DIR / "var" / "bench-tracked-results.json"


def _edit(body: str, rng: random.Random) -> str:
    """A drafting pass over one section: a word replaced, a sentence deleted, a paragraph inserted."""
    paragraphs = body.split("\n\n")
    first = paragraphs[0].split(" ")
    if len(first) > 4:
        first[rng.randrange(1, len(first) - 1)] = rng.choice(bench_render.VOCABULARY)
    paragraphs[0] = " ".join(first)
    last = paragraphs[-1]
    if ". " in last:
        paragraphs[-1] = last.split(". ", 1)[1]
    paragraphs.insert(rng.randrange(len(paragraphs) + 1), bench_render._paragraph(rng, 60))
    return "\n\n".join(paragraphs)


def make_comparison(pages: int, seed: int = 2) -> tuple[int, int]:
    """Two editions of a generated concept, a drafting round apart; returns their ids."""
    from django.contrib.auth import get_user_model

    from concepts import services
    from concepts.models import Comment, Concept, Section

    rng = random.Random(seed)
    user_model = get_user_model()
    anna = user_model.objects.create(username=f"anna-{time.time_ns()}", first_name="Anna", last_name="Drafter")
    ivan = user_model.objects.create(username=f"ivan-{time.time_ns()}", first_name="Ivan", last_name="Editor")
    concept = Concept.objects.create(project=_project(), title=f"Tracked comparison of {pages} pages")
    parents: dict[int, Section] = {}
    sections = []
    for number, level, title, body in bench_render.generate_outline(pages):
        del number  # the outline numbers itself
        section = services.section_add(
            concept=concept, title=title, body=body, parent=parents.get(level - 1), user=anna
        )
        parents[level] = section
        sections.append(section)
    first = services.edition_create(
        concept=concept, name="First draft", date=datetime.date(2026, 1, 15), is_final=False, user=anna
    )
    for index, section in enumerate(sections):
        section.refresh_from_db()
        if index % 3 == 0:
            for user in (anna, ivan):
                head = Section.objects.get(pk=section.pk).head
                services.section_save(
                    section=section, base_number=head.number, title=head.title, body=_edit(head.body, rng), user=user
                )
        if index % 10 == 0:
            head = Section.objects.get(pk=section.pk).head
            comment = Comment.objects.create(
                section=section, version=head, author=ivan, body="Please check this.", quote=head.body.split(" ", 3)[2]
            )
            Comment.objects.create(section=section, version=head, author=anna, body="Checked.", parent=comment)
    leaves = [section for section in sections if not section.children.exists()]
    for section in leaves[5::40]:
        services.section_remove(section=section)
    for section in leaves[7::40]:
        services.section_add(
            concept=concept, title="New measures", body=bench_render._body(rng, 200), parent=section.parent, user=ivan
        )
    for section in leaves[9::60]:
        services.section_move(section=section, direction="up")
    second = services.edition_create(
        concept=concept, name="Second draft", date=datetime.date(2026, 3, 1), is_final=False, user=ivan
    )
    return first.pk, second.pk


def _project():
    """A project to put the comparison in: bench.render's, with its partners (for the cover)."""
    from concepts.models import Edition

    return Edition.objects.select_related("concept__project").get(pk=bench_render._make_edition(1)).concept.project


def _counts(data: bytes) -> dict:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        document = archive.read("word/document.xml")
        comments = archive.read("word/comments.xml") if "word/comments.xml" in archive.namelist() else b""
    return {
        "paragraphs": document.count(b"<w:p>") + document.count(b"<w:p "),
        "insertions": document.count(b"<w:ins "),
        "deletions": document.count(b"<w:del "),
        "comments": comments.count(b"<w:comment "),
    }


def measure(first_id: int, second_id: int, repeat: int) -> dict:
    from concepts.models import Edition
    from concepts.rendering.tracked import build_tracked_document, render_tracked_docx

    first = Edition.objects.select_related("concept__project").get(pk=first_id)
    second = Edition.objects.get(pk=second_id)
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        document = build_tracked_document(concept=first.concept, edition=first, other_edition=second)
        built = time.perf_counter()
        data = render_tracked_docx(document)
        finished = time.perf_counter()
        run = {"build_seconds": built - started, "write_seconds": finished - built, "seconds": finished - started}
        if best is None or run["seconds"] < best["seconds"]:
            best = run
    return {**best, "bytes": len(data), **_counts(data)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="300", help="comma-separated sizes, e.g. 50,300")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best is shown")
    args = parser.parse_args(argv)
    bench_render.DATABASE = DATABASE  # bench.render's set-up, on our own throw-away file
    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    bench_render._setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(
        f"{'pages':>6} {'seconds':>8} {'build s':>8} {'write s':>8} {'KiB':>7} {'paras':>6} {'ins':>6} {'del':>6} "
        f"{'comments':>8}"
    )
    results = []
    for size in [int(p) for p in args.pages.split(",")]:
        first_id, second_id = make_comparison(size)
        result = {"pages": size, **measure(first_id, second_id, args.repeat)}
        results.append(result)
        print(
            f"{size:>6} {result['seconds']:>8.2f} {result['build_seconds']:>8.2f} {result['write_seconds']:>8.2f} "
            f"{result['bytes'] / 1024:>7.0f} {result['paragraphs']:>6} {result['insertions']:>6} "
            f"{result['deletions']:>6} {result['comments']:>8}"
        )
    DATABASE.unlink(missing_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Results written to {RESULTS.relative_to(BASE_DIR)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
