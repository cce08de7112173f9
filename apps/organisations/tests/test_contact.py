import pytest
from django.core import mail
from django.urls import reverse

from apps.core.models import RateLimitHit
from tests.factories import OrganisationFactory, UserFactory

from .people import admin_of, english, member_of, messages_of

pytestmark = pytest.mark.django_db


def contact_page(organisation) -> str:
    return english(reverse("organisations:contact", args=[organisation.slug]))


def message(**overrides) -> dict:
    return {
        "name": "Ina Berg",
        "email": "ina@example.org",
        "subject": "Euer Repair-Café",
        "message": "Wie habt ihr die Räume gefunden?",
        "website_url": "",
    } | overrides


def test_anyone_can_open_the_contact_form(client):
    organisation = OrganisationFactory(name="Tafel Nord")
    page = client.get(contact_page(organisation)).content.decode()
    assert "Send a message to Tafel Nord" in page
    assert "answer you by e-mail" in page


def test_a_message_reaches_the_public_address_and_answers_go_to_the_sender(client):
    organisation = OrganisationFactory(name="Tafel Nord", email="info@tafel.example")
    admin_of(organisation)
    response = client.post(contact_page(organisation), message())
    assert response.url == english(organisation.get_absolute_url())
    assert messages_of(response) == [
        "Your message has been sent to Tafel Nord. They will answer you by e-mail."
    ]
    [sent] = mail.outbox
    assert sent.to == ["info@tafel.example"]
    assert sent.reply_to == ["ina@example.org"]
    assert "Euer Repair-Café" in sent.subject
    assert "Wie habt ihr die Räume gefunden?" in sent.body
    assert "Ina Berg (ina@example.org)" in sent.body


def test_without_a_public_address_each_admin_gets_the_message_but_no_plain_member(client):
    organisation = OrganisationFactory(email="")
    first, second = admin_of(organisation), admin_of(organisation)
    member_of(organisation)
    client.post(contact_page(organisation), message())
    assert sorted(sent.to[0] for sent in mail.outbox) == sorted([first.email, second.email])
    assert all(sent.reply_to == ["ina@example.org"] for sent in mail.outbox)


def test_the_message_is_never_published_or_stored(client):
    organisation = OrganisationFactory(email="info@tafel.example")
    client.post(contact_page(organisation), message(message="Geheimer Inhalt 4711"))
    assert "Geheimer Inhalt" not in client.get(organisation.get_absolute_url()).content.decode()
    assert "Geheimer Inhalt" not in client.get(contact_page(organisation)).content.decode()
    assert [sent.to for sent in mail.outbox] == [["info@tafel.example"]]
    assert list(RateLimitHit.objects.values_list("scope", flat=True)) == ["contact"]


def test_a_filled_honeypot_looks_sent_but_sends_nothing(client):
    organisation = OrganisationFactory(name="Tafel Nord", email="info@tafel.example")
    response = client.post(contact_page(organisation), message(website_url="http://spam.example"))
    assert messages_of(response) == [
        "Your message has been sent to Tafel Nord. They will answer you by e-mail."
    ]
    assert not mail.outbox
    assert not RateLimitHit.objects.exists()


def test_the_sixth_message_within_an_hour_is_refused_with_a_clear_message(client):
    organisation = OrganisationFactory(email="info@tafel.example")
    for number in range(5):
        response = client.post(contact_page(organisation), message(subject=f"Frage {number}"))
        assert response.status_code == 302
    response = client.post(contact_page(organisation), message(subject="Frage 6"))
    assert response.status_code == 429
    assert "Please wait a while before you try again." in response.content.decode()
    assert len(mail.outbox) == 5
    assert "Frage 6" not in [sent.subject for sent in mail.outbox]


def test_the_limit_counts_for_a_logged_in_person_across_organisations(client):
    client.force_login(UserFactory())
    for _ in range(5):
        client.post(contact_page(OrganisationFactory(email="a@example.org")), message())
    response = client.post(contact_page(OrganisationFactory(email="b@example.org")), message())
    assert response.status_code == 429
    assert len(mail.outbox) == 5


def test_an_overlong_message_is_refused_and_nothing_is_sent(client):
    organisation = OrganisationFactory(email="info@tafel.example")
    response = client.post(contact_page(organisation), message(message="x" * 5001))
    assert response.status_code == 200
    assert response.context["form"].errors["message"]
    assert not mail.outbox
    assert not RateLimitHit.objects.exists()


def test_html_in_a_message_is_shown_escaped_and_sent_as_plain_text(client):
    organisation = OrganisationFactory(email="info@tafel.example")
    script = "<script>alert('x')</script>"
    response = client.post(contact_page(organisation), message(email="", message=script))
    page = response.content.decode()
    assert script not in page
    assert "&lt;script&gt;" in page
    client.post(contact_page(organisation), message(message=script))
    [sent] = mail.outbox
    assert script in sent.body  # plain text: no mail program runs it
    assert not sent.alternatives


def test_a_line_break_in_the_subject_cannot_add_headers(client):
    organisation = OrganisationFactory(email="info@tafel.example")
    client.post(contact_page(organisation), message(subject="Hallo\r\nBcc: alle@example.org"))
    [sent] = mail.outbox
    assert sent.bcc == []
    assert "\n" not in sent.subject
    assert sent.to == ["info@tafel.example"]


def test_logged_in_people_find_their_name_and_address_filled_in(client):
    client.force_login(UserFactory(display_name="Ina Berg", email="ina@example.org"))
    page = client.get(contact_page(OrganisationFactory())).content.decode()
    assert 'value="Ina Berg"' in page
    assert 'value="ina@example.org"' in page
