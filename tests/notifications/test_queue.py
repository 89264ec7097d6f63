"""email_queue: one row per event, rendered when queued, sent only after the caller commits."""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from notifications.exceptions import InvalidEmail
from notifications.models import EmailNotification
from notifications.services import email_queue
from tests.factories import UserFactory
from tests.notifications.conftest import CONTEXT, queue

pytestmark = pytest.mark.django_db


@pytest.mark.embedded
def test_an_email_queued_in_a_transaction_that_rolls_back_is_never_sent(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the permit could not be issued after all")
    assert callbacks == []
    assert mail.outbox == []
    assert not EmailNotification.objects.exists()


@pytest.mark.embedded
def test_the_email_is_sent_only_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notification = queue()
        assert mail.outbox == []
    assert [m.to for m in mail.outbox] == [["zoe.obrien@example.com"]]
    notification.refresh_from_db()
    assert notification.status == EmailNotification.Status.SENT
    assert notification.sent_at is not None and notification.attempts == 1
    assert notification.provider == "django"
    assert notification.provider_id == mail.outbox[0].extra_headers["Message-ID"]


@pytest.mark.embedded
def test_the_same_event_queued_twice_makes_one_row_and_one_email(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = queue(context={**CONTEXT, "name": "Someone else"})
    assert callbacks == []
    assert again.pk == first.pk and again.context["name"] == "Zoë O'Brien"
    assert EmailNotification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_same_event_twice_in_one_transaction_keeps_the_caller_s_work(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        user = UserFactory(email="kwame@example.com")
        first = queue(user=user)
        again = queue(user=user)
    assert again.pk == first.pk
    assert len(callbacks) == 1 and len(mail.outbox) == 1
    assert EmailNotification.objects.get().user == user  # the savepoint kept the user row


def test_the_row_records_exactly_what_was_sent():
    notification = queue()
    assert notification.subject == "Your parking permit PM-7KQ3-2M9X for LB19PET"
    # Plain text is not HTML-escaped; the site's address comes without a doubled slash.
    assert "Dear Zoë O'Brien,\n" in notification.body_text
    assert "See it at https://portal.hackney.example/parking/" in notification.body_text
    assert notification.body_text.startswith("Hackney Council: Hackney resident portal\n")
    assert "nobody reads replies" in notification.body_text
    # The HTML extends the shared base and escapes what it is given.
    html = notification.body_html
    assert '<html lang="en-GB">' in html
    assert "<title>Your parking permit PM-7KQ3-2M9X for LB19PET</title>" in html
    assert "Dear Zoë O&#x27;Brien," in html
    assert '<a href="https://portal.hackney.example/parking/"' in html
    assert notification.context == CONTEXT
    assert notification.template == "tests/emails/permit_issued"
    assert notification.status == EmailNotification.Status.QUEUED


def test_the_email_sent_has_the_plain_text_and_the_html(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue()
    sent = mail.outbox[0]
    assert (sent.subject, sent.body) == (notification.subject, notification.body_text)
    assert sent.alternatives[0].content == notification.body_html
    assert sent.alternatives[0].mimetype == "text/html"
    assert sent.from_email == "Hackney Council <no-reply@hackney.gov.uk>"
    assert sent.extra_headers["X-Portal-Reference"] == "permit-issued:PM-7KQ3-2M9X"


def test_a_template_without_html_sends_plain_text_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = queue(template="tests/emails/text_only")
    assert notification.body_html == ""
    assert mail.outbox[0].alternatives == []
    assert mail.outbox[0].body == "Only text, Zoë O'Brien.\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"context": {"on": datetime.date(2027, 3, 31)}}, "context['on'] is a date"),
        ({"context": {"permit": object()}}, "context['permit'] is a object"),
        ({"context": {"rows": [1, {"at": {1, 2}}]}}, "context['rows'][1]['at'] is a set"),
        ({"context": {1: "a"}}, "context has a key that is not text: 1"),
        ({"context": {"price": float("nan")}}, "context['price'] is nan"),
        ({"context": ["not", "a", "dict"]}, "context must be a dict, not a list"),
        ({"to": "not-an-address"}, "Not an email address: 'not-an-address'"),
        ({"event_key": " "}, "event_key must be text naming the event"),
        ({"event_key": "x" * 201}, "event_key must be at most 200 characters"),
        ({"template": "tests/emails/gone"}, "No email template tests/emails/gone_subject.txt"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly_and_changes_nothing(change, message):
    with pytest.raises(InvalidEmail) as refused:
        queue(**change)
    assert message in str(refused.value)
    assert not EmailNotification.objects.exists()


def test_the_caller_s_user_is_kept_with_the_email(resident):
    notification = email_queue(
        event_key="renewal-reminder-6w:PM-7KQ3-2M9X",
        to=resident.email,
        template="tests/emails/text_only",
        context={"name": "Zoë"},
        user=resident,
    )
    assert EmailNotification.objects.get(pk=notification.pk).user == resident
