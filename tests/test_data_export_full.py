"""Issue 20's "done means": the download of a resident with a full history, every part of it
made through the real services and pages (a permit bought and paid, then cancelled with a
refund; council tax linked after a wrong try; a contact centre agent opening their case; a
report that a record is wrong), holds every kind of item "Your data" lists, and nothing of
another resident who did the same."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from balances import services as balance_services
from balances.exceptions import LinkDetailsDoNotMatch
from parking import permits
from tests.factories import UserFactory
from tests.helpers import sign_in
from tests.insights.borough import POSTCODE, load_council_tax, load_homes, permit_bought


@pytest.fixture
def histories(db, settings, tmp_path, agent, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_homes()
    load_council_tax()
    zoe = UserFactory(email="zoe.history@example.com")
    kwame = UserFactory(email="kwame.history@example.com")
    zoes = permit_bought(zoe, person="P1", registration="LB19PET", months=12)
    kwames = permit_bought(kwame, person="P2", registration="LB19DSL", months=12)
    permits.permit_cancel(user=zoe, number=zoes.number)
    with pytest.raises(LinkDetailsDoNotMatch):
        balance_services.account_link(
            user=zoe, account_ref="30000001", postcode=POSTCODE, surname="Wrong"
        )
    balance_services.account_link(
        user=zoe, account_ref="30000001", postcode=POSTCODE, surname="O'Brien"
    )
    # The contact centre opens her case (saying why), as the case view asks.
    sign_in(client, agent)
    case = reverse("casework:person_case", kwargs={"person_ref": "P1"})
    client.post(case, {"reason": "phone"})
    client.get(case)  # the look that the audit log keeps
    client.logout()
    return zoe, zoes, kwame, kwames


def test_the_download_of_a_full_history_holds_every_kind_and_nothing_of_anyone_else(
    client, histories
):
    zoe, zoes, _kwame, kwames = histories
    sign_in(client, zoe)
    response = client.post(reverse("personal_data:download"))
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        data = json.loads(archive.read("your-data.json"))
        tables = sorted(n for n in archive.namelist() if n.startswith("tables/"))
    sections = data["sections"]
    rows = {key: section["rows"] for key, section in sections.items()}
    checks = rows["permit_applications"][0]["Decision"]
    held = {
        "account": rows["account"][0]["Email address"],
        "application": rows["permit_applications"][0]["Reference"],
        "every check has its reason and its records": all(
            check["Reason"] and check["Records used"] for check in checks
        ),
        "permit": rows["permits"][0]["Number"],
        "permit history begins": rows["permits"][0]["History"][0]["What"].split(" from ")[0],
        "payment": rows["payments"][0]["Status"],
        "refund": rows["refunds"][0]["Why"],
        "linked account": rows["council_tax_accounts"][0]["Account number"],
        "link attempts": [attempt["Linked"] for attempt in rows["link_attempts"]],
        "emails": len(rows["emails"]) >= 2,
        "staff looked": [(look["Team"], look["What"]) for look in rows["staff_access"]],
        "tables": len(tables) >= 9,
        "anyone else": [
            text
            for text in (kwames.number, kwames.application.reference, "kwame.history")
            if text in json.dumps(data)
        ],
    }
    assert held == {
        "account": "zoe.history@example.com",
        "application": zoes.application.reference,
        "every check has its reason and its records": True,
        "permit": zoes.number,
        "permit history begins": "Permit issued for LB19PET",
        "payment": "Paid",
        "refund": "Permit cancelled",
        "linked account": "30000001",
        "link attempts": [False, True],
        "emails": True,
        "staff looked": [("Contact centre agent", "Viewed a case")],
        "tables": True,
        "anyone else": [],
    }
