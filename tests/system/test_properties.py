"""Property tests with hypothesis: hostile input never causes a server error, and a form that
refuses its input writes nothing.

Two properties, each checked on many generated inputs:

1. Every search and filter parameter of the public lists (and of the API) answers with a status
   below 500, whatever the query string holds: NUL bytes, huge values, any Unicode, numbers
   beyond 64 bits, repeated keys, unknown keys.
2. Every form answers below 500, and when it does not end in a success redirect (the input was
   refused), the tables it writes, the sent e-mails and the uploaded files are exactly as
   before. Each field gets a valid value about half of the time, so that the generated
   submissions also reach the checks behind the first refused field.

Besides the random examples, every target gets the same explicit ones in every run (see
standard_examples), so a whole class of input is never left to chance.

One scene (people in every role, a project with an offer and a conversation, an article, a
comment) is built for the module and reused by all tests and examples; the rate limits, login
lockouts and the cache are reset before each example, so that the limits do not turn every
later example into a 429.
"""

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.backends.base.creation import TEST_DATABASE_PREFIX
from django.http import QueryDict
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from PIL import Image

from apps.accounts.models import User
from apps.catalog.filters import SortOrder
from apps.catalog.forms import RejectForm
from apps.catalog.models import (
    Licence,
    Project,
    Readiness,
    Setting,
    Site,
    TargetGroup,
    Topic,
    TransferFormat,
)
from apps.comments import services as comment_services
from apps.comments.models import Comment
from apps.comments.selectors import SUBJECT_MODELS
from apps.core.models import RateLimitHit
from apps.knowledge import services as knowledge_services
from apps.knowledge.models import Article, EditProposal
from apps.knowledge.rules import EDITORS_GROUP
from apps.market import services as market_services
from apps.market.filters import MarketSort, RequestSide
from apps.market.models import (
    InterestRequest,
    Message,
    OfferComponent,
    RequestStatus,
    TransferOffer,
)
from apps.organisations import services as organisation_services
from apps.organisations.forms import DeclineForm, RoleForm
from apps.organisations.models import Membership, MembershipRequest, Organisation
from apps.places.models import FederalState, Municipality
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

pytestmark = pytest.mark.django_db

# Enough to run in about a minute; PROPERTY_EXAMPLES=10 multiplies them for a deliberate hunt.
SCALE = int(os.environ.get("PROPERTY_EXAMPLES", "1"))
QUERY_EXAMPLES = 50 * SCALE
FORM_EXAMPLES = 40 * SCALE


def _examples(count: int):
    return settings(
        max_examples=count,
        deadline=None,
        database=None,  # nothing written into the working tree; notes show the failing input
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


# Hostile values ---------------------------------------------------------------------------

# Any character a browser can send: lone surrogates cannot be encoded into a request at all.
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x00" * 50,
    "0",
    "-1",
    "00",
    "1.5",
    "1e309",
    "NaN",
    "-inf",
    "٣",  # Arabic-Indic three: str.isdigit() and int() accept it
    "２",  # fullwidth two
    "²",  # isdigit() but not int()
    "<script>alert(1)</script>",
    "'\"><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    '"',
    "%",
    "%00",
    "_",
    "*",
    "\\",
    "NEAR(a b)",
    '"unbalanced',
    "a AND OR NOT",
    "(((",
    "^a$",
    "../../etc/passwd",
    "\u202e\u200b\ufeff",
    "🙂" * 3,
    "\r\n",
    "line\r\nBcc: x@example.org",
    "\t\v\f",
    "\u00a0\u2028\u3000",
    "null",
    "true",
    "[]",
    "{}",
    "javascript:alert(1)",
    "http://",
    "a@b",
    "@",
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "-0001-01-01",
]
# Numbers at and beyond the limits of 32- and 64-bit columns, and ones only Python reads.
BOUNDARY_NUMBERS = [
    str(2**31 - 1),
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63)),
    str(-(2**63) - 1),
    str(2**64),
    "9" * 30,
    "1_000",
    " 7 ",
    "+3",
    "0x10",
]


def _repeat(piece: str, times: int) -> str:
    return piece * times


def hostile(huge: int = 30_000) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(TRICKY),
        st.sampled_from(BOUNDARY_NUMBERS),
        st.text(ANY_CHARACTER, max_size=30),
        st.integers(-(2**70), 2**70).map(str),
        st.builds(_repeat, st.text(ANY_CHARACTER, min_size=1, max_size=4), st.integers(200, huge)),
    )


OMIT = object()


def field_value(valid: list, huge: int = 30_000) -> st.SearchStrategy:
    """A valid value about half of the time; otherwise a hostile one, several values (valid
    ones, as when more than one box is ticked, or mixed), or none."""
    present = [value for value in valid if value is not OMIT]
    repeatable = st.one_of(hostile(huge), *([st.sampled_from(present)] if present else []))
    several = [st.lists(st.sampled_from(present), min_size=2, max_size=4, unique=True)]
    other = st.one_of(
        hostile(huge),
        st.lists(repeatable, min_size=2, max_size=4),
        *(several if len(present) > 1 else []),
        st.just(OMIT),
    )
    if not valid:
        return other
    return st.one_of(st.sampled_from(valid), other)


def _drop_omitted(values: dict) -> dict:
    return {key: value for key, value in values.items() if value is not OMIT}


def parameters(fields: dict[str, list], huge: int = 30_000) -> st.SearchStrategy[dict]:
    """Field values as submitted, with now and then keys no form knows."""
    known = st.fixed_dictionaries(
        {name: field_value(valid, huge) for name, valid in fields.items()}
    )
    unknown = st.dictionaries(
        st.text(ANY_CHARACTER, min_size=1, max_size=12), hostile(huge=2_000), max_size=2
    )
    return st.builds(lambda extra, data: {**extra, **_drop_omitted(data)}, unknown, known)


# Whole classes of input every field gets in every run, whatever the random examples hit:
# NUL (PostgreSQL refuses it), a number beyond 64 bits, more digits than int() reads (4300).
EVERY_FIELD = ["a\x00b", str(2**63), "1" * 5_000]


def standard_examples(fields: dict[str, list]) -> list[dict]:
    """A plain valid submission, one with several valid values per field, and each of
    EVERY_FIELD in all fields at once (a form cleans every field, so none hides another)."""
    valid = {name: [v for v in values if v is not OMIT] for name, values in fields.items()}
    plain = {name: values[0] for name, values in valid.items() if values}
    several = {
        name: values[:3] if len(values) > 1 else values[0]
        for name, values in valid.items()
        if values
    }
    return [plain, several, *(dict.fromkeys(fields, value) for value in EVERY_FIELD)]


def brief(value, limit: int = 80):
    """The value for a report, with long strings and uploads shortened."""
    if isinstance(value, dict):
        return {brief(key, limit): brief(item, limit) for key, item in value.items()}
    if isinstance(value, list):
        return [brief(item, limit) for item in value]
    if isinstance(value, tuple):  # an upload: (name, content, content type)
        name, content, kind = value
        return f"<file {name!r} {kind}, {len(content)} bytes: {content[:limit]!r}…>"
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value)} characters)"
    return value


def choices(model, name: str) -> list[str]:
    return [str(value) for value, _label in model._meta.get_field(name).choices]


def labels(*querysets) -> list[str]:
    return [str(value) for queryset in querysets for value in queryset]


# The scene ----------------------------------------------------------------------------------

# What conftest.py's function-scoped fixtures set for each test, for the module-wide scene.
FAST_SETUP = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
}


@dataclass
class Scene:
    place: Municipality
    organisation: Organisation
    project: Project
    pending_project: Project
    origin: Site
    offer: TransferOffer
    interest: InterestRequest
    team_message: Message
    article: Article
    proposal: EditProposal
    comment: Comment
    membership_request: MembershipRequest
    member_to_change: Membership
    admin: User
    member: User
    interested: User
    outsider: User
    author: User
    reader: User
    editor: User
    commenter: User
    moderator: User
    anonymous: None = None  # the visitor who is not logged in

    def fresh_comment(self) -> Comment:
        """A comment written just now, so its author may still change it (the scene's own is
        as old as the module's run)."""
        return comment_services.comment_create(
            subject=self.project, author=self.commenter, body="Bei uns hat es auch geklappt."
        )


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction that is rolled back at its end.

    Building it embeds projects for the search (about a second each), so one per test would be
    the larger part of the run time. Each test's own transaction is a savepoint inside this
    one, so what an accidentally valid example writes is gone after that test."""
    with django_db_blocker.unblock(), override_settings(**FAST_SETUP):
        # pytest-django creates the test database only for marked tests; never the real one.
        name = str(connection.settings_dict["NAME"])
        assert name.startswith(TEST_DATABASE_PREFIX) or "mode=memory" in name, name
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_scene()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def build_scene() -> Scene:
    place = MunicipalityFactory(name="Schlitz", slug="schlitz-he", state="HE")
    organisation = OrganisationFactory(
        name="Dorfladen Schlitz e. V.",
        accepts_members=True,
        membership_terms="Wir treffen uns jeden Monat.",
    )
    topic = Topic.objects.order_by("pk").first()
    project = ProjectFactory(
        organisation=organisation,
        title="Rollender Dorfladen",
        slug="rollender-dorfladen",
        topics=[topic],
        target_groups=[TargetGroup.objects.order_by("pk").first()],
    )
    pending_project = ProjectFactory(
        organisation=organisation, slug="wartet-auf-freigabe", status=Project.Status.PENDING
    )
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    member = MembershipFactory(organisation=organisation).user
    member_to_change = MembershipFactory(organisation=organisation)
    interested = UserFactory(display_name="Anna Interessiert")
    outsider = UserFactory(display_name="Otto Außen")
    offer = market_services.offer_save(
        project=project,
        actor=admin,
        components=OfferComponent.objects.all()[:2],
        description="Handbuch, Schulung und ein Jahr Begleitung.",
        capacity_per_year=5,
    )
    interest = market_services.interest_request_create(
        offer=offer,
        requester=interested,
        municipality=place,
        organisation=None,
        message="Wir möchten das bei uns starten.",
    )
    team_message = market_services.message_create(
        request=interest, author=admin, body="Gern, wann passt es Ihnen?"
    )
    author = UserFactory(display_name="Anna Autorin")
    reader = UserFactory(display_name="Rolf Leser")
    editor = UserFactory(display_name="Erika Redaktion")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    article = knowledge_services.article_create(
        author=author,
        topics=[topic],
        tags=knowledge_services.tags_from_text("Ehrenamt, Versicherung"),
        projects=[project],
        publish=True,
        kind="report",
        title="Wie wir unseren Dorfladen übergeben haben",
        summary="Nach acht Jahren hat ein neues Team den Laden übernommen.",
        body="Am Anfang stand eine Versammlung mit 40 Leuten.\n\nDann kam der Umbau.",
    )
    proposal = knowledge_services.proposal_create(
        article=article,
        proposer=reader,
        title=article.title,
        summary=article.summary,
        body=article.body + "\n\nEin Nachtrag.",
        comment="Nachtrag ergänzt",
    )
    commenter = UserFactory(display_name="Klara Kommentar")
    comment = comment_services.comment_create(
        subject=project, author=commenter, body="Das haben wir bei uns auch versucht."
    )
    membership_request = organisation_services.membership_request_create(
        organisation=organisation, user=reader, message="Darf ich?", terms_accepted=True
    )
    return Scene(
        place=place,
        organisation=organisation,
        project=project,
        pending_project=pending_project,
        origin=project.sites.get(is_origin=True),
        offer=offer,
        interest=interest,
        team_message=team_message,
        article=article,
        proposal=proposal,
        comment=comment,
        membership_request=membership_request,
        member_to_change=member_to_change,
        admin=admin,
        member=member,
        interested=interested,
        outsider=outsider,
        author=author,
        reader=reader,
        editor=editor,
        commenter=commenter,
        moderator=moderator(),
    )


def reset_limits() -> None:
    """Between examples: no used-up rate limit, login lockout, cached page or counter."""
    RateLimitHit.objects.all().delete()
    if django_apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessFailureLog", "AccessAttemptExpiration"):
            django_apps.get_model("axes", name)._base_manager.all().delete()
    cache.clear()


# 1. Query parameters ------------------------------------------------------------------------


def catalog_parameters(scene: Scene) -> dict[str, list]:
    return {
        "q": ["Dorfladen", "laden schlitz", "Treffpunkt"],
        "topic": labels(Topic.objects.values_list("slug", flat=True)),
        "target_group": labels(TargetGroup.objects.values_list("slug", flat=True)),
        "state": list(FederalState.values),
        "setting": list(Setting.values),
        "format": labels(TransferFormat.objects.values_list("code", flat=True)),
        "readiness": list(Readiness.values),
        "sort": [value for value, _label in SortOrder.CHOICES],
        "page": ["1", "2", "last"],
    }


def article_list_parameters(scene: Scene) -> dict[str, list]:
    return {"art": choices(Article, "kind"), "page": ["1", "2", "last"]}


@dataclass(frozen=True)
class Query:
    name: str
    path: Callable[[Scene], str]
    fields: Callable[[Scene], dict[str, list]]
    user: str = "anonymous"
    htmx: bool = False


QUERIES = [
    Query("catalog", lambda s: reverse("catalog:project_list"), catalog_parameters),
    Query("catalog-htmx", lambda s: reverse("catalog:project_list"), catalog_parameters, htmx=True),
    Query(
        "catalog-logged-in",
        lambda s: reverse("catalog:project_list"),
        catalog_parameters,
        user="member",
    ),
    Query(
        "market",
        lambda s: reverse("market:market"),
        lambda s: {
            **catalog_parameters(s),
            "component": labels(OfferComponent.objects.values_list("code", flat=True)),
            "capacity": ["on", "true", "false", "1", "0", "unknown"],
            "sort": [value for value, _label in MarketSort.CHOICES],
        },
    ),
    Query(
        "requests",
        lambda s: reverse("market:requests"),
        lambda s: {
            "status": list(RequestStatus.values),
            "side": [value for value, _label in RequestSide.CHOICES],
            "page": ["1", "2", "last"],
        },
        user="admin",
    ),
    Query(
        "match",
        lambda s: reverse("search:match"),
        lambda s: {
            "text": [
                "Der letzte Laden im Dorf schließt und ältere Menschen kommen nicht in die Stadt.",
                "Jugendliche haben keinen Treffpunkt mehr.",
            ],
            "municipality": [s.place.label, s.place.name, "Schlitz (Hessen)"],
        },
    ),
    Query(
        "not-yet-here",
        lambda s: reverse("spread:not_yet_here"),
        lambda s: {
            "municipality": [s.place.label, s.place.name],
            "min_sites": ["1", "3", "1000"],
            "radius_km": ["1", "25", "100"],
            "page": ["1", "2", "last"],
        },
    ),
    Query(
        "spread",
        lambda s: reverse("spread:overview"),
        lambda s: {
            "topic": labels(Topic.objects.values_list("slug", flat=True)),
            "state": list(FederalState.values),
        },
    ),
    Query(
        "spread-map-data",
        lambda s: reverse("spread:overview_map_data"),
        lambda s: {
            "topic": labels(Topic.objects.values_list("slug", flat=True)),
            "state": list(FederalState.values),
        },
    ),
    Query(
        "site-search",
        lambda s: reverse("search:site"),
        lambda s: {"q": ["Dorfladen", "Versammlung", "Ehrenamt", "laden*"]},
    ),
    Query("knowledge-hub", lambda s: reverse("knowledge:hub"), article_list_parameters),
    Query(
        "knowledge-topic",
        lambda s: reverse("knowledge:topic", args=[s.article.topics.first().slug]),
        article_list_parameters,
        user="reader",
    ),
    Query(
        "knowledge-tag",
        lambda s: reverse("knowledge:tag", args=[s.article.tags.first().slug]),
        article_list_parameters,
    ),
    Query(
        "place-suggestions",
        lambda s: reverse("places:suggestions"),
        lambda s: {
            "q": ["Sch", "Schlitz", "s"],
            "municipality": ["Sch", "Schlitz (Hessen)"],
            "format": ["json", "html"],
        },
    ),
]


def get_with(client, path: str, params: dict, *, htmx: bool = False):
    return client.get(path, params, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.name)
def test_search_and_filter_parameters_never_cause_a_server_error(query, scene, client):
    user = getattr(scene, query.user)
    if user is not None:
        client.force_login(user)
    path = query.path(scene)
    assert get_with(client, path, {}, htmx=query.htmx).status_code == 200
    fields = query.fields(scene)

    @_examples(QUERY_EXAMPLES)
    @given(params=parameters(fields, huge=5_000))
    def check(params):
        reset_limits()
        note(f"GET {path} {brief(params)}")
        response = get_with(client, path, params, htmx=query.htmx)
        assert response.status_code < 500

    for params in standard_examples(fields):
        check = example(params=params)(check)
    check()


def api_paths(slug: str) -> list[str]:
    """The API's addresses, from the URL resolver, so that every endpoint the API gains is
    covered without a change here; a slug in the path is filled with the scene's project."""
    routes = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            piece = str(pattern.pattern).removeprefix("^").removesuffix("$").removesuffix(r"\Z")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + piece)
            elif isinstance(pattern, URLPattern):
                routes.append(prefix + piece)

    walk(get_resolver().url_patterns, "")
    paths = set()
    for route in routes:
        if not route.startswith("api/"):
            continue
        route = re.sub(r"<slug:\w+>|\(\?P<slug>[^)]*\)", slug, route)
        if not re.search(r"[<>()\[\]?*+\\]", route):  # other parameters, format suffixes
            paths.add("/" + route)
    return sorted(paths)


API_PARAMETERS = {
    "limit": ["1", "10", "50", "1000"],
    "offset": ["0", "10", "100000"],
    "page": ["1", "2"],
    "page_size": ["1", "100"],
    "cursor": ["cD0xMA=="],
    "search": ["Dorfladen", "laden"],
    "q": ["Dorfladen"],
    "ordering": ["-published_at", "title", "name", "-id"],
    "topic": ["nachbarschaft-und-engagement"],
    "target_group": ["familien"],
    "state": list(FederalState.values),
    "setting": list(Setting.values),
    "readiness": list(Readiness.values),
    "status": ["open", "active", "published"],
    "kind": choices(Organisation, "kind"),
    "component": [value for value, _label in OfferComponent.Code.choices],
    "transfer_format": [value for value, _label in TransferFormat.Code.choices],
    "has_capacity": ["true", "false", "null", "1"],
    "organisation": ["buergerverein-1"],
    "project": ["rollender-dorfladen"],
    "municipality": ["schlitz-he"],
    "format": ["json", "api", "openapi", "yaml"],
    "lang": ["de", "en"],  # the schema views take these two
    "version": ["1.0.0"],
}


def test_api_parameters_never_cause_a_server_error(scene, client):
    paths = api_paths(scene.project.slug)
    if not paths:
        pytest.skip("no API under /api/ yet")

    @_examples(QUERY_EXAMPLES * 2)
    @given(path=st.sampled_from(paths), params=parameters(API_PARAMETERS, huge=5_000))
    def check(path, params):
        reset_limits()
        note(f"GET {path} {brief(params)}")
        response = client.get(path, params)
        assert response.status_code < 500

    for path in paths:
        for params in standard_examples(API_PARAMETERS)[1:]:
            check = example(path=path, params=params)(check)
    check()


# 2. Forms -----------------------------------------------------------------------------------


def snapshot(app_labels: tuple[str, ...]) -> dict:
    """Every row of the apps' tables (with many-to-many and history tables), the e-mails sent
    so far and the files in MEDIA_ROOT: what a refused submission must leave as it was."""
    state: dict = {}
    tables = set(connection.introspection.table_names())
    for label in app_labels:
        for model in django_apps.get_app_config(label).get_models(include_auto_created=True):
            if model is RateLimitHit or model._meta.db_table not in tables:
                continue  # rate limits are reset by each example; PostgreSQL-only tables
            # Of a table the app does not manage (the full-text index) only its keys.
            columns = () if model._meta.managed else ("pk",)
            rows = model._base_manager.order_by("pk").values_list(*columns)
            state[model._meta.label] = list(rows)
    state["e-mails"] = len(mail.outbox)
    media = Path(django_settings.MEDIA_ROOT)
    state["files"] = sorted(str(path) for path in media.rglob("*")) if media.exists() else []
    return state


def redirected(response, data) -> bool:
    return response.status_code in (301, 302, 303) and "/konto/login" not in response.get(
        "Location", ""
    )


def image_shown(response, data) -> bool:
    return response.status_code == 200 and bool(
        response.context and response.context.get("image") is not None
    )


def valid_by(form_class) -> Callable:
    """For views that always redirect and report a refusal in a message: the form decides."""

    def succeeded(response, data) -> bool:
        return form_class(QueryDict(urlencode(data, doseq=True))).is_valid()

    return succeeded


def no_file_examples() -> list[dict]:
    return []


@dataclass(frozen=True)
class Form:
    name: str
    user: str
    path: Callable[[Scene], str]
    fields: Callable[[Scene], dict[str, list]]
    writes: tuple[str, ...]
    succeeded: Callable = redirected
    shown_by_get: bool = True
    files: Callable[[], st.SearchStrategy] | None = None
    file_examples: Callable[[], list[dict]] = no_file_examples


def project_fields(scene: Scene) -> dict[str, list]:
    return {
        "title": ["Dorfladen Brünen", "Repair-Café"],
        "summary": ["Ein genossenschaftlicher Laden für das Dorf."],
        "problem": ["Der letzte Supermarkt hat geschlossen."],
        "solution": ["300 Menschen gründen eine Genossenschaft."],
        "impact": ["", "Jede Woche kommen 40 Menschen."],
        "topics": labels(Topic.objects.values_list("pk", flat=True)[:3]),
        "target_groups": labels(TargetGroup.objects.values_list("pk", flat=True)[:3]),
        "municipality": [scene.place.label, scene.place.name],
        "founded_year": ["1900", "2019", "2025"],
        "setting": list(Setting.values),
        "readiness": list(Readiness.values),
        "transfer_formats": labels(TransferFormat.objects.values_list("pk", flat=True)),
        "licence": list(Licence.values),
        "contact_name": ["", "Maria Muster"],
        "contact_email": ["", "maria@example.org"],
        "website": ["", "https://example.org/laden"],
    }


def site_fields(scene: Scene) -> dict[str, list]:
    return {
        "municipality": [scene.place.label, scene.place.name],
        "organisation": ["", str(scene.organisation.pk)],
        "operator_name": ["", "Kirchengemeinde"],
        "status": choices(Site, "status"),
        "started_on": ["2020-01-01", "2024-02-29", ""],
        "ended_on": ["", "2023-12-31", "2019-01-01"],
        "copied_from": ["", str(scene.origin.pk)],
        "adaptation_notes": ["", "Wir öffnen nur samstags."],
    }


def organisation_fields(scene: Scene) -> dict[str, list]:
    return {
        "name": ["Heimatverein Schlitz", "Bürgerbus e. V."],
        "kind": choices(Organisation, "kind"),
        "description": ["Wir machen den Ort lebendig."],
        "municipality": ["", scene.place.label],
        "website": ["", "https://example.org"],
        "email": ["", "info@example.org"],
        "accepts_members": ["on", ""],
        "membership_terms": ["", "Ein Jahresbeitrag von 12 Euro."],
    }


def article_fields(scene: Scene) -> dict[str, list]:
    return {
        "kind": choices(Article, "kind"),
        "title": ["Wie man einen Bürgerbus gründet"],
        "summary": ["Von der Idee bis zur ersten Fahrt."],
        "body": ["### Anfang\n\nErst kam die Versammlung.", "- eins\n- zwei"],
        "topics": labels(Topic.objects.values_list("slug", flat=True)[:3]),
        "licence": choices(Article, "licence"),
        "tag_names": ["", "Ehrenamt, Mobilität", ",,,"],
        "project_links": ["", scene.project.slug, scene.project.get_absolute_url()],
        "site_places": ["", scene.project.municipality.name],
        "comment": ["", "Tippfehler"],
        "publish": ["1", OMIT],
        "preview": ["1", OMIT],
    }


def offer_fields(scene: Scene) -> dict[str, list]:
    return {
        "status": choices(TransferOffer, "status"),
        "components": labels(OfferComponent.objects.values_list("code", flat=True)),
        "description": ["Handbuch und Begleitung."],
        "conditions": ["", "Ein Lizenzvertrag."],
        "fee_eur": ["0", "250"],
        "people_needed": ["3", "10"],
        "budget_eur": ["0", "5000"],
        "months_to_start": ["1", "6"],
        "setting": list(Setting.values),
        "min_population": ["", "500", "100000"],
        "max_population": ["", "20000", "100"],
        "capacity_per_year": ["0", "2", "10"],
    }


def _image(kind: str, width: int, height: int, orientation: int) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 120, 40))
    output = io.BytesIO()
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x0112] = orientation
        picture.save(output, kind, exif=exif)
    else:
        picture.save(output, kind)
    return output.getvalue()


def _damaged(data: bytes, position: int, byte: int, cut: bool) -> bytes:
    position %= len(data)
    if cut:
        return data[:position]
    return data[:position] + bytes([byte]) + data[position + 1 :]


def image_files() -> st.SearchStrategy:
    """Uploads as (name, content, content type); the request builds the file from them."""
    real = st.builds(
        _image,
        st.sampled_from(["PNG", "JPEG", "WEBP", "GIF", "BMP"]),
        st.integers(1, 300),
        st.integers(1, 300),
        # EXIF stores the orientation unsigned: Pillow cannot even write -1. 0 and 9 to 12
        # are the values no camera means.
        st.integers(0, 12),
    )
    damaged = st.builds(_damaged, real, st.integers(0, 10_000), st.integers(0, 255), st.booleans())
    magic = st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\x00\x00\x00\x00WEBP"])
    # Damaged pictures twice: they reach the decoder's less common exceptions.
    data = st.one_of(
        st.binary(max_size=2_000),
        st.builds(bytes.__add__, magic, st.binary()),
        real,
        damaged,
        damaged,
    )
    name = st.sampled_from(["bild.png", "bild.jpg", "x", "../../evil.php", "a\x00.png", ""])
    content_type = st.sampled_from(["image/png", "image/jpeg", "text/html", ""])
    upload = st.builds(
        lambda body, filename, kind: (filename or "f", body, kind or None), data, name, content_type
    )
    return st.fixed_dictionaries({"image": st.one_of(upload, hostile(huge=2_000))})


def damaged_images() -> list[dict]:
    """Pictures broken in ways a decoder reports differently."""
    png = _image("PNG", 20, 20, 1)
    idat = png.index(b"IDAT")
    flipped = png[idat + 6] ^ 0xFF
    return [
        {"image": ("crc.png", _damaged(png, idat + 6, flipped, cut=False), "image/png")},
        {"image": ("cut.png", png[: idat + 6], "image/png")},
        {"image": ("ihdr.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00IHDR", "image/png")},
        {"image": ("cut.jpg", _image("JPEG", 20, 20, 6)[:200], "image/jpeg")},
    ]


FORMS = [
    Form(
        "project-create",
        "member",
        lambda s: reverse("catalog:project_create", args=[s.organisation.slug]),
        project_fields,
        ("catalog", "search", "market"),
    ),
    Form(
        "project-update",
        "member",
        lambda s: reverse("catalog:project_update", args=[s.project.slug]),
        project_fields,
        ("catalog", "search", "market"),
    ),
    Form(
        "site-create",
        "member",
        lambda s: reverse("catalog:site_create", args=[s.project.slug]),
        site_fields,
        ("catalog", "search"),
    ),
    Form(
        "site-update",
        "member",
        lambda s: reverse("catalog:site_update", args=[s.project.slug, s.origin.pk]),
        site_fields,
        ("catalog", "search"),
    ),
    Form(
        "project-reject",
        "moderator",
        lambda s: reverse("catalog:moderation_reject", args=[s.pending_project.slug]),
        lambda s: {"note": ["Bitte die Wirkung belegen."]},
        ("catalog", "search", "market"),
        succeeded=valid_by(RejectForm),
        shown_by_get=False,
    ),
    Form(
        "organisation-create",
        "outsider",
        lambda s: reverse("organisations:create"),
        organisation_fields,
        ("organisations",),
    ),
    Form(
        "organisation-update",
        "admin",
        lambda s: reverse("organisations:update", args=[s.organisation.slug]),
        organisation_fields,
        ("organisations",),
    ),
    Form(
        "invite",
        "admin",
        lambda s: reverse("organisations:invite", args=[s.organisation.slug]),
        lambda s: {"email": ["neu@example.org"], "role": choices(Membership, "role")},
        ("organisations",),
    ),
    Form(
        "membership-request",
        "outsider",
        lambda s: reverse("organisations:membership_request", args=[s.organisation.slug]),
        lambda s: {"message": ["", "Ich möchte mitmachen."], "terms_accepted": ["on"]},
        ("organisations",),
    ),
    Form(
        "membership-decline",
        "admin",
        lambda s: reverse(
            "organisations:membership_request_decline",
            args=[s.organisation.slug, s.membership_request.pk],
        ),
        lambda s: {"reason": ["", "Wir nehmen gerade niemanden auf."]},
        ("organisations",),
        succeeded=valid_by(DeclineForm),
        shown_by_get=False,
    ),
    Form(
        "membership-role",
        "admin",
        lambda s: reverse(
            "organisations:membership_change_role",
            args=[s.organisation.slug, s.member_to_change.pk],
        ),
        lambda s: {"role": choices(Membership, "role")},
        ("organisations",),
        succeeded=valid_by(RoleForm),
        shown_by_get=False,
    ),
    Form(
        "contact",
        "anonymous",
        lambda s: reverse("organisations:contact", args=[s.organisation.slug]),
        lambda s: {
            "name": ["Maria Muster"],
            "email": ["maria@example.org"],
            "subject": ["Eine Frage"],
            "message": ["Wie fangen wir an?"],
            "website_url": [OMIT, ""],
        },
        ("organisations",),
    ),
    Form(
        "offer-edit",
        "admin",
        lambda s: reverse("market:offer_edit", args=[s.project.slug]),
        offer_fields,
        ("market", "catalog"),
    ),
    Form(
        "interest",
        "outsider",
        lambda s: reverse("market:interest", args=[s.project.slug]),
        lambda s: {
            "municipality": [s.place.label, s.place.name],
            "organisation": [""],
            "message": ["Wir möchten das bei uns starten."],
        },
        ("market",),
    ),
    Form(
        "message",
        "interested",
        lambda s: reverse("market:message_create", args=[s.interest.public_id]),
        lambda s: {"body": ["Passt es am Dienstag?", "**Gern**"]},
        ("market",),
        shown_by_get=False,
    ),
    Form(
        "transition",
        "admin",
        lambda s: reverse("market:transition", args=[s.interest.public_id]),
        lambda s: {"to_status": list(RequestStatus.values), "note": ["", "Leider ausgebucht."]},
        ("market", "catalog"),
        shown_by_get=False,
    ),
    Form(
        "message-report",
        "interested",
        lambda s: reverse("market:report", args=[s.team_message.pk]),
        lambda s: {"reason": ["Das ist Werbung."]},
        ("market",),
    ),
    Form(
        "article-create",
        "reader",
        lambda s: reverse("knowledge:create"),
        article_fields,
        ("knowledge",),
    ),
    Form(
        "article-update",
        "author",
        lambda s: reverse("knowledge:update", args=[s.article.slug]),
        article_fields,
        ("knowledge",),
    ),
    Form(
        "proposal",
        "commenter",
        lambda s: reverse("knowledge:propose", args=[s.article.slug]),
        lambda s: {
            "title": [s.article.title, "Ein besserer Titel"],
            "summary": [s.article.summary],
            "body": [s.article.body, s.article.body + "\n\nNoch ein Absatz."],
            "comment": ["", "Absatz ergänzt"],
        },
        ("knowledge",),
    ),
    Form(
        "proposal-decision",
        "author",
        lambda s: reverse("knowledge:proposal", args=[s.proposal.pk]),
        lambda s: {"note": ["", "Danke!"], "accept": ["1", OMIT]},
        ("knowledge",),
    ),
    Form(
        "image-upload",
        "author",
        lambda s: reverse("knowledge:image_upload"),
        lambda s: {"alt": ["Ein Dorfladen von außen"]},
        ("knowledge",),
        succeeded=image_shown,
        files=image_files,
        file_examples=damaged_images,
    ),
    Form(
        "preview",
        "reader",
        lambda s: reverse("knowledge:preview"),
        lambda s: {"body": ["# Titel\n\n*kursiv*", "<script>alert(1)</script>"]},
        ("knowledge",),
        succeeded=lambda response, data: False,  # a preview never writes
        shown_by_get=False,
    ),
    Form(
        "comment-create",
        "outsider",
        lambda s: reverse("comments:create"),
        lambda s: {
            "body": ["Sehr hilfreich!"],
            "kind": list(SUBJECT_MODELS),
            "subject": [str(s.project.pk), str(s.article.pk)],
            "parent": ["", str(s.comment.pk)],
        },
        ("comments",),
        shown_by_get=False,
    ),
    Form(
        "comment-reply",
        "outsider",
        lambda s: reverse("comments:reply", args=[s.comment.pk]),
        lambda s: {"body": ["Das sehe ich auch so."]},
        ("comments",),
    ),
    Form(
        "comment-edit",
        "commenter",
        lambda s: reverse("comments:edit", args=[s.fresh_comment().pk]),
        lambda s: {"body": ["Das haben wir bei uns auch versucht, mit Erfolg."]},
        ("comments",),
    ),
    Form(
        "comment-report",
        "outsider",
        lambda s: reverse("comments:report", args=[s.comment.pk]),
        lambda s: {"reason": ["Beleidigend."]},
        ("comments",),
    ),
    Form(
        "comment-hide",
        "moderator",
        lambda s: reverse("comments:hide", args=[s.comment.pk]),
        lambda s: {"reason": ["Beleidigend."], "next": ["", "/projekte/", "https://evil.example/"]},
        ("comments",),
    ),
    Form(
        "signup",
        "anonymous",
        lambda s: reverse("account_signup"),
        lambda s: {
            "email": ["neu@example.org"],
            "password1": ["ein-langes-Passwort-2024"],
            "password2": ["ein-langes-Passwort-2024"],
        },
        ("accounts", "account"),
    ),
    Form(
        "login",
        "anonymous",
        lambda s: reverse("account_login"),
        lambda s: {
            "login": [s.reader.email],
            "password": ["correct-horse-battery"],
            "remember": ["on", OMIT],
        },
        ("accounts", "account"),
    ),
    Form(
        # Said to be sent for any valid address, so a valid submission may send mail.
        "password-reset",
        "anonymous",
        lambda s: reverse("account_reset_password"),
        lambda s: {"email": [s.reader.email, "unbekannt@example.org"]},
        ("accounts", "account"),
    ),
]


def post_with(client, path: str, data: dict, files: dict, *, urlencoded: bool):
    if urlencoded and not files:
        return client.post(
            path,
            urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded",
        )
    uploads = {
        name: SimpleUploadedFile(*value) if isinstance(value, tuple) else value
        for name, value in files.items()
    }
    return client.post(path, {**data, **uploads})


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.name)
def test_forms_never_fail_and_write_nothing_when_they_refuse_input(form, scene, client):
    user = getattr(scene, form.user)
    if user is not None:
        client.force_login(user)
    path = form.path(scene)
    if form.shown_by_get:
        assert client.get(path).status_code == 200, "the form is not reachable for this role"
    files_strategy = form.files() if form.files else st.just({})
    fields = form.fields(scene)

    @_examples(FORM_EXAMPLES)
    @given(data=parameters(fields), files=files_strategy, urlencoded=st.booleans())
    def check(data, files, urlencoded):
        reset_limits()
        encoding = "urlencoded" if urlencoded and not files else "multipart"
        note(f"POST {path} ({encoding}) {brief(data | files)}")
        before = snapshot(form.writes)
        response = post_with(client, path, data, files, urlencoded=urlencoded)
        assert response.status_code < 500
        if not form.succeeded(response, data):
            assert snapshot(form.writes) == before, (
                f"refused with {response.status_code}, but the database, e-mails or files changed"
            )

    plain = standard_examples(fields)[0]
    for data in standard_examples(fields):
        check = example(data=data, files={}, urlencoded=False)(check)
    for files in form.file_examples():
        check = example(data=plain, files=files, urlencoded=False)(check)
    check()
