"""`python -m bench.render`: how long and how much memory does a concept PDF take?

Renders a generated concept (default about 300 pages of policy text) twice, each in a fresh
subprocess:

- pipeline: what a worker does: read the edition from the database, build the HTML from our
  templates (Markdown, numbering, contents), hash it, and render it with WeasyPrint through our
  allow-list URL fetcher;
- weasyprint: WeasyPrint alone on the same HTML, with WeasyPrint's default fetcher reading the
  same stylesheet and logo from disk (file:// URLs).

Each subprocess first renders a one-page edition, unmeasured, as a worker that has rendered before
would have (templates, translations, fonts and WeasyPrint loaded). It prints, for each variant,
the wall time (best of --repeat runs), the time spent building the HTML, the peak resident memory
of the subprocess (ru_maxrss, Python and Django included), the pages and the PDF's size, then our
overhead (pipeline over WeasyPrint alone; the aim is under 25%). The table is also written to
var/bench-render-results.json.

The data lives in a throw-away SQLite file under var/ (nothing else is touched):

    python -m bench.render                      # ~300 pages, best of 2
    python -m bench.render --pages 10,100,300   # several sizes
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE = BASE_DIR / "var" / "bench-render.sqlite3"
RESULTS = BASE_DIR / "var" / "bench-render-results.json"
WORDS_PER_PAGE = 300  # measured: generated text of this kind fills an A4 page at about this rate

# fmt: off
VOCABULARY = [
    "migration", "policy", "national", "authorities", "border", "management", "asylum", "procedure", "integration",
    "labour", "mobility", "return", "readmission", "cooperation", "partner", "countries", "capacity", "building",
    "strategy", "action", "plan", "implementation", "monitoring", "evaluation", "data", "protection", "legal",
    "framework", "stakeholders", "civil", "society", "diaspora", "remittances", "development", "visa",
    "facilitation", "trafficking", "smuggling", "prevention", "protection", "vulnerable", "groups", "reception",
    "conditions", "interagency", "coordination", "regional", "dialogue", "evidence", "indicators", "targets",
    "budget", "resources", "training", "curricula", "officials", "ministries", "consultation", "review",
]
# fmt: on


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(12, 24))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        sentence = _sentence(rng)
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    return " ".join(sentences)


def _body(rng: random.Random, words: int) -> str:
    """Markdown of about `words` words: paragraphs, now and then a list or a table."""
    blocks, count = [], 0
    while count < words:
        roll = rng.random()
        if roll < 0.12:
            items = [f"- {_sentence(rng)}" for _ in range(rng.randint(3, 6))]
            blocks.append("\n".join(items))
            count += 60
        elif roll < 0.18:
            rows = ["| Objective | Indicator | Baseline | Target |", "|---|---|---|---|"]
            for _ in range(rng.randint(3, 6)):
                cells = [" ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(2, 6))) for _ in range(2)]
                rows.append(f"| {cells[0]} | {cells[1]} | {rng.randint(0, 90)}% | {rng.randint(50, 100)}% |")
            blocks.append("\n".join(rows))
            count += 70
        else:
            blocks.append(_paragraph(rng, rng.randint(70, 140)))
            count += 100
    return "\n\n".join(blocks)


def generate_outline(pages: int, seed: int = 1) -> list[tuple[str, int, str, str]]:
    """(number, level, title, Markdown body) of a concept of about `pages` pages."""
    rng = random.Random(seed)
    remaining = pages * WORDS_PER_PAGE
    outline = []
    chapter = 0
    while remaining > 0:
        chapter += 1
        outline.append((f"{chapter}", 1, f"Chapter {chapter}: {rng.choice(VOCABULARY)} policy", _body(rng, 150)))
        remaining -= 150
        for section in range(1, rng.randint(3, 5) + 1):
            if remaining <= 0:
                break
            number = f"{chapter}.{section}"
            outline.append((number, 2, f"{rng.choice(VOCABULARY).capitalize()} and {rng.choice(VOCABULARY)}",
                            _body(rng, 250)))  # fmt: skip
            remaining -= 250
            for sub in range(1, rng.randint(1, 3) + 1):
                words = rng.randint(300, 700)
                outline.append((f"{number}.{sub}", 3, f"{rng.choice(VOCABULARY).capitalize()} measures",
                                _body(rng, words)))  # fmt: skip
                remaining -= words
    return outline


def _setup_django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mpf_portal.settings")
    import django

    django.setup()


def _make_edition(pages: int) -> int:
    """A project, a concept of about `pages` pages and its edition, in the bench database."""
    import datetime

    from concepts.models import Concept, Edition, EditionEntry, Section, SectionVersion
    from projects.models import FundingInstrument, Organisation, Project, ProjectPartner

    instrument, _ = FundingInstrument.objects.get_or_create(
        code="AMIF", defaults={"name": "Asylum, Migration and Integration Fund"}
    )
    project = Project.objects.create(
        code=f"BENCH-{pages}-{time.time_ns()}", slug=f"bench-{pages}-{time.time_ns()}", title="Bench project",
        planned_start=datetime.date(2025, 1, 1), planned_end=datetime.date(2026, 12, 31), instrument=instrument,
    )  # fmt: skip
    icmpd, _ = Organisation.objects.get_or_create(name="Bench implementer", defaults={"kind": "implementing_agency",
                                                                                      "acronym": "BI"})  # fmt: skip
    ProjectPartner.objects.create(project=project, organisation=icmpd, role="implementing")
    concept = Concept.objects.create(project=project, title=f"Generated concept of {pages} pages")
    edition = Edition.objects.create(concept=concept, name="Final draft", date=datetime.date(2026, 3, 1), is_final=True)
    parents: dict[int, Section] = {}
    for position, (number, level, title, body) in enumerate(generate_outline(pages), start=1):
        section = Section.objects.create(concept=concept, parent=parents.get(level - 1), position=position)
        version = SectionVersion.objects.create(section=section, number=1, title=title, body=body)
        Section.objects.filter(pk=section.pk).update(head=version)
        parents[level] = section
        EditionEntry.objects.create(edition=edition, section=section, version=version, number=number, level=level,
                                    position=position)  # fmt: skip
    return edition.pk


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def _file_urls(html: str) -> str:
    """The same HTML with our asset URLs pointing at the files on disk, for WeasyPrint's own fetcher."""
    from concepts.rendering.fetcher import ALLOWED_STATIC_FILES, STATIC_ORIGIN, _static_path

    for name in ALLOWED_STATIC_FILES:
        html = html.replace(STATIC_ORIGIN + name, _static_path(name).as_uri())
    return html


def child(mode: str, edition_id: int, warmup_id: int, html_path: Path) -> dict:
    """One measured render in this fresh process, after an unmeasured one of a small edition (as in a
    worker that has rendered before: templates, translations, fonts and WeasyPrint are loaded)."""
    _setup_django()
    import weasyprint

    from concepts.models import Edition, RenderJob
    from concepts.rendering.documents import build_document
    from concepts.rendering.render import render_pdf

    def edition_html(pk):
        edition = Edition.objects.select_related("concept__project__instrument").get(pk=pk)
        return build_document(concept=edition.concept, kind=RenderJob.Kind.PDF, edition=edition).html

    warmup = edition_html(warmup_id)
    if mode == "pipeline":
        render_pdf(warmup)
        before = _peak_kib()
        started = time.perf_counter()
        html = edition_html(edition_id)
        built = time.perf_counter()
        pdf, pages = render_pdf(html)
        finished = time.perf_counter()
        html_path.write_text(html, encoding="utf-8")
        return {"seconds": finished - started, "html_seconds": built - started, "pages": pages,
                "bytes": len(pdf), "peak_kib": _peak_kib(), "start_kib": before}  # fmt: skip
    weasyprint.HTML(string=_file_urls(warmup)).render().write_pdf()
    html = _file_urls(html_path.read_text(encoding="utf-8"))
    before = _peak_kib()
    started = time.perf_counter()
    document = weasyprint.HTML(string=html).render()
    pdf = document.write_pdf()
    finished = time.perf_counter()
    return {"seconds": finished - started, "pages": len(document.pages), "bytes": len(pdf),
            "peak_kib": _peak_kib(), "start_kib": before}  # fmt: skip


def _run_child(mode: str, edition_id: int, warmup_id: int, html_path: Path) -> dict:
    command = [sys.executable, "-m", "bench.render", "--child", mode, "--edition", str(edition_id),
               "--warmup", str(warmup_id), "--html", str(html_path)]  # fmt: skip
    output = subprocess.run(command, cwd=BASE_DIR, check=True, capture_output=True, text=True, timeout=1800)  # noqa: S603
    return json.loads(output.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="300", help="comma-separated sizes, e.g. 10,100,300")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; the best is shown")
    parser.add_argument("--child", choices=["pipeline", "weasyprint"], help=argparse.SUPPRESS)
    parser.add_argument("--edition", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--warmup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--html", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.edition, args.warmup, args.html)))
        return 0

    DATABASE.parent.mkdir(exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"{'pages':>6} {'variant':<11} {'seconds':>8} {'html s':>7} {'peak MiB':>9} {'PDF KiB':>8}")
    results = []
    warmup_id = _make_edition(1)
    with tempfile.TemporaryDirectory() as folder:
        for size in [int(p) for p in args.pages.split(",")]:
            edition_id = _make_edition(size)
            html_path = Path(folder) / f"concept-{size}.html"
            runs = {"pipeline": [], "weasyprint": []}
            for _ in range(args.repeat):
                runs["pipeline"].append(_run_child("pipeline", edition_id, warmup_id, html_path))  # writes the HTML
                runs["weasyprint"].append(_run_child("weasyprint", edition_id, warmup_id, html_path))
            best = {mode: min(found, key=lambda r: r["seconds"]) for mode, found in runs.items()}
            for mode, result in best.items():
                peak = max(r["peak_kib"] for r in runs[mode]) / 1024
                print(f"{result['pages']:>6} {mode:<11} {result['seconds']:>8.2f} "
                      f"{result.get('html_seconds', 0):>7.2f} {peak:>9.0f} {result['bytes'] / 1024:>8.0f}")  # fmt: skip
            overhead = (best["pipeline"]["seconds"] / best["weasyprint"]["seconds"] - 1) * 100
            print(f"{'':>6} overhead of our pipeline over WeasyPrint alone: {overhead:+.1f}% (aim: under 25%)")
            results.append({"pages": size, "best": best, "overhead_percent": round(overhead, 1)})
    DATABASE.unlink(missing_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"Results written to {RESULTS.relative_to(BASE_DIR)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
