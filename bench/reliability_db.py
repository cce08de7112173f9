"""The database side of `make reliability`, run with the app's own settings and DATABASE_URL:

    reliability_db.py scene SCENE.json    the users, offers, conversations and article of the run
    reliability_db.py verify SCENE.json LOAD.json REPORT.json
                                          every acknowledged write in the database, and no
                                          partial record

Writes of the load carry a marker of their own (RLT<run>x<client>x<seq>) in their text, so they
can be found again and told apart from the scene's.
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "reliability-run-password"
OFFERS = 20
TEAM_DOMAIN = "team.reliability.example"
USER_DOMAIN = "load.reliability.example"
MARKER = re.compile(r"RLT[0-9a-f]+x\d+x\d+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def setup_django() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transferhub.settings")
    django.setup()


# The scene ------------------------------------------------------------------------------------


def _places(count: int) -> list:
    """Municipalities whose label names only them, so the interest form finds each again."""
    from django.db.models import Count

    from apps.places.models import Municipality

    shared = {
        (row["name"], row["state"])
        for row in Municipality.objects.values("name", "state")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    }
    places = [
        place
        for place in Municipality.objects.order_by("-population", "pk")[: count * 3]
        if (place.name, place.state) not in shared
    ]
    if len(places) < count:
        raise SystemExit(f"Only {len(places)} municipalities with a unique label; need {count}.")
    return places[:count]


def _users(emails: list[str], password_hash: str) -> list:
    from allauth.account.models import EmailAddress

    from apps.accounts.models import User

    users = User.objects.bulk_create(
        User(email=email, display_name=email.split("@")[0].title(), password=password_hash)
        for email in emails
    )
    if users and users[0].pk is None:  # backends without RETURNING
        users = list(User.objects.filter(email__in=emails).order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    return users


def scene(out: Path, clients: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from apps.catalog.models import Project, Topic
    from apps.comments.services import comment_create
    from apps.knowledge.services import article_create
    from apps.market import services as market
    from apps.market.models import OfferComponent
    from apps.organisations.models import Membership

    projects, organisations = [], set()
    for project in Project.objects.published().select_related("organisation").order_by("pk"):
        if project.organisation_id not in organisations:
            organisations.add(project.organisation_id)
            projects.append(project)
        if len(projects) == OFFERS:
            break
    if len(projects) < OFFERS:
        raise SystemExit(f"The catalog has only {len(projects)} organisations; need {OFFERS}.")

    password_hash = make_password(PASSWORD)  # once: the slow hash 300 times would take a minute
    with transaction.atomic():
        team = _users([f"team{n:02d}@{TEAM_DOMAIN}" for n in range(OFFERS)], password_hash)
        people = _users([f"load{n:03d}@{USER_DOMAIN}" for n in range(clients)], password_hash)
        Membership.objects.bulk_create(
            Membership(organisation=project.organisation, user=admin, role=Membership.Role.ADMIN)
            for project, admin in zip(projects, team, strict=True)
        )
    components = list(OfferComponent.objects.filter(code__in=["manual", "mentoring"]))
    offers = [
        market.offer_save(
            project=project,
            actor=admin,
            components=components,
            description="Handbuch, Schulung und ein Jahr Begleitung für neue Standorte.",
            capacity_per_year=1000,
        )
        for project, admin in zip(projects, team, strict=True)
    ]
    places = _places(clients)
    conversations = []
    for n, (person, place) in enumerate(zip(people, places, strict=True)):
        request = market.interest_request_create(
            offer=offers[n % OFFERS],
            requester=person,
            municipality=place,
            organisation=None,
            message=f"Wir möchten das in {place.name} starten (Gespräch {n}).",
        )
        conversations.append(str(request.public_id))
    topic = Topic.objects.order_by("pk").first()
    article = article_create(
        author=team[0],
        topics=[topic],
        publish=True,
        kind="report",
        title="Wie ein Dorfladen in neue Hände kam",
        summary="Nach acht Jahren hat ein neues Team den Laden übernommen.",
        body="Am Anfang stand eine Versammlung mit 40 Leuten.\n\nDann kam der Umbau.",
    )
    comment_create(subject=article, author=people[0], body="Danke für den Bericht!")
    topics = list(
        Topic.objects.filter(projects__status="published")
        .values_list("slug", flat=True)
        .distinct()[:8]
    )
    words = Counter(
        word.lower()
        for title in Project.objects.published().values_list("title", flat=True)
        for word in re.findall(r"[A-Za-zÄÖÜäöüß]{6,}", title)
    )
    data = {
        "password": PASSWORD,
        "users": [
            {"email": person.email, "place": place.label, "conversation": conversation}
            for person, place, conversation in zip(people, places, conversations, strict=True)
        ],
        "offers": [offer.project.slug for offer in offers],
        "projects": [
            {"id": project.pk, "slug": project.slug}
            for project in Project.objects.published().order_by("pk")[:60]
        ],
        "article": {"id": article.pk, "slug": article.slug},
        "topics": topics,
        "search_terms": [word for word, _ in words.most_common(30)],
    }
    out.write_text(json.dumps(data, indent=1), encoding="utf-8")
    print(
        f"Scene: {len(people)} people and {len(team)} team members (one password hash), "
        f"{len(offers)} open offers, {len(conversations)} conversations, 1 article."
    )


# The check ------------------------------------------------------------------------------------


def _markers(text: str) -> list[str]:
    return MARKER.findall(text or "")


def verify(scene_file: Path, load_file: Path, out: Path) -> None:
    from django.db.models import Count, Exists, Min, OuterRef
    from django_tasks_db.models import DBTaskResult

    from apps.accounts.models import User
    from apps.comments.models import Comment
    from apps.core.models import RateLimitHit
    from apps.market.models import ConversationRead, InterestRequest, Message, RequestEvent

    load = json.loads(load_file.read_text(encoding="utf-8"))
    run = load["run"]
    attempted = {write["marker"]: write for write in load["writes"]}
    acknowledged = {m: w for m, w in attempted.items() if w["outcome"] == "acknowledged"}

    # Every record the run wrote, found by its marker, whatever the clients were told.
    rows: dict[str, list[dict]] = defaultdict(list)
    run_filter = f"RLT{run}x"
    first_messages = set(
        Message.objects.values("request").annotate(first=Min("pk")).values_list("first", flat=True)
    )
    for message in Message.objects.filter(body__contains=run_filter).select_related("request"):
        for marker in _markers(message.body):
            rows[marker].append(
                {
                    "kind": "interest" if message.pk in first_messages else "message",
                    "request": str(message.request.public_id),
                    "author": message.author_id,
                }
            )
    for comment in Comment.objects.filter(body__contains=run_filter):
        for marker in _markers(comment.body):
            rows[marker].append({"kind": "comment", "id": comment.pk, "author": comment.author_id})

    emails = {user.pk: user.email for user in User.objects.filter(email__endswith=USER_DOMAIN)}
    mismatched, missing = [], []
    for marker, write in acknowledged.items():
        found = rows.get(marker, [])
        if not found:
            missing.append(marker)
            continue
        row = found[0]
        expected = write.get("expect", {})
        same = (
            row["kind"] == write["kind"]
            and emails.get(row["author"]) == write["user"]
            and all(str(row.get(key)) == str(value) for key, value in expected.items())
        )
        if not same:
            mismatched.append({"marker": marker, "client_saw": write, "database": row})
    duplicated = sorted(marker for marker, found in rows.items() if len(found) > 1)
    unknown = sorted(set(rows) - set(attempted))
    unacknowledged = sorted(set(rows) - set(acknowledged) - set(unknown))

    # Partial records: each interest request with its first message, its "new" event and the
    # requester's read marker; each write of the load with its rate-limit hit (the same
    # transaction), and each new request with its queued e-mail to the team.
    requests = InterestRequest.objects.all()
    orphans = {
        "requests_without_message": requests.filter(
            ~Exists(Message.objects.filter(request=OuterRef("pk")))
        ).count(),
        "requests_without_new_event": requests.filter(
            ~Exists(RequestEvent.objects.filter(request=OuterRef("pk"), to_status="new"))
        ).count(),
        "requests_without_read_marker": requests.filter(
            ~Exists(
                ConversationRead.objects.filter(request=OuterRef("pk"), user=OuterRef("requester"))
            )
        ).count(),
    }
    written = Counter()
    for found in rows.values():
        for row in found:
            written[(row["kind"], row["author"])] += 1
    hits = Counter()
    scopes = {"interest": "interest", "message": "message", "comment": "comment"}
    for row in (
        RateLimitHit.objects.filter(scope__in=scopes.values(), client__startswith="user:")
        .values("scope", "client")
        .annotate(n=Count("id"))
    ):
        hits[(row["scope"], int(row["client"].split(":", 1)[1]))] = row["n"]
    orphans["writes_without_rate_limit_hit_or_hits_without_write"] = sum(
        abs(written[(kind, author)] - hits[(scope, author)])
        for kind, scope in scopes.items()
        for author in {a for _, a in written} | {a for _, a in hits}
    )
    new_requests = {
        row["request"] for found in rows.values() for row in found if row["kind"] == "interest"
    }
    mailed = set()
    for args in DBTaskResult.objects.values_list("args_kwargs", flat=True):
        mailed.update(UUID.findall(json.dumps(args)))
    orphans["new_requests_without_queued_email"] = len(new_requests - mailed)

    report = {
        "acknowledged": len(acknowledged),
        "acknowledged_found": len(acknowledged) - len(missing),
        "acknowledged_missing": missing,
        "found_but_different": mismatched,
        "records_of_the_run": sum(len(found) for found in rows.values()),
        "records_without_acknowledgement": len(unacknowledged),
        "records_without_acknowledgement_client_saw": Counter(
            attempted[marker]["outcome"] for marker in unacknowledged
        ),
        "records_never_sent": unknown,
        "markers_in_database": sorted(rows),
        "records_duplicated": duplicated,
        "by_kind": {
            kind: {
                "acknowledged": sum(1 for w in acknowledged.values() if w["kind"] == kind),
                "in_database": sum(
                    1 for found in rows.values() for row in found if row["kind"] == kind
                ),
            }
            for kind in ("interest", "message", "comment")
        },
        "orphans": orphans,
    }
    out.write_text(json.dumps(report, indent=1, default=list), encoding="utf-8")


def main() -> None:
    setup_django()
    command, *args = sys.argv[1:]
    if command == "scene":
        scene(Path(args[0]), clients=int(args[1]))
    elif command == "verify":
        verify(Path(args[0]), Path(args[1]), Path(args[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
