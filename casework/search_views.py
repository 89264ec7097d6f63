"""The contact centre's search page: one box, results grouped by kind (casework.search)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .permissions import CASE_VIEW
from .search import KIND_LABELS, QueryError, search


@login_required
@permission_required(CASE_VIEW, raise_exception=True)
def search_page(request):
    """GET only, so a search can be bookmarked, sent back or opened in a new tab."""
    text = request.GET.get("q")
    context = {"q": text or "", "kinds": KIND_LABELS, "results": None, "error": ""}
    if text is not None:
        try:
            results = search(text, kind=request.GET.get("kind"), page=request.GET.get("page"))
        except QueryError as error:
            context["error"] = str(error)
        else:
            context["results"] = results
            # AUDIT (issue 11, for the lead to connect to casework.audit): every staff search
            # writes an entry: request.user, the search text (results.query.text), no person
            # or property (a search names none), the reason (none: searching asks for none),
            # UTC time and request's IP address. Nothing is recorded for a refused query.
            _audit_search(request, results)
    return render(request, "casework/search.html", context)


def _audit_search(request, results) -> None:
    """The one call site for the audit entry of a search (see above); not connected yet."""
