"""The authorisation matrix: every URL pattern of the project by the five roles, with the
status code each role gets, written down as a table.

The URL patterns come from the resolver, so a new view without a row fails
`test_every_url_pattern_has_a_row`. Every request runs in a savepoint that is rolled back, so
one scene serves the whole table and no request sees what another one changed.
"""

import datetime
import traceback
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from apps.accounts.models import User
from apps.catalog import services as catalog_services
from apps.catalog.models import Project, Site, Topic
from apps.comments import services as comment_services
from apps.comments.models import Comment, CommentReport
from apps.knowledge import services as knowledge_services
from apps.knowledge.models import Article, EditProposal, Tag
from apps.market import services as market_services
from apps.market.models import InterestRequest, Message, MessageReport, OfferComponent
from apps.organisations import services as organisation_services
from apps.organisations.models import Invitation, Membership, MembershipRequest, Organisation
from tests.factories import (
    MembershipFactory,
    MembershipRequestFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "member", "admin", "moderator")

# How to read the tables
# ----------------------
# One row per URL name, one column per role in ROLES:
#   anonymous   not logged in
#   user        logged in, no relation to anything in the scene
#   member      member of the organisation that owns the project and its offer; receiving side
#               of the conversations (the requester is someone else)
#   admin       administrator of that organisation
#   moderator   in the group "moderators" (and so an editor of the knowledge hub)
# Nobody of the five wrote the articles, the proposal or the comment.
#
#   L     302 to the login page with ?next=<this path>
#   302   any other redirect (after a write, or away from a page that does not apply; to the
#         login page without a "next", as from a login step that has not begun)
#   nnn   that status code
#
# A row "name [variant]" requests the same URL for another object of the scene: a pending
# project (with an offer), a draft article, an article the moderation has hidden (with a
# comment on it), a conversation with an open report.

# Pages, requested with GET.
PAGES = {
    # catalog
    "catalog:home": "200 200 200 200 200",
    "catalog:project_list": "200 200 200 200 200",
    "catalog:project_detail": "200 200 200 200 200",
    "catalog:project_detail [pending]": "404 404 200 200 200",
    "catalog:project_update": "L 403 200 200 200",
    "catalog:project_update [pending]": "L 403 200 200 200",
    "catalog:site_create": "L 403 200 200 200",
    "catalog:site_update": "L 403 200 200 200",
    "catalog:project_create": "L 403 200 200 403",
    "catalog:moderation_queue": "L 403 403 403 200",
    # search
    "search:match": "200 200 200 200 200",
    "search:site": "200 200 200 200 200",
    # spread
    "spread:project": "200 200 200 200 200",
    "spread:project [pending]": "404 404 200 200 200",
    "spread:overview": "200 200 200 200 200",
    "spread:overview_map_data": "200 200 200 200 200",
    "spread:not_yet_here": "200 200 200 200 200",
    # market; the team is sent from the interest form back to its own offer
    "market:market": "200 200 200 200 200",
    "market:offer_detail": "200 200 200 200 200",
    "market:offer_detail [pending]": "404 404 200 200 200",
    "market:offer_edit": "L 403 200 200 200",
    "market:interest": "L 200 302 302 200",
    # not open while the project waits; its own team is sent to it, everyone else refused
    "market:interest [pending]": "L 403 302 302 403",
    "market:requests": "L 200 200 200 200",
    # Whether a conversation exists is private: 404, not 403. Moderators read one only while
    # a participant's report on it is open.
    "market:conversation": "L 404 200 200 404",
    "market:conversation [reported]": "L 404 200 200 200",
    "market:report": "L 404 200 200 404",
    "market:report_queue": "L 403 403 403 200",
    # knowledge
    "knowledge:hub": "200 200 200 200 200",
    "knowledge:create": "L 200 200 200 200",
    "knowledge:image_upload": "L 200 200 200 200",
    "knowledge:topic": "200 200 200 200 200",
    "knowledge:tag": "200 200 200 200 200",
    "knowledge:proposal": "L 404 404 404 200",
    "knowledge:article": "200 200 200 200 200",
    "knowledge:article [draft]": "404 404 404 404 200",
    "knowledge:article [hidden]": "404 404 404 404 200",
    "knowledge:update": "L 403 403 403 200",
    "knowledge:update [draft]": "L 403 403 403 200",
    "knowledge:propose": "L 200 200 200 200",
    "knowledge:propose [draft]": "L 403 403 403 403",
    "knowledge:history": "200 200 200 200 200",
    "knowledge:history [draft]": "404 404 404 404 200",
    "knowledge:history [hidden]": "404 404 404 404 200",
    "knowledge:revision": "200 200 200 200 200",
    # organisations; an invitation link is for whoever holds it (accepting checks the address)
    "organisations:mine": "L 200 200 200 200",
    "organisations:create": "L 200 200 200 200",
    "organisations:invitation_accept": "L 200 200 200 200",
    "organisations:detail": "200 200 200 200 200",
    "organisations:update": "L 403 403 200 200",
    "organisations:members": "L 403 200 200 200",
    "organisations:invite": "L 403 403 200 403",
    "organisations:membership_request": "L 200 403 403 200",
    "organisations:contact": "200 200 200 200 200",
    # places
    "places:suggestions": "200 200 200 200 200",
    # comments (on the published project, by someone else)
    "comments:reply": "L 200 200 200 200",
    "comments:reply [on hidden article]": "L 404 404 404 200",
    "comments:edit": "L 403 403 403 403",
    "comments:report": "L 200 200 200 200",
    "comments:report [on hidden article]": "L 404 404 404 200",
    "comments:moderation": "L 403 403 403 200",
    "comments:hide": "L 403 403 403 200",
    # accounts (allauth); logged-in people are sent on from login and signup
    "account_login": "200 302 302 302 302",
    "account_logout": "302 200 200 200 200",
    "account_inactive": "200 200 200 200 200",
    "account_signup": "200 302 302 302 302",
    "account_reauthenticate": "L 200 200 200 200",
    "account_email": "L 200 200 200 200",
    "account_email_verification_sent": "200 200 200 200 200",
    "account_change_password": "L 200 200 200 200",
    "account_set_password": "L 302 302 302 302",
    "account_reset_password": "200 200 200 200 200",
    "account_reset_password_done": "200 200 200 200 200",
    "account_reset_password_from_key": "200 200 200 200 200",
    "account_reset_password_from_key_done": "200 200 200 200 200",
    "account_confirm_email": "200 200 200 200 200",
    "account_confirm_login_code": "302 302 302 302 302",
    # accounts: one's own data (GDPR)
    "accounts:my_data": "L 200 200 200 200",
    "accounts:data_export": "L 200 200 200 200",
    "accounts:delete": "L 200 200 200 200",
    # the open read API: published data for everyone, nothing more for the team
    "api:api-root": "200 200 200 200 200",
    "api:schema": "200 200 200 200 200",
    "api:schema-yaml": "200 200 200 200 200",
    "api:project-list": "200 200 200 200 200",
    "api:project-detail": "200 200 200 200 200",
    "api:project-detail [pending]": "404 404 404 404 404",
    "api:project-sites": "200 200 200 200 200",
    "api:project-sites [pending]": "404 404 404 404 404",
    "api:site-list": "200 200 200 200 200",
    "api:site-detail": "200 200 200 200 200",
    "api:organisation-list": "200 200 200 200 200",
    "api:organisation-detail": "200 200 200 200 200",
    "api:offer-list": "200 200 200 200 200",
    "api:offer-detail": "200 200 200 200 200",
    "api:offer-detail [pending]": "404 404 404 404 404",
    "api:<apps.api.views.not_found>": "404 404 404 404 404",  # see UNNAMED_EXAMPLES
    # admin: nobody of the five is staff; the admin sends them to its own login page
    "admin:index": "302 302 302 302 302",
    "admin:login": "200 200 200 200 200",
}

# Actions that only take POST, sent with empty data. A refusal of the empty data (4xx) or a
# redirect back with an error message (302) is fine for those allowed to act; what must never
# happen is a 500, or a 200 for someone not allowed to act.
ACTIONS = {
    "catalog:site_delete": "L 403 302 302 302",
    "catalog:moderation_approve": "L 403 403 403 302",
    "catalog:moderation_reject": "L 403 403 403 302",
    "market:message_create": "L 404 400 400 404",
    "market:transition": "L 404 400 400 404",
    "market:report_decide": "L 403 403 403 302",
    "knowledge:preview": "L 200 200 200 200",
    "knowledge:topic_follow": "L 302 302 302 302",
    "knowledge:publish [draft]": "L 403 403 403 403",
    "knowledge:set_hidden": "L 403 403 403 302",
    "knowledge:follow": "L 302 302 302 302",
    "knowledge:restore": "L 403 403 403 302",
    "organisations:membership_change_role": "L 403 403 302 403",
    "organisations:membership_remove": "L 403 403 302 403",
    "organisations:membership_request_approve": "L 403 403 302 403",
    "organisations:membership_request_decline": "L 403 403 302 403",
    "organisations:follow": "L 302 302 302 302",
    "organisations:unfollow": "L 302 302 302 302",
    "comments:create": "L 400 400 400 400",
    "comments:delete": "L 403 403 403 403",
    "comments:restore": "L 403 403 403 302",
    "comments:dismiss": "L 403 403 403 302",
}

# Known permission bugs: the row as it is today, where it differs from the table (which says
# what it should be). The matrix passes on either, and fails once a bug is fixed, so that its
# entry here is removed.
# Rows where today's behaviour differs from the table: a permission bug waiting for its fix.
KNOWN_BUGS: dict[str, str] = {}

# Patterns without a name have their row under "namespace:<view>", and are requested at this
# path.
UNNAMED_EXAMPLES = {"api:<apps.api.views.not_found>": "/api/v1/gibt-es-nicht/"}

# Inside the admin only its index and login are in the table; the rest is Django's own and
# asks for staff status on every page.
ADMIN_NAMES_IN_TABLE = {"admin:index", "admin:login"}


# The URL patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    kwargs: tuple[str, ...]


def _kwarg_names(pattern) -> list[str]:
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return list(getattr(pattern, "converters", {}))


def _view_path(entry: URLPattern) -> str:
    """The dotted path of a pattern's view; for DRF's @api_view the decorated function."""
    callback = entry.callback
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback
    return f"{view.__module__}.{view.__name__}"


def project_routes() -> dict[str, Route]:
    """Every URL pattern of the project by name (by its view if it has none), as its German
    (unprefixed) path; the /en/ patterns are the same ones under a language prefix. Static
    and media files (served by Django only with DEBUG) and the admin beyond its index and
    login are left out."""
    routes: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespace: str, kwargs: list[str]) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            names = kwargs + _kwarg_names(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                walk(entry.url_patterns, route, inner, names)
                continue
            assert isinstance(entry, URLPattern)
            if _is_static(route):
                continue
            if entry.name is None:
                if namespace != "admin":  # the admin's catch-all patterns have no name
                    key = f"{namespace}:<{_view_path(entry)}>" if namespace else _view_path(entry)
                    routes.setdefault(key, Route(key, route, ()))
                continue
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            if name.startswith("admin:") and name not in ADMIN_NAMES_IN_TABLE:
                continue
            # The first pattern of a name; DRF repeats each under the same name with a
            # format suffix (".json"), which is the same view.
            routes.setdefault(name, Route(name, route, tuple(names)))

    walk(get_resolver().url_patterns, "", "", [])
    return routes


def _is_static(route: str) -> bool:
    prefixes = [settings.STATIC_URL, settings.MEDIA_URL]
    return any(prefix and route.startswith(prefix.lstrip("/")) for prefix in prefixes)


def _rows() -> list[tuple[str, str, str, str]]:
    """(row key, URL name, variant, method) of every row in both tables."""
    rows = []
    for table, method in ((PAGES, "get"), (ACTIONS, "post")):
        for key in table:
            name, _, variant = key.partition(" [")
            rows.append((key, name, variant.rstrip("]"), method))
    return rows


# The scene ----------------------------------------------------------------------------------


@dataclass
class Scene:
    people: dict[str, User | None]
    organisation: Organisation
    project: Project
    pending: Project
    site: Site
    conversation: InterestRequest
    reported: InterestRequest
    message: Message
    message_report: MessageReport
    article: Article
    draft: Article
    hidden: Article
    revision_id: int
    proposal: EditProposal
    topic: Topic
    tag: Tag
    comment: Comment
    comment_on_hidden: Comment
    comment_report: CommentReport
    other_membership: Membership
    membership_request: MembershipRequest
    invitation: Invitation


def build_scene() -> Scene:
    organisation = OrganisationFactory(name="Dorfladen e. V.", slug="dorfladen-ev")
    admin = MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user
    member = MembershipFactory(organisation=organisation).user
    people = {
        "anonymous": None,
        "user": UserFactory(display_name="Paula Plain"),
        "member": member,
        "admin": admin,
        "moderator": moderator(),
    }

    project = ProjectFactory(
        organisation=organisation, title="Rollender Dorfladen", slug="rollender-dorfladen"
    )
    site = catalog_services.site_create(
        project=project,
        municipality=MunicipalityFactory(name="Nachbarort"),
        operator_name="Nachbarschaftsverein",
        started_on=datetime.date(2020, 1, 1),
    )
    pending = ProjectFactory(
        organisation=organisation,
        title="Wartet auf Freigabe",
        slug="wartet-auf-freigabe",
        status=Project.Status.PENDING,
        published_at=None,
    )

    offer_fields = {
        "components": OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        "description": "Handbuch, Schulung und ein Jahr Begleitung.",
        "capacity_per_year": 5,
    }
    offer = market_services.offer_save(project=project, actor=admin, **offer_fields)
    market_services.offer_save(project=pending, actor=admin, **offer_fields)
    requester = UserFactory(display_name="Rita Requester")
    conversation = market_services.interest_request_create(
        offer=offer,
        requester=requester,
        municipality=MunicipalityFactory(name="Schlitz"),
        organisation=None,
        message="Wir würden den Laden gern bei uns eröffnen.",
    )
    message = conversation.messages.get()
    reported = market_services.interest_request_create(
        offer=offer,
        requester=UserFactory(display_name="Udo Unfreundlich"),
        municipality=MunicipalityFactory(name="Lauterbach"),
        organisation=None,
        message="Eine unfreundliche Nachricht.",
    )
    message_report = market_services.message_report(
        message=reported.messages.get(), reporter=member, reason="Beleidigend"
    )

    author = UserFactory(display_name="Anna Autorin")
    topic = Topic.objects.get(slug="nachbarschaft-und-engagement")
    article_fields = {
        "kind": "report",
        "summary": "Nach acht Jahren hat ein neues Team den Laden übernommen.",
        "body": "Am Anfang stand eine Versammlung mit 40 Leuten.\n\nDann kam der Umbau.",
    }
    article = knowledge_services.article_create(
        author=author,
        topics=[topic],
        tags=knowledge_services.tags_from_text("Ehrenamt"),
        publish=True,
        title="Wie wir unseren Dorfladen übergeben haben",
        **article_fields,
    )
    draft = knowledge_services.article_create(
        author=author, topics=[topic], tags=[], publish=False, title="Entwurf", **article_fields
    )
    hidden = knowledge_services.article_create(
        author=author, topics=[topic], tags=[], publish=True, title="Verborgen", **article_fields
    )
    comment_on_hidden = comment_services.comment_create(
        subject=hidden, author=UserFactory(display_name="Hans Hidden"), body="Schon gesehen?"
    )
    knowledge_services.article_set_hidden(
        article=hidden, moderator=people["moderator"], hidden=True
    )
    proposal = knowledge_services.proposal_create(
        article=article,
        proposer=UserFactory(display_name="Paul Vorschlag"),
        title=article.title,
        summary=article.summary,
        body=article.body + "\n\nNachtrag.",
        comment="Nachtrag",
    )

    comment = comment_services.comment_create(
        subject=project, author=UserFactory(display_name="Karl Kommentar"), body="Toll!"
    )
    comment_report = comment_services.comment_report(
        comment=comment, reporter=UserFactory(display_name="Mia Melder"), reason="Werbung"
    )

    return Scene(
        people=people,
        organisation=organisation,
        project=project,
        pending=pending,
        site=site,
        conversation=conversation,
        reported=reported,
        message=message,
        message_report=message_report,
        article=article,
        draft=draft,
        hidden=hidden,
        revision_id=article.history.last().history_id,
        proposal=proposal,
        topic=topic,
        tag=Tag.objects.get(slug="ehrenamt"),
        comment=comment,
        comment_on_hidden=comment_on_hidden,
        comment_report=comment_report,
        other_membership=MembershipFactory(organisation=organisation),
        membership_request=MembershipRequestFactory(organisation=organisation),
        invitation=organisation_services.invitation_create(
            organisation=organisation,
            email="neu@example.org",
            role=Membership.Role.MEMBER,
            invited_by=admin,
            accept_url_builder=lambda path: f"http://testserver{path}",
        ),
    )


def url_kwargs(scene: Scene, route: Route, variant: str) -> dict:
    """Fill a pattern's arguments from the scene: by the argument's name within the app,
    with the few exceptions named."""
    namespace = route.name.partition(":")[0] if ":" in route.name else ""
    project = scene.pending if variant == "pending" else scene.project
    article = {"draft": scene.draft, "hidden": scene.hidden}.get(variant, scene.article)
    comment = scene.comment_on_hidden if variant == "on hidden article" else scene.comment
    conversation = scene.reported if variant == "reported" else scene.conversation
    slugs = {
        "catalog": project.slug,
        "spread": project.slug,
        "market": project.slug,
        "api": project.slug,
        "knowledge": article.slug,
        "organisations": scene.organisation.slug,
    }
    by_name = {
        "knowledge:topic": {"slug": scene.topic.slug},
        "knowledge:topic_follow": {"slug": scene.topic.slug},
        "knowledge:tag": {"slug": scene.tag.slug},
        "knowledge:proposal": {"pk": scene.proposal.pk},
        "organisations:membership_request_approve": {"pk": scene.membership_request.pk},
        "organisations:membership_request_decline": {"pk": scene.membership_request.pk},
        "comments:dismiss": {"report_id": scene.comment_report.pk},
        "market:report_decide": {"report_id": scene.message_report.pk},
        "api:organisation-detail": {"slug": scene.organisation.slug},
        "api:site-detail": {"pk": scene.site.pk},
    }.get(route.name, {})
    by_argument = {
        "slug": slugs.get(namespace),
        "organisation_slug": scene.organisation.slug,
        "site_id": scene.site.pk,
        "public_id": conversation.public_id,
        "message_id": scene.message.pk,
        "pk": comment.pk if namespace == "comments" else None,
        "revision_id": scene.revision_id,
        "membership_id": scene.other_membership.pk,
        "token": scene.invitation.token,
        "key": "no-such-key",
        "uidb36": "zz",
    }
    kwargs = {name: by_name.get(name, by_argument.get(name)) for name in route.kwargs}
    unknown = [name for name, value in kwargs.items() if value is None]
    assert not unknown, f"No object in the scene for {unknown} of {route.name}: see url_kwargs"
    return kwargs


# Requests -----------------------------------------------------------------------------------


class _Undo(Exception):
    """Raised to roll a request's writes back."""


class Visits:
    """Requests by each role through one client, made while the scene stands: a new client
    would set up the middleware again each time (WhiteNoise's scans the static files), and
    logging in costs more than most pages, so each role logs in once."""

    def __init__(self, scene: Scene):
        self.client = Client()
        self.sessions = {}
        for role, person in scene.people.items():
            if person is not None:
                self.client.force_login(person)
                self.sessions[role] = self.client.cookies[settings.SESSION_COOKIE_NAME].value
                self.client.cookies.clear()

    def observe(self, role: str, method: str, path: str) -> str:
        """What the role gets, in the tables' notation. The request's writes are rolled back,
        those to the session included, and no cookie is carried over to the next request."""
        observed = ""
        self.client.cookies.clear()
        if role in self.sessions:
            self.client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(path)
                observed = _notation(response, path)
                raise _Undo
        except _Undo:
            pass
        except Exception as error:  # a server error is what we report
            frame = traceback.extract_tb(error.__traceback__)[-1]
            observed = f"500 {type(error).__name__}: {error} ({frame.filename}:{frame.lineno})"
        return observed


def _notation(response, path: str) -> str:
    if response.status_code != 302:
        return str(response.status_code)
    target = urlsplit(response.url)
    next_page = parse_qs(target.query).get("next")
    if target.path != reverse("account_login") or next_page is None:
        return "302"
    if next_page == [path]:
        return "L"
    return f"302 to {response.url}"


def _path(scene: Scene, routes: dict[str, Route], name: str, variant: str) -> str:
    if name in UNNAMED_EXAMPLES:
        return UNNAMED_EXAMPLES[name]
    return reverse(name, kwargs=url_kwargs(scene, routes[name], variant))


# Tests --------------------------------------------------------------------------------------


def test_every_url_pattern_has_a_row():
    in_tables = {name for _key, name, _variant, _method in _rows()}
    missing = sorted(set(project_routes()) - in_tables)
    assert not missing, "URL patterns without a row in PAGES or ACTIONS: " + ", ".join(missing)


def test_every_row_is_a_url_pattern():
    routes = project_routes()
    stale = sorted({name for _key, name, _variant, _method in _rows()} - set(routes))
    assert not stale, "Rows for URL names the resolver does not know: " + ", ".join(stale)


def test_every_row_has_a_status_for_each_role():
    for key, row in {**PAGES, **ACTIONS, **KNOWN_BUGS}.items():
        assert len(row.split()) == len(ROLES), key
    assert set(KNOWN_BUGS) <= set(PAGES) | set(ACTIONS)


def test_each_role_gets_the_status_in_the_table():
    scene = build_scene()
    visits = Visits(scene)
    routes = project_routes()
    tables = {"get": PAGES, "post": ACTIONS}
    mismatches = []
    for key, name, variant, method in _rows():
        path = _path(scene, routes, name, variant)
        expected_row = tables[method][key].split()
        today_row = KNOWN_BUGS.get(key, tables[method][key]).split()
        for role, expected, today in zip(ROLES, expected_row, today_row, strict=True):
            observed = visits.observe(role, method, path)
            if observed == today:
                continue
            request = f"{method.upper()} {path} ({key}) as {role}"
            if observed == expected:
                mismatches.append(f"{request}: fixed, {observed} now; update KNOWN_BUGS")
            else:
                mismatches.append(f"{request}: expected {expected}, got {observed}")
    assert not mismatches, f"{len(mismatches)} differences:\n" + "\n".join(mismatches)


def test_posting_an_empty_form_to_a_page_is_no_error_and_no_success_for_the_refused():
    """Pages take POST too (their forms): for a role the page refuses, the POST is refused as
    well; for nobody is it a server error."""
    scene = build_scene()
    visits = Visits(scene)
    routes = project_routes()
    problems = []
    for key, name, variant, method in _rows():
        if method != "get":
            continue
        path = _path(scene, routes, name, variant)
        for role, on_get in zip(ROLES, KNOWN_BUGS.get(key, PAGES[key]).split(), strict=True):
            observed = visits.observe(role, "post", path)
            refused = on_get in {"L", "403", "404"}
            if observed.startswith("5") or (refused and observed.startswith("2")):
                problems.append(f"POST {path} ({key}) as {role}: GET {on_get}, POST {observed}")
    assert not problems, "\n".join(problems)
