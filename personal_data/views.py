"""Your data: everything the portal holds about the signed-in resident, on one page and as one
download. Only ever the signed-in resident's own: every provider reads by `user`."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from hackney_portal.templatetags.portal import clock_time, long_date
from parking.exceptions import ApplicationNotWithdrawable
from parking.models import PermitApplication
from parking.selectors import applications_for_user, permits_live_for_user

from . import closing, exports
from .exceptions import ExportLinkExpired, ExportLinkUsed
from .gather import personal_data
from .models import DataExport


@login_required
def your_data(request):
    sections = personal_data(user=request.user)
    return render(
        request,
        "personal_data/your_data.html",
        {"sections": [(section, [_shown(row) for row in section.rows]) for section in sections]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def download(request):
    """What the download holds, and a button to make it: a small file comes at once, a large
    one is made by a worker and its link emailed."""
    user = request.user
    if request.method == "POST":
        if exports.export_is_small(user=user):
            response = exports.zip_response(
                lambda into: exports.export_write(user=user, into=into),
                filename=f"your-data-{timezone.localdate():%Y-%m-%d}.zip",
            )
            exports.export_record_handed_over(user=user)
            return response
        exports.export_request(user=user)
        return redirect("personal_data:download")
    waiting = DataExport.objects.filter(
        user=user, status__in=[DataExport.Status.QUEUED, DataExport.Status.READY]
    ).order_by("-created_at")
    return render(request, "personal_data/download.html", {"waiting": waiting.first()})


@login_required
def export(request, token: str):
    """An emailed link: the file once, for its resident only (anyone else: not found)."""
    try:
        made, content = exports.export_take(user=request.user, token=token)
    except DataExport.DoesNotExist:
        raise Http404 from None
    except ExportLinkUsed:
        return render(request, "personal_data/link_used.html", status=410)
    except ExportLinkExpired:
        return render(request, "personal_data/link_expired.html", status=410)
    return exports.zip_response(
        None,
        content=content,
        filename=f"your-data-{timezone.localtime(made.ready_at):%Y-%m-%d}.zip",
    )


def _shown(row: dict) -> list[tuple[str, list[str]]]:
    """A row as label -> lines of text, for a summary list."""
    return [(label, _lines(value)) for label, value in row.items()]


def _lines(value) -> list[str]:
    if value is None or value == "" or value == [] or value == {}:
        return ["None"]
    if value is True:
        return ["Yes"]
    if value is False:
        return ["No"]
    if isinstance(value, datetime):
        local = timezone.localtime(value)
        return [f"{long_date(local)}, {clock_time(local)}"]
    if isinstance(value, date):
        return [long_date(value)]
    if isinstance(value, dict):
        # One line for a short record ("Check: Your address. Result: Met. ...").
        parts = (f"{key}: {'; '.join(_lines(inner))}" for key, inner in value.items())
        return [" ".join(_sentence(part) for part in parts)]
    if isinstance(value, list):
        return [line for item in value for line in _lines(item)]
    return [str(value)]


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


@login_required
@require_http_methods(["GET", "POST"])
def close(request):
    """What closing the account does, and a button to be emailed the link that closes it."""
    if request.method == "POST":
        closing.account_close_request(user=request.user)
        messages.success(
            request,
            f"We have emailed a link to {request.user.email}. Open it to close your account: "
            f"it works for {settings.ACCOUNT_CLOSE_LINK_HOURS} hours.",
        )
        return redirect("personal_data:close")
    return render(request, "personal_data/close.html", _closing_context(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def close_confirm(request, token: str):
    """The emailed link: for its own account only (anyone else: not found, as for none)."""
    try:
        closing.account_close_check(user=request.user, token=token)
    except closing.CloseLinkInvalid:
        raise Http404 from None
    problem = ""
    if request.method == "POST":
        try:
            closing.account_close(user=request.user, token=token)
        except ApplicationNotWithdrawable as refused:
            problem = str(refused)
        else:
            logout(request)
            return redirect("personal_data:closed")
    context = {**_closing_context(request.user), "problem": problem}
    return render(request, "personal_data/close_confirm.html", context)


def closed(request):
    return render(request, "personal_data/closed.html")


def _closing_context(user) -> dict:
    return {
        "live_permits": permits_live_for_user(user=user, today=timezone.localdate()),
        "waiting": applications_for_user(user=user)
        .filter(status__in=PermitApplication.PENDING)
        .order_by("created_at"),
    }
