import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.spread.tests.builders import (
    far_places,
    garden_project,
    place,
    project_with_sites,
)
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db(transaction=True)

# Sites of the garden project running in each year (see garden_project).
RUNNING = {2015: 1, 2016: 2, 2017: 2, 2018: 2, 2019: 3, 2020: 3, 2021: 4, 2022: 4}


def test_play_the_spread_of_a_project_and_read_its_figures(page):
    project = garden_project()
    this_year = timezone.localdate().year
    page.goto(f"/en/projekte/{project.slug}/")
    page.get_by_role("link", name=re.compile("How the idea spread")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"How “{project.title}” spread")

    expect(page.locator("#spread-map[data-ready=true]")).to_be_visible()
    markers = page.locator("#spread-map path.spread-marker")
    year = page.locator("#spread-year")
    status = page.locator("#spread-status")
    expect(year).to_have_text(str(this_year))
    expect(status).to_contain_text("5 sites running")
    expect(markers).to_have_count(5)  # Bocholt has ended, München is only planned

    slider = page.get_by_label("Year", exact=True)
    slider.fill("2017")
    expect(year).to_have_text("2017")
    expect(status).to_contain_text("2 sites running")
    expect(markers).to_have_count(2)  # Wesel and Bocholt
    slider.fill("2018")
    expect(markers).to_have_count(2)  # Bocholt gone, Brünen new

    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(year).to_have_text("2020", timeout=6_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    shown = int(year.text_content())
    expect(markers).to_have_count(RUNNING.get(shown, 5))
    page.wait_for_timeout(1_200)
    expect(year).to_have_text(str(shown))  # paused means paused

    expect(page.locator("#figure-active-sites")).to_have_text("5")
    expect(page.locator("#figure-municipalities")).to_have_text("5")
    expect(page.locator("#figure-states")).to_have_text("2")
    expect(page.locator("#figure-first-copy")).to_have_text("1 year and 5 months")
    tree = page.get_by_role("list", name="Family tree of the sites")
    passau = tree.get_by_role("listitem").filter(has_text="Passau").last  # the innermost item
    expect(passau).to_contain_text("Generation 3")


def test_not_yet_here_lists_proven_projects_with_their_nearest_site(page):
    home = MunicipalityFactory(
        name="Haldern", state="NW", population=4_999, latitude=51.77, longitude=6.47
    )
    villages = far_places(3, population=900)
    project_with_sites("Dorfladen Ost", villages, setting="rural")
    project_with_sites("Stadtgarten", [*far_places(2), place(51.80, 6.55)])  # 6 km from Haldern

    page.goto("/en/")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Not yet here"
    ).click()
    field = page.get_by_label("Your municipality")
    field.press_sequentially("Hald", delay=50)
    expect(page.locator("datalist option")).to_have_count(1)
    field.fill(home.label.replace("Nordrhein-Westfalen", "North Rhine-Westphalia"))
    page.get_by_role("button", name="Find projects").click()

    expect(page.get_by_role("heading", level=2, name=re.compile("not yet near"))).to_have_text(
        "1 proven project not yet near Haldern (North Rhine-Westphalia)"
    )
    results = page.locator(".spread-candidate")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("heading", level=3)).to_have_text("Dorfladen Ost")
    expect(results.first).to_contain_text(re.compile(r"Nearest site: .+ \(.+\), \d+ km away\."))
    expect(results.first).to_contain_text("Works in rural places like yours.")

    page.get_by_label("No site within (km)").fill("5")
    page.get_by_role("button", name="Find projects").click()
    expect(results).to_have_count(2)
    expect(results.nth(1)).to_contain_text("Stadtgarten")
    expect(results.nth(1)).to_contain_text("km away")

    page.get_by_label("No site within (km)").fill("500")
    page.get_by_role("button", name="Find projects").click()
    expect(page.get_by_text("Please enter a distance of at most 100 km.")).to_be_visible()
