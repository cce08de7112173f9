"""Synthetic transfer offers on a synthetic catalog, for benchmarks (`manage.py generate_offers`).

A share of the published projects without an offer gets one, written after a demo offer
(offers.json) whose demo project shares a topic with it: the demo offer's texts with its place
swapped for the project's own, its figures varied, its components give or take one. Whether a
project gets an offer, and which, depends only on the seed and the project's id, so a second
run with the same seed adds nothing and a grown catalog keeps the offers it had.

The rows are written with bulk_create, not through offer_save, which locks, validates and
announces one offer at a time (followers are e-mailed). This module keeps its invariants: an
offer is published only on a published project, with published_at set and no earlier than the
project; its figures stay within the model's validators.
"""

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.catalog.demo.loader import demo_records
from apps.catalog.demo.synthetic import finish_bulk_load, seeded_random, vary_figure
from apps.catalog.models import Project, Topic

from ..models import OfferComponent, TransferOffer
from .loader import offer_records

# Most offers are open; a team that needs a break closes its offer for a while.
OPEN_SHARE = 0.9
COMPONENT_CODES = list(OfferComponent.Code.values)
# Figures varied like the catalog's, within the model's validators.
FIGURE_LIMITS = {
    "fee_eur": (0, 1_000_000),
    "people_needed": (1, 500),
    "budget_eur": (0, 10_000_000),
    "months_to_start": (1, 60),
    "capacity_per_year": (1, 1000),
}


@dataclass(frozen=True)
class OfferTemplate:
    description: str
    conditions: str
    places: tuple[str, ...]  # the demo project's place names, replaced by the project's own
    components: tuple[str, ...]
    figures: dict[str, int]
    min_population: int | None
    max_population: int | None


@dataclass(frozen=True)
class ProjectRow:
    pk: int
    setting: str
    published_at: datetime.datetime
    place: str
    topic_ids: tuple[int, ...]


@dataclass
class OfferReport:
    offers: int
    candidates: int  # published projects that had no offer
    seconds: float


def _place_names(record: dict) -> tuple[str, ...]:
    references = [record.get("municipality"), record.get("organisation", {}).get("municipality")]
    names = {reference.split("|")[0] for reference in references if reference}
    return tuple(sorted(names, key=len, reverse=True))  # "Bad X" before "X"


def load_templates() -> dict[int | None, list[OfferTemplate]]:
    """The demo offers by the topic ids of their demo projects; None holds all of them."""
    projects = {record["title"]: record for record in demo_records()}
    topic_ids = dict(Topic.objects.values_list("slug", "pk"))
    by_topic: dict[int | None, list[OfferTemplate]] = defaultdict(list)
    for record in offer_records():
        project = projects.get(record["project"], {})
        template = OfferTemplate(
            description=record["description"],
            conditions=record["conditions"],
            places=_place_names(project),
            components=tuple(record["components"]),
            figures={name: record[name] for name in FIGURE_LIMITS},
            min_population=record["min_population"],
            max_population=record["max_population"],
        )
        by_topic[None].append(template)
        for slug in project.get("topics", []):
            if slug in topic_ids:
                by_topic[topic_ids[slug]].append(template)
    return by_topic


def _candidates() -> Iterator[ProjectRow]:
    """Published projects without an offer, in id order, with what an offer takes from them."""
    topics: dict[int, list[int]] = defaultdict(list)
    for project_id, topic_id in Project.topics.through.objects.values_list(
        "project_id", "topic_id"
    ).order_by("project_id", "topic_id"):
        topics[project_id].append(topic_id)
    rows = (
        Project.objects.published()
        .filter(offer__isnull=True)
        .order_by("pk")
        .values_list("pk", "setting", "published_at", "municipality__name")
    )
    for pk, setting, published_at, place in rows.iterator(chunk_size=5000):
        yield ProjectRow(pk, setting, published_at, place, tuple(topics[pk]))


class OfferWriter:
    def __init__(self, *, share: float, seed: int | None):
        self.share = share
        self.seed = seed
        self.now = timezone.now()
        self.templates = load_templates()
        self.components = dict(OfferComponent.objects.values_list("code", "pk"))

    def plan(self, project: ProjectRow) -> tuple[TransferOffer, list[int]] | None:
        """The project's offer and its component ids, or None if it gets none."""
        rng = seeded_random(self.seed, "offer", project.pk)
        if rng.random() >= self.share:
            return None
        pool = [t for topic in project.topic_ids for t in self.templates.get(topic, [])]
        template = rng.choice(pool or self.templates[None])
        offer = TransferOffer(
            project_id=project.pk,
            description=self._localised(template.description, template, project.place),
            conditions=self._localised(template.conditions, template, project.place),
            setting=project.setting,
            min_population=template.min_population,
            max_population=template.max_population,
            status=TransferOffer.Status.OPEN
            if rng.random() < OPEN_SHARE
            else TransferOffer.Status.CLOSED,
            published_at=self._published_at(project.published_at, rng),
            **self._figures(template, rng),
        )
        return offer, self._component_ids(template, rng)

    @staticmethod
    def _localised(text: str, template: OfferTemplate, place: str) -> str:
        for demo_place in template.places:
            text = text.replace(demo_place, place)
        return text

    @staticmethod
    def _figures(template: OfferTemplate, rng: random.Random) -> dict[str, int]:
        figures = {}
        for name, value in template.figures.items():
            low, high = FIGURE_LIMITS[name]
            figures[name] = min(max(vary_figure(value, rng), low), high)
        return figures

    def _published_at(
        self, project_published: datetime.datetime, rng: random.Random
    ) -> datetime.datetime:
        """Some time after the project went online: offers come once a project has proved
        itself."""
        return project_published + (self.now - project_published) * rng.random()

    def _component_ids(self, template: OfferTemplate, rng: random.Random) -> list[int]:
        codes = list(template.components)
        if len(codes) > 1 and rng.random() < 0.2:
            codes.remove(rng.choice(codes))
        if rng.random() < 0.2:
            codes.append(rng.choice(COMPONENT_CODES))
        return sorted({self.components[code] for code in codes})

    @transaction.atomic
    def write(self, plans: list[tuple[TransferOffer, list[int]]]) -> None:
        offers = TransferOffer.objects.bulk_create([offer for offer, _ids in plans])
        through = TransferOffer.components.through
        through.objects.bulk_create(
            through(transferoffer_id=offer.pk, offercomponent_id=component_id)
            for offer, (_offer, component_ids) in zip(offers, plans, strict=True)
            for component_id in component_ids
        )


def generate_offers(
    *,
    share: float,
    seed: int | None = None,
    batch_size: int = 1000,
    progress: Callable[[int], None] = lambda done: None,
) -> OfferReport:
    """Give about `share` of the published projects without an offer a synthetic one."""
    started = time.perf_counter()
    since = timezone.now()
    writer = OfferWriter(share=share, seed=seed)
    offers = candidates = 0
    batch: list[tuple[TransferOffer, list[int]]] = []
    for project in _candidates():
        candidates += 1
        if planned := writer.plan(project):
            batch.append(planned)
        if len(batch) >= batch_size:
            writer.write(batch)
            offers += len(batch)
            batch = []
        progress(1)
    if batch:
        writer.write(batch)
        offers += len(batch)
    # bulk_create stamps created_at with now; an offer was written when it was published.
    TransferOffer.objects.filter(created_at__gte=since).update(
        created_at=F("published_at"), updated_at=F("published_at")
    )
    finish_bulk_load()
    return OfferReport(offers=offers, candidates=candidates, seconds=time.perf_counter() - started)
