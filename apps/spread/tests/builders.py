"""Small, known catalogs for the spread tests (also used by the browser journeys), and ways to
read the pages drawn from them."""

import datetime
import re

from apps.catalog.models import Project, Site
from apps.catalog.services import project_recount_sites
from tests.factories import MunicipalityFactory, ProjectFactory


def add_site(project: Project, municipality, *, started=None, copied_from=None, **fields) -> Site:
    return Site.objects.create(
        project=project,
        municipality=municipality,
        operator_name=fields.pop("operator_name", f"Verein in {municipality.name}"),
        started_on=datetime.date(*started) if started else None,
        copied_from=copied_from,
        **fields,
    )


def garden_project(**project_fields) -> Project:
    """Founded in Wesel in 2015; copied six times over three generations.

    Wesel (origin, 2015) ─┬─ Bocholt (2016-06, ended 2017-03)
                          ├─ Brünen (2018-04) ─┬─ Dingden (2021-09) ── Passau (2023-03, Bavaria)
                          │                    └─ München (planned, no date, Bavaria)
                          └─ Raesfeld (2019-05, names no source)
    Active now: Wesel, Brünen, Dingden, Raesfeld, Passau.
    """
    wesel = MunicipalityFactory(
        name="Wesel", state="NW", population=60_000, latitude=51.66, longitude=6.62
    )
    project = ProjectFactory(
        title="Gemeinschaftsgarten Wesel",
        municipality=wesel,
        founded_year=2015,
        setting="rural",
        **project_fields,
    )
    origin = project.sites.get()
    add_site(
        project,
        MunicipalityFactory(
            name="Bocholt", state="NW", population=70_000, latitude=51.84, longitude=6.61
        ),
        started=(2016, 6, 1),
        ended_on=datetime.date(2017, 3, 31),
        status=Site.Status.ENDED,
        copied_from=origin,
    )
    brunen = add_site(
        project,
        MunicipalityFactory(
            name="Brünen", state="NW", population=4_100, latitude=51.72, longitude=6.68
        ),
        started=(2018, 4, 1),
        copied_from=origin,
    )
    dingden = add_site(
        project,
        MunicipalityFactory(
            name="Dingden", state="NW", population=6_900, latitude=51.77, longitude=6.61
        ),
        started=(2021, 9, 1),
        copied_from=brunen,
    )
    add_site(
        project,
        MunicipalityFactory(
            name="Raesfeld", state="NW", population=11_400, latitude=51.77, longitude=6.84
        ),
        started=(2019, 5, 1),
    )
    add_site(
        project,
        MunicipalityFactory(
            name="Passau", state="BY", population=53_000, latitude=48.57, longitude=13.43
        ),
        started=(2023, 3, 1),
        copied_from=dingden,
    )
    add_site(
        project,
        MunicipalityFactory(
            name="München", state="BY", population=1_500_000, latitude=48.14, longitude=11.58
        ),
        status=Site.Status.PLANNED,
        copied_from=brunen,
    )
    project_recount_sites(project_ids=[project.pk])
    project.refresh_from_db()
    return project


def place(latitude: float, longitude: float, population: int = 3_000, **fields):
    return MunicipalityFactory(
        latitude=latitude, longitude=longitude, population=population, **fields
    )


# Berlin, Potsdam, Frankfurt (Oder), Leipzig: far from the Lower Rhine.
EAST = [(52.5, 13.4), (52.4, 13.0), (52.1, 14.6), (51.3, 12.4)]


def far_places(count: int, population: int = 3_000):
    return [place(*EAST[index], population=population) for index in range(count)]


def project_with_sites(title: str, places, *, setting="both", **fields) -> Project:
    """A published project whose origin is the first place; the others are active copies."""
    project = ProjectFactory(title=title, municipality=places[0], setting=setting, **fields)
    origin = project.sites.get()
    for municipality in places[1:]:
        add_site(project, municipality, started=(2020, 1, 1), copied_from=origin)
    project_recount_sites(project_ids=[project.pk])
    project.refresh_from_db()
    return project


def text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def figure(response, name: str) -> str:
    """The value shown in the figure with the id figure-<name>, spaces collapsed."""
    match = re.search(rf'id="figure-{name}">(.*?)</', response.content.decode(), re.S)
    return " ".join(match.group(1).split())
