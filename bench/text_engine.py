"""CPU time of the concept text engine: word diff, its HTML renderings and the three-way merge.

    python -m bench.text_engine                 # 20 KB and 200 KB, best of 5
    python -m bench.text_engine --sizes 20000 --repeat 3
    python -m bench.text_engine --difflib-full  # also difflib without autojunk at every size (minutes)

Texts are deterministic policy-like prose (a Zipf-weighted vocabulary, numbers, headings, lists,
paragraphs). The "new" version has 5% of its words edited (a third deleted, a third replaced, a
third with a word inserted after). Times are ``time.process_time`` (CPU), best of ``--repeat``.
For reference, difflib.SequenceMatcher runs on the same token lists: with its default autojunk
it is slow and marks most of the text replaced; without autojunk it is exact but far slower
(run only at 20 KB unless ``--difflib-full``). Not part of the product; needs no settings.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import random
import sys
import time
from collections.abc import Callable

from concepts.merging import merge3
from concepts.textdiff import DELETE, diff_stats, diff_words, inline_html, side_by_side, tokenize

_BASE_WORDS = (  # noqa: SIM905 - easier to read than a list literal
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
_SUFFIXES = ("", "s", "al", "ed", "ing")


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = list(dict.fromkeys(w + s if s and len(w) > 4 else w for w in _BASE_WORDS for s in _SUFFIXES))
    rng.shuffle(words)
    return words, list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))


def make_text(size: int, seed: int = 1) -> str:
    """About ``size`` characters of Markdown prose: paragraphs, some headings and lists."""
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)

    def sentence() -> str:
        chosen = rng.choices(words, cum_weights=weights, k=rng.randint(6, 28))
        if rng.random() < 0.2:
            chosen.insert(rng.randrange(len(chosen)), f"EUR {rng.randint(1, 999)},{rng.randint(0, 999):03d}")
        if rng.random() < 0.3:
            chosen[len(chosen) // 2] += ","
        return " ".join(chosen).capitalize() + rng.choice(".....;?")

    blocks: list[str] = []
    total = 0
    while total < size:
        r = rng.random()
        if r < 0.08:
            block = f"## Objective {len(blocks) + 1}: " + sentence().rstrip(".;?")
        elif r < 0.2:
            block = "\n".join("- " + sentence() for _ in range(rng.randint(2, 5)))
        else:
            block = " ".join(sentence() for _ in range(rng.randint(2, 7)))
        blocks.append(block)
        total += len(block) + 2
    return "\n\n".join(blocks)


def edit_words(text: str, rate: float = 0.05, seed: int = 2) -> tuple[str, int]:
    """Edit ``rate`` of the words (delete / replace / insert after); returns text and words removed."""
    rng = random.Random(seed)
    words, weights = _vocabulary(rng)
    tokens = tokenize(text)
    out: list[str] = []
    removed = 0
    skip_space = False
    for token in tokens:
        if skip_space and token.isspace() and "\n" not in token:
            skip_space = False
            continue
        skip_space = False
        if not token[0].isalnum():
            out.append(token)
            continue
        r = rng.random()
        if r < rate / 3:
            removed += 1
            skip_space = True
        elif r < 2 * rate / 3:
            new = rng.choices(words, cum_weights=weights)[0]
            removed += new != token
            out.append(new)
        elif r < rate:
            out.append(token + " " + rng.choices(words, cum_weights=weights)[0])
        else:
            out.append(token)
    return "".join(out), removed


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result


def _difflib_deleted_words(a: list[str], b: list[str], autojunk: bool) -> Callable[[], int]:
    def run() -> int:
        deleted = 0
        for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=autojunk).get_opcodes():
            if tag in ("delete", "replace"):
                deleted += sum(1 for t in a[i1:i2] if t[0].isalnum())
        return deleted

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 200_000], help="text sizes in characters")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (the best is shown)")
    parser.add_argument(
        "--difflib-repeat", type=int, default=None, help="runs for difflib (default: --repeat, 1 above 50 KB)"
    )
    parser.add_argument("--difflib-full", action="store_true", help="difflib without autojunk at every size")
    args = parser.parse_args(argv)

    tokenize("warm up")  # builds the tokeniser's pattern once
    print(f"{'size':>8}  {'operation':<42} {'CPU ms':>9}  result")
    for size in args.sizes:
        old = make_text(size, seed=1)
        new, removed = edit_words(old, 0.05, seed=2)
        a, b = tokenize(old), tokenize(new)
        words = sum(1 for t in a if t[0].isalnum())
        label = f"{len(old) // 1000} KB"

        def row(name: str, seconds: float, note: str = "", label: str = label) -> None:
            print(f"{label:>8}  {name:<42} {seconds * 1000:9.1f}  {note}")

        t, ops = best_of(args.repeat, lambda old=old, new=new: diff_words(old, new))
        stats = diff_stats(ops)
        row(
            "diff_words",
            t,
            f"{words} words, {removed} removed by the edit; diff: -{stats.deleted} +{stats.inserted} "
            f"({sum(op.kind == DELETE for op in ops)} deletions)",
        )
        t, html = best_of(args.repeat, lambda ops=ops: inline_html(ops))
        row("inline_html (context 40)", t, f"{len(html) // 1000} KB of HTML")
        t, rows = best_of(args.repeat, lambda ops=ops: side_by_side(ops))
        row("side_by_side (context 40)", t, f"{len(rows)} rows, {sum(r.folded for r in rows)} folded")

        theirs, _ = edit_words(old, 0.05, seed=3)
        t, result = best_of(args.repeat, lambda old=old, new=new, theirs=theirs: merge3(old, new, theirs))
        row("merge3 (both edit 5% everywhere)", t, f"{len(result.conflicts)} conflicting paragraphs")
        cut = old.index("\n\n", len(old) // 2)
        mine_half = edit_words(old[:cut], 0.05, seed=4)[0] + old[cut:]
        theirs_half = old[:cut] + edit_words(old[cut:], 0.05, seed=5)[0]
        t, result = best_of(args.repeat, lambda old=old, m=mine_half, th=theirs_half: merge3(old, m, th))
        row("merge3 (each edits 5% of its own half)", t, "clean" if result.clean else "CONFLICT")

        repeat = args.difflib_repeat or (args.repeat if size <= 50_000 else 1)
        t, deleted = best_of(repeat, _difflib_deleted_words(a, b, autojunk=True))
        row(f"difflib.SequenceMatcher (autojunk) x{repeat}", t, f"-{deleted} words")
        if size <= 50_000 or args.difflib_full:
            t, deleted = best_of(repeat, _difflib_deleted_words(a, b, autojunk=False))
            row(f"difflib.SequenceMatcher (autojunk=False) x{repeat}", t, f"-{deleted} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
