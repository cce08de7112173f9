import pytest
from django.core.management import call_command

from apps.catalog.models import Project
from apps.market.models import TransferOffer
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects():
    published = ProjectFactory.create_batch(40)
    ProjectFactory(status=Project.Status.PENDING)
    return published


def _offers() -> list[tuple]:
    return list(
        TransferOffer.objects.order_by("project_id").values_list(
            "project_id", "description", "fee_eur", "capacity_per_year", "status"
        )
    )


def test_about_the_share_of_published_projects_gets_a_valid_offer(projects):
    call_command("generate_offers", share=0.5, seed=3)
    offers = TransferOffer.objects.select_related("project")
    assert 10 <= offers.count() <= 30
    for offer in offers:
        offer.full_clean()  # the figures stay within the form's limits
        assert offer.project.status == Project.Status.PUBLISHED
        assert offer.published_at >= offer.project.published_at
        assert offer.components.exists()
    assert offers.filter(status=TransferOffer.Status.OPEN).exists()


def test_a_second_run_with_the_same_seed_adds_nothing(projects):
    call_command("generate_offers", share=0.5, seed=3)
    first = _offers()
    call_command("generate_offers", share=0.5, seed=3)
    assert _offers() == first


def test_the_same_seed_gives_the_same_offers(projects):
    call_command("generate_offers", share=0.5, seed=3)
    first = _offers()
    TransferOffer.objects.all().delete()
    call_command("generate_offers", share=0.5, seed=3)
    assert _offers() == first


def test_a_project_keeps_its_offer(projects):
    call_command("generate_offers", share=1, seed=3)
    offer = TransferOffer.objects.first()
    offer.description = "Von Hand geschrieben."
    offer.save()
    call_command("generate_offers", share=1, seed=4)
    offer.refresh_from_db()
    assert offer.description == "Von Hand geschrieben."
    assert TransferOffer.objects.count() == len(projects)
