"""The project page's results section: the approved values of each indicator, for every reader
of the page (published projects are public)."""

from django.template.loader import render_to_string

from common.page_sections import register_project_page_section

from .selectors import indicator_tables


@register_project_page_section
def approved_results(project) -> str:
    indicators = indicator_tables(project=project)
    reported = [indicator for indicator in indicators if any(row.actual is not None for row in indicator.rows)]
    if not reported:
        return ""
    return render_to_string("results/_project_page.html", {"project": project, "indicators": reported})
