"""The emails sent, read-only in the admin for staff with NOTIFICATION_VIEW."""

import pytest

from notifications.models import EmailNotification
from tests.factories import make_staff
from tests.helpers import sign_in
from tests.notifications.conftest import queue

pytestmark = pytest.mark.django_db
LIST = "/staff/admin/notifications/emailnotification/"


def test_records_administrators_see_the_emails_sent_but_cannot_change_them(client):
    notification = queue()
    sign_in(client, make_staff("records_admin"))

    page = client.get(LIST)

    assert page.status_code == 200
    text = page.content.decode()
    for shown in ("permit-issued:PM-7KQ3-2M9X", "zoe.obrien@example.com", "tests/emails/permit_"):
        assert shown in text
    detail = client.get(f"{LIST}{notification.pk}/change/")
    assert detail.status_code == 200
    assert "Your parking permit PM-7KQ3-2M9X for LB19PET" in detail.content.decode()
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}{notification.pk}/delete/", {"post": "yes"}).status_code == 403
    assert EmailNotification.objects.filter(pk=notification.pk).exists()


@pytest.mark.parametrize("role", ["contact_centre_agent", "parking_officer", "revenues_officer"])
def test_staff_without_the_permission_do_not_see_the_emails(client, role):
    notification = queue()
    sign_in(client, make_staff(role))

    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{notification.pk}/change/").status_code == 403
    assert "Emails to residents" not in client.get("/staff/admin/").content.decode()
