"""The knowledge hub in the browser: an experience report with an uploaded image, an improvement
proposed, accepted, and undone by an editor from the history, and a comment reported and hidden
by the moderation.

Many of the hub's German texts are still being translated, so these journeys find buttons and
fields by their form names, ids and addresses rather than by their labels."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from apps.catalog.models import Topic
from apps.comments.models import Comment
from apps.knowledge import services
from apps.knowledge.models import Article, ArticleImage, EditProposal
from apps.knowledge.rules import EDITORS_GROUP
from tests.factories import UserFactory, moderator

from .test_catalog_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)

TOPIC = "nachbarschaft-und-engagement"
FIRST_BODY = (
    "Am Anfang stand eine Versammlung mit 40 Leuten im Gemeindehaus.\n\n"
    "Dann kam der Umbau, und nach drei Monaten war der Laden wieder offen."
)


def published_report(author) -> Article:
    return services.article_create(
        author=author,
        topics=[Topic.objects.get(slug=TOPIC)],
        kind="report",
        title="Wie wir unseren Dorfladen übergeben haben",
        summary="Nach acht Jahren hat ein neues Team den Laden übernommen.",
        body=FIRST_BODY,
        publish=True,
    )


def submit(page) -> None:
    """The one form in the page's main content (header forms are outside it)."""
    page.locator("main form button[type=submit]").first.click()


def expect_change(page, *, removed: str, added: str) -> None:
    """The word diff marks what was removed and added. (Only the marks with text: a text sent
    from a browser's textarea has CRLF line ends, an article written elsewhere LF, and the
    diff currently marks that difference too, as empty <del>/<ins>.)"""
    expect(page.locator(".diff del", has_text=re.compile(r"\S"))).to_have_text([removed])
    expect(page.locator(".diff ins", has_text=re.compile(r"\S"))).to_have_text([added])


def test_an_experience_report_with_an_uploaded_image(page, tmp_path):
    UserFactory(email="anna@example.org", display_name="Anna Ladenfroh")
    wide_photo = tmp_path / "dorfladen.png"
    Image.new("RGB", (2400, 1200), (200, 120, 40)).save(wide_photo)

    log_in(page, "anna@example.org")
    page.goto("/wissen/neu/")
    page.locator("#id_kind").select_option("report")
    page.locator("#id_title").fill("Unser Dorfladen in neuen Händen")
    page.locator("#id_summary").fill("Wie ein neues Team den Laden nach acht Jahren übernahm.")
    page.locator("#id_body").fill(FIRST_BODY)
    page.locator(f"input[name=topics][value='{TOPIC}']").check()

    # The image form on the same page answers with the Markdown line for the image.
    page.locator("#id_image").set_input_files(wide_photo)
    page.locator("#id_alt").fill("Der Laden am Eröffnungstag")
    page.locator("form[action$='/wissen/bilder/'] button[type=submit]").click()
    snippet = page.locator("#image-snippet")
    expect(snippet).to_have_value(re.compile(r"^!\[Der Laden am Eröffnungstag\]\(/media/.+\)$"))
    line = snippet.input_value()
    body = page.locator("#id_body")
    body.fill(f"{body.input_value()}\n\n{line}")

    page.locator("button[name=publish]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Unser Dorfladen in neuen Händen")
    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))

    # The page shows the image from our media (the test server does not serve the file).
    image = page.locator(".article-body img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("alt", "Der Laden am Eröffnungstag")
    src = image.get_attribute("src")
    assert src.startswith("/media/knowledge/")
    stored = Path(settings.MEDIA_ROOT) / src.removeprefix(settings.MEDIA_URL)
    assert stored.is_file()
    with Image.open(stored) as picture:
        assert picture.width <= 1600
        assert picture.size == (1600, 800)
    assert ArticleImage.objects.get().image.name == src.removeprefix(settings.MEDIA_URL)


def test_an_improvement_is_proposed_accepted_and_undone_by_an_editor(new_page):
    anna = UserFactory(email="anna@example.org", display_name="Anna Ladenfroh")
    UserFactory(email="bernd@example.org", display_name="Bernd Genau")
    editor = UserFactory(email="erika@example.org", display_name="Erika Redaktion")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    article = published_report(anna)

    # B reads the article and proposes a correction of one sentence.
    bernd = new_page()
    log_in(bernd, "bernd@example.org")
    bernd.goto(article.get_absolute_url())
    bernd.locator(f"a[href$='{article.slug}/verbessern/']").click()
    expect(bernd).to_have_url(re.compile(r"/verbessern/$"))
    body = bernd.locator("#id_body")
    expect(body).to_have_value(re.compile("mit 40 Leuten"))
    body.fill(body.input_value().replace("mit 40 Leuten", "mit 60 Leuten"))
    bernd.locator("#id_comment").fill("Es waren 60 Leute, ich war dabei.")
    submit(bernd)
    expect(bernd).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    proposal = EditProposal.objects.get()
    assert any("anna@example.org" in message.to for message in mail.outbox)

    # A sees the proposal on her article, reads the change and accepts it.
    anna_page = new_page()
    log_in(anna_page, "anna@example.org")
    anna_page.goto(article.get_absolute_url())
    anna_page.locator(f"a[href$='/wissen/vorschlaege/{proposal.pk}/']").click()
    expect_change(anna_page, removed="40", added="60")
    expect(anna_page.locator("main")).to_contain_text("Es waren 60 Leute, ich war dabei.")
    anna_page.locator("button[name=accept]").click()
    expect(anna_page.locator(".article-body")).to_contain_text("mit 60 Leuten im Gemeindehaus")
    expect(anna_page.locator(".article-body")).not_to_contain_text("mit 40 Leuten")
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.ACCEPTED
    assert any("bernd@example.org" in message.to for message in mail.outbox)

    # The history has the new revision, credited to B, and its page shows the change.
    anna_page.locator(f"a[href$='{article.slug}/versionen/']").first.click()
    expect(anna_page.locator("ol.revisions > li")).to_have_count(2)
    expect(anna_page.locator("ol.revisions > li").first).to_contain_text("Bernd Genau")
    anna_page.locator("ol.revisions > li").first.locator("a").click()
    expect_change(anna_page, removed="40", added="60")
    # Only editors may restore.
    expect(anna_page.locator("form[action$='/wiederherstellen/']")).to_have_count(0)

    # An editor restores the first revision from the history; the old text is back.
    erika = new_page()
    log_in(erika, "erika@example.org")
    erika.goto(article.get_absolute_url())
    erika.locator(f"a[href$='{article.slug}/versionen/']").first.click()
    erika.locator("ol.revisions > li").last.locator("a").click()
    expect(erika.locator(".old-version .article-body")).to_contain_text("mit 40 Leuten")
    erika.locator("form[action$='/wiederherstellen/'] button[type=submit]").click()
    expect(erika).to_have_url(re.compile(re.escape(article.get_absolute_url()) + "$"))
    expect(erika.locator(".article-body")).to_contain_text("mit 40 Leuten im Gemeindehaus")
    expect(erika.locator(".article-body")).not_to_contain_text("mit 60 Leuten")
    article.refresh_from_db()
    assert article.body == FIRST_BODY
    assert article.history.count() == 3
    assert article.history.first().history_user == editor


def test_a_reported_comment_is_hidden_by_the_moderation(new_page):
    anna = UserFactory(email="anna@example.org", display_name="Anna Ladenfroh")
    UserFactory(email="carl@example.org", display_name="Carl Laut")
    UserFactory(email="dora@example.org", display_name="Dora Wachsam")
    moderation = moderator()
    article = published_report(anna)
    rude = "Das ist doch alles Quatsch, ihr habt keine Ahnung vom Einzelhandel."

    # C comments on the article.
    carl = new_page()
    log_in(carl, "carl@example.org")
    carl.goto(article.get_absolute_url())
    carl.locator("#comment_body").fill(rude)
    carl.locator("form.comment-form button[type=submit]").click()
    expect(carl.locator(".comment-body")).to_have_text([rude])
    comment = Comment.objects.get()

    # D reports it.
    dora = new_page()
    log_in(dora, "dora@example.org")
    dora.goto(article.get_absolute_url())
    dora.locator(f"#comment-{comment.pk} a[href$='/melden/']").click()
    dora.locator("#id_reason").fill("Beleidigend gegenüber dem Team.")
    submit(dora)
    expect(dora).to_have_url(re.compile(re.escape(article.get_absolute_url())))
    assert comment.reports.count() == 1
    assert any(moderation.email in message.to for message in mail.outbox)

    # The moderation hides it from the queue, with a reason.
    mod = new_page()
    log_in(mod, moderation.email)
    mod.goto("/kommentare/moderation/")
    expect(mod.locator("main")).to_contain_text(rude)
    expect(mod.locator("main")).to_contain_text("Beleidigend gegenüber dem Team.")
    mod.locator(f"a[href*='/kommentare/{comment.pk}/ausblenden/']").click()
    mod.locator("#id_reason").fill("Bitte bleiben Sie sachlich und freundlich.")
    submit(mod)
    expect(mod).to_have_url(re.compile(r"/kommentare/moderation/$"))
    expect(mod.locator("main")).not_to_contain_text(rude)
    comment.refresh_from_db()
    assert comment.hidden_at is not None
    assert comment.hidden_by == moderation

    # A visitor no longer sees the comment; its author was told why by e-mail.
    visitor = new_page()
    visitor.goto(article.get_absolute_url())
    expect(visitor.get_by_role("heading", level=1)).to_have_text(article.title)
    expect(visitor.get_by_text(rude)).to_have_count(0)
    expect(visitor.locator(f"#comment-{comment.pk}")).to_have_count(0)
    told = [message for message in mail.outbox if "carl@example.org" in message.to]
    assert len(told) == 1
    assert "Bitte bleiben Sie sachlich und freundlich." in told[0].body
    assert article.title in told[0].subject
