"""The people around an organisation, and English pages for asserting on the new texts
(their German translations come later; English is the source text and stays stable)."""

from django.contrib.messages import get_messages
from django.urls import translate_url

from apps.accounts.models import User
from apps.organisations.models import Membership, Organisation
from tests.factories import MembershipFactory


def admin_of(organisation: Organisation) -> User:
    return MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user


def member_of(organisation: Organisation) -> User:
    return MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user


def english(path: str) -> str:
    """The same page in English, whichever language reverse() was in."""
    return translate_url(path, "en")


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]
