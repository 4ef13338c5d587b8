"""`assert_accessible(page)`: axe-core on the page the browser shows, failing on serious harm.

Every page a browser test visits is checked with it. Only "serious" and "critical" findings
fail the test; "moderate" and "minor" ones are left to review.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

FAILING_IMPACTS = ("critical", "serious")
TARGETS_SHOWN = 3

_axe = Axe()


def serious_violations(page) -> list[dict]:
    """The serious and critical axe-core violations on the page as it is now.

    Colours are read as the page rests: with motion reduced, Bootstrap drops its colour transitions,
    which otherwise leave a button the mouse has just entered or left half-way between two colours,
    a contrast no one sees for long."""
    page.emulate_media(reduced_motion="reduce")
    results = _axe.run(page)
    return [violation for violation in results.response["violations"] if violation.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        more = f" (+{len(targets) - TARGETS_SHOWN} more)" if len(targets) > TARGETS_SHOWN else ""
        lines.append(f"    targets: {', '.join(targets[:TARGETS_SHOWN])}{more}")
        lines.append(f"    see {violation['helpUrl']}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fails the test if axe-core finds a serious or critical violation on `page`."""
    violations = serious_violations(page)
    if violations:
        pytest.fail(
            f"{len(violations)} serious or critical accessibility violation(s) on {page.url}:\n{describe(violations)}",
            pytrace=False,
        )
