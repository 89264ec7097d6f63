"""The contact centre's search page: one box, results grouped by kind (casework.search)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from .audit import audit_record
from .models import AuditEntry
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
            # Every search made is audited (a refused query looked at nothing): what was typed,
            # and how much it found; a search names no one person or property.
            audit_record(
                request=request,
                action=AuditEntry.Action.SEARCH,
                subject=text,
                detail={"kind": request.GET.get("kind") or "", "found": results.total},
            )
    return render(request, "casework/search.html", context)
