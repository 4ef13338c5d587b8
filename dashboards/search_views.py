"""`/search/?q=`: one search box across what the reader may open (dashboards/search.py)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from projects.access import Capability, projects_with

from . import search as search_selectors


class SearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search for"), required=False, max_length=1000)
    kind = forms.ChoiceField(label=gettext_lazy("Show"), required=False)
    project = forms.SlugField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *((kind.key, kind.label) for kind in kinds)]


def _without(request, *names) -> str:
    """The page's query string without `names` (and without the page number)."""
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return query.urlencode()


@require_safe
def search(request):
    """Open to everyone: anonymous visitors find published projects and editions only."""
    kinds = search_selectors.kinds_for(request.user)
    form = SearchForm(request.GET or None, kinds=kinds)
    form.is_valid()
    # The fields that are valid: a `kind` the reader may not choose does not drop the project too.
    data = form.cleaned_data if form.is_bound else {}
    text = search_selectors.normalise_query(data.get("q") or request.GET.get("q", ""))
    kind = data.get("kind", "")
    project = None
    if data.get("project"):
        project = projects_with(request.user, Capability.VIEW).filter(slug=data["project"]).first()
    message, groups = "", []
    if not text:
        message = _("Type what you are looking for: a word, a name or a phrase.") if "q" in request.GET else ""
    elif len(text) < search_selectors.MIN_QUERY_LENGTH:
        message = _("Type at least %(count)s characters.") % {"count": search_selectors.MIN_QUERY_LENGTH}
    else:
        groups = search_selectors.search(
            user=request.user,
            text=text,
            kind=kind,
            project_slug=project.slug if project else "",  # an unknown project: ignored, and the page says so
            page=request.GET.get("page"),
        )
    context = {
        "form": form,
        "search_query": text,
        "kind": kind,
        "project": project,
        "project_ignored": bool(data.get("project")) and project is None,
        "message": message,
        "groups": groups,
        "found": sum(group.count for group in groups),
        "found_more": any(group.more for group in groups),
        "all_kinds_query": _without(request, "kind"),
        "all_projects_query": _without(request, "project"),
        "page_query": _without(request),
    }
    return render(request, "dashboards/search.html", context)
