"""Match my problem, as a person uses it: on the demo catalog, from the start page."""

import pytest
from playwright.sync_api import expect

from apps.catalog.demo.loader import load_demo
from apps.catalog.models import Project
from apps.places.services import municipalities_load
from apps.search.evaluation import shares_no_word

pytestmark = pytest.mark.django_db(transaction=True)

# Nobody who needs a village shop has to know it is called that.
DESCRIPTION = "Für jede Tüte Milch müssen wir zwanzig Minuten mit dem Auto fahren"
EXPECTED = "Rollender Dorfladen Vogelsberg"


@pytest.fixture
def demo_catalog():
    municipalities_load()
    load_demo()


def test_a_description_without_the_projects_words_finds_it_in_the_top_three(page, demo_catalog):
    expected = Project.objects.get(title__startswith=EXPECTED)
    assert shares_no_word(DESCRIPTION, [expected.title, expected.summary])

    page.goto("/")
    page.get_by_label("Beschreiben Sie Ihr Anliegen vor Ort").fill(DESCRIPTION)
    page.get_by_label("Ihre Gemeinde (freiwillig)").fill("Schotten (Hessen)")
    page.get_by_role("button", name="Passende Projekte finden").click()

    results = page.locator(".match h3")
    expect(results.first).to_be_visible()
    top_three = results.all_inner_texts()[:3]
    assert any(title.startswith(EXPECTED) for title in top_three), top_three
    card = page.locator(".match").filter(has_text=EXPECTED)
    expect(card).to_contain_text("Warum es passt")
    expect(card.locator(".match-passage")).not_to_be_empty()
    expect(card.locator(".match-nearest")).to_contain_text("km entfernt")
