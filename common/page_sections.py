"""Sections that apps built on top of `projects` add to a project's page.

An app registers a function that returns the HTML of its section for a project (or "" for
none); the project page shows them in order of registration. This keeps `projects` from
importing those apps, like the history sources (common.history). The function is called
after the view has decided that the reader may see the page; it must show only what every
reader of that page may see. Its HTML is kept with the page's body (projects.views.project_detail)
under the project's content revision and the language: it must show only rows that move the
revision on (see projects/revision.py) and nothing that depends on the reader or today's date.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

_sections: list[Callable] = []


def register_project_page_section(section: Callable) -> Callable:
    """`section(project)` returns the section's HTML, rendered by our templates, or ""."""
    if section not in _sections:
        _sections.append(section)
    return section


def project_page_sections(project) -> list[SafeString]:
    return [html for section in _sections if (html := section(project))]
