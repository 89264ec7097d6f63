from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.roles import ROLES, is_staff_member, role_names
from records.models import SYNC_VIEW

from .forms import AuditFilterForm
from .permissions import AUDIT_LOG_VIEW
from .selectors import audit_entries_page


@login_required
def staff_home(request):
    """The staff landing page. The MFA middleware has already checked the authenticator app."""
    if not is_staff_member(request.user):
        raise PermissionDenied
    roles = [{"name": name, "description": ROLES[name][0]} for name in role_names(request.user)]
    return render(
        request,
        "casework/staff_home.html",
        {
            "roles": roles,
            "can_view_syncs": request.user.has_perm(SYNC_VIEW),
            "can_view_audit_log": request.user.has_perm(AUDIT_LOG_VIEW),
        },
    )


@login_required
@permission_required(AUDIT_LOG_VIEW, raise_exception=True)
def audit_log(request):
    """The audit log for records administrators: who looked at whose data, when and why."""
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "staff_email": data["staff"],
            "resident": data["resident"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }
    valid = not form.is_bound or form.is_valid()
    page = audit_entries_page(page=request.GET.get("page"), **filters) if valid else None
    # The page links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/audit_log.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
        },
    )
