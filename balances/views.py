"""The resident's council tax pages: link an account, see its balance, payments and statement,
unlink it. Every page needs a signed-in resident, and an account they have not linked is a 404."""

from __future__ import annotations

import csv
import math
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hackney_portal.spreadsheets import plain_pounds, spreadsheet_safe
from hackney_portal.templatetags.portal import clock_time

from . import selectors, services
from .exceptions import AccountNotLinked, LinkDetailsDoNotMatch, LinkLockedOut
from .forms import LinkForm
from .models import PageViewCount

DO_NOT_MATCH = (
    "The details do not match an account we can link. Check your bill for the account number, "
    "and enter the postcode of the property and the surname of a person named on the bill"
)


def linked_only(view):
    """Sign-in first; an account the resident has not linked is a 404."""

    @login_required
    @wraps(view)
    def page(request, account_ref: str):
        try:
            return view(request, account_ref)
        except AccountNotLinked:
            raise Http404("No such account linked") from None

    return page


@login_required
def home(request):
    accounts = selectors.accounts_linked(user=request.user)
    return render(request, "balances/home.html", {"accounts": accounts})


@login_required
def link(request):
    form = LinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_link(user=request.user, **form.cleaned_data)
        except LinkDetailsDoNotMatch:
            form.add_error(None, DO_NOT_MATCH)
        except LinkLockedOut as locked:
            form.add_error(None, locked_out_message(locked))
        else:
            ref = form.cleaned_data["account_ref"]
            messages.success(request, f"Council tax account {ref} is linked to your account.")
            return redirect("balances:balance", account_ref=ref)
    return render(request, "balances/link.html", {"form": form})


def locked_out_message(locked: LinkLockedOut) -> str:
    minutes = max(1, math.ceil((locked.until - timezone.now()).total_seconds() / 60))
    at = timezone.localtime(locked.until)
    if not locked.yours:
        # Other people's failures: never "you have tried too many times".
        return (
            "Linking this account is paused for its protection: someone has tried to link it "
            f"with the wrong details many times. This is not because of anything you did. Try "
            f"again after {clock_time(at)} (in {minutes} minute{'s' if minutes != 1 else ''}), "
            "or call us on 020 8356 3000 and we can link it for you"
        )
    return (
        "You have tried too many times. For your security, linking is paused: "
        f"wait {minutes} minute{'s' if minutes != 1 else ''} (until {at:%H:%M}) and try again, "
        "or call us on 020 8356 3000"
    )


@linked_only
def balance(request, account_ref: str):
    account = selectors.balance_for(
        user=request.user, account_ref=account_ref, today=timezone.localdate()
    )
    response = render(request, "balances/balance.html", {"account": account})
    # Counted once shown (an account not linked is a 404 above, and not counted): how much the
    # page is used, for the analysts' channel shift. Nothing about who.
    services.page_view_count(page=PageViewCount.Page.BALANCE)
    return response


@linked_only
def payments(request, account_ref: str):
    page = selectors.payments_page(
        user=request.user, account_ref=account_ref, page=request.GET.get("page")
    )
    return render(request, "balances/payments.html", {"account_ref": account_ref, "page": page})


@linked_only
def statement(request, account_ref: str):
    statement = selectors.statement_for(user=request.user, account_ref=account_ref)
    return render(
        request,
        "balances/statement.html",
        {"statement": statement, "printed_on": timezone.localdate()},
    )


@linked_only
def statement_csv(request, account_ref: str):
    statement = selectors.statement_for(user=request.user, account_ref=account_ref)
    filename = f"council-tax-{account_ref}-statement-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(
        ["date", "financial_year", "kind", "description", "amount", "balance", "reference"]
    )
    for entry in statement.entries:
        writer.writerow(
            [
                entry.posted_on.isoformat(),
                entry.financial_year,
                entry.kind,
                spreadsheet_safe(entry.description),
                plain_pounds(entry.amount_pence),
                plain_pounds(entry.running_balance_pence),
                spreadsheet_safe(entry.transaction_ref),
            ]
        )
    return response


@linked_only
def unlink(request, account_ref: str):
    account = selectors.linked_account(user=request.user, account_ref=account_ref)
    if request.method == "POST":
        services.account_unlink(user=request.user, account_ref=account_ref)
        messages.success(request, f"Council tax account {account_ref} is no longer linked.")
        return redirect("balances:home")
    return render(request, "balances/unlink.html", {"account": account})
