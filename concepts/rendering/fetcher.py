"""The URL fetcher WeasyPrint uses for every resource of a concept document.

It serves a fixed allow-list of our own static files (the print stylesheet, the logo, the EU emblem), by
exact URL, read from disk; it refuses everything else by raising `URLFetchingError`, which
WeasyPrint catches: it logs a warning and renders on without that resource. It never opens a
socket, follows a redirect, reads another file, or decodes a data: URL.

Fonts are not fetched: the stylesheet names DejaVu, which fontconfig finds on the system
(Debian's fonts-dejavu-core).
"""

import logging
import mimetypes
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

logger = logging.getLogger("mpf.rendering")

# Our own files are named by URLs under this origin. The .invalid top-level domain never
# resolves (RFC 6761), and the fetcher never goes to the network anyway.
STATIC_ORIGIN = "https://mpf-portal.invalid/static/"
STYLESHEET = "css/concept-print.css"
LOGO = "img/mpf-logo.svg"
EMBLEM = "img/eu-emblem.svg"  # drawn by concepts.rendering.emblem
ALLOWED_STATIC_FILES = (STYLESHEET, LOGO, EMBLEM)


def static_url(name: str) -> str:
    if name not in ALLOWED_STATIC_FILES:
        raise ValueError(f"{name} is not on the renderer's allow-list")
    return STATIC_ORIGIN + name


@cache
def _static_path(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"The static file {name} is missing.")
    return Path(found)


def allowed_file_bytes(name: str) -> bytes:
    return _static_path(name).read_bytes()


class StaticOnlyURLFetcher(URLFetcher):
    """Serves the allow-listed static files by exact URL; refuses every other URL."""

    def __init__(self):
        # No handlers are used (fetch never calls the opener), but WeasyPrint reads the
        # options the base class sets. Errors are never fatal: a refused resource is skipped.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        name = url[len(STATIC_ORIGIN) :] if url.startswith(STATIC_ORIGIN) else None
        if name not in ALLOWED_STATIC_FILES:
            self.refused.append(url[:200])
            logger.info("Refused to fetch %s while rendering a document.", url[:200])
            raise URLFetchingError(f"Refused: {url[:200]}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        headers = {"Content-Type": content_type + ("; charset=utf-8" if content_type == "text/css" else "")}
        return URLFetcherResponse(url, allowed_file_bytes(name), headers=headers)
