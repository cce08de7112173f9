import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.knowledge import services
from apps.knowledge.models import Article, EditProposal

from .conftest import write_article

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reader", "author", "proposer", "editor", "moderator"]


def _as(client, people, role):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(people, role))


class TestPermissions:
    @pytest.mark.parametrize(
        ("name", "method", "target", "row"),
        [
            ("hub", "get", None, "200 200 200 200 200 200"),
            ("article", "get", "published", "200 200 200 200 200 200"),
            ("article", "get", "draft", "404 404 200 404 200 200"),
            ("create", "get", None, "302 200 200 200 200 200"),
            ("update", "get", "published", "302 403 200 403 200 200"),
            ("update", "get", "draft", "302 403 200 403 200 200"),
            ("propose", "get", "published", "302 200 403 200 200 200"),
            ("propose", "get", "draft", "302 403 403 403 403 403"),
            ("history", "get", "published", "200 200 200 200 200 200"),
            ("history", "get", "draft", "404 404 200 404 200 200"),
            ("revision", "get", "published", "200 200 200 200 200 200"),
            ("restore", "post", "published", "302 403 403 403 302 302"),
            ("publish", "post", "draft", "302 403 302 403 403 403"),
            ("set_hidden", "post", "published", "302 403 403 403 403 302"),
            ("proposal", "get", "proposal", "302 404 200 200 200 200"),
            ("preview", "post", None, "302 200 200 200 200 200"),
            ("image_upload", "get", None, "302 200 200 200 200 200"),
        ],
    )
    def test_status_codes_by_role(self, client, people, name, method, target, row):
        published = write_article(people.author)
        draft = write_article(people.author, publish=False, title="Entwurf")
        proposal = services.proposal_create(
            article=published,
            proposer=people.proposer,
            title=published.title,
            summary=published.summary,
            body=published.body + "\n\nNachtrag.",
            comment="Nachtrag",
        )
        article = draft if target == "draft" else published
        kwargs = {
            None: {},
            "published": {"slug": article.slug},
            "draft": {"slug": article.slug},
            "proposal": {"pk": proposal.pk},
        }[target]
        if name in ("revision", "restore"):
            kwargs["revision_id"] = article.history.last().history_id
        for role, expected in zip(ROLES, row.split(), strict=True):
            _as(client, people, role)
            if name == "publish":
                Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
            response = getattr(client, method)(reverse(f"knowledge:{name}", kwargs=kwargs))
            assert response.status_code == int(expected), role


class TestWriting:
    def _form(self, **data):
        return {
            "kind": "guide",
            "title": "In fünf Schritten zum Repair-Café",
            "summary": "Was Sie brauchen, um ein Repair-Café zu eröffnen.",
            "body": "### Schritt 1\n\nEinen Raum finden.",
            "topics": ["reparieren-und-teilen"],
            "licence": "cc-by-sa-4.0",
            "tag_names": "Reparieren, Ehrenamt",
            "project_links": "",
            **data,
        }

    def test_a_person_writes_and_publishes_a_guide(self, client, people):
        client.force_login(people.reader)
        response = client.post(reverse("knowledge:create"), self._form(publish="1"))
        article = Article.objects.get()
        assert response.url == article.get_absolute_url()
        assert article.status == Article.Status.PUBLISHED
        assert sorted(tag.name for tag in article.tags.all()) == ["Ehrenamt", "Reparieren"]
        page = client.get(article.get_absolute_url()).content.decode()
        assert "<h3>Schritt 1</h3>" in page
        assert "CC BY-SA 4.0" in page

    def test_the_preview_button_shows_the_cleaned_text_and_saves_nothing(self, client, people):
        client.force_login(people.reader)
        response = client.post(
            reverse("knowledge:create"),
            self._form(body="**fett** <script>alert(1)</script>", preview="1"),
        )
        page = response.content.decode()
        assert "<strong>fett</strong>" in page
        assert "<script>alert(1)" not in page
        assert not Article.objects.exists()

    def test_the_live_preview_renders_markdown_safely(self, client, people):
        client.force_login(people.reader)
        response = client.post(
            reverse("knowledge:preview"), {"body": "[x](javascript:alert(1)) *kursiv*"}
        )
        html = response.content.decode()
        assert "<em>kursiv</em>" in html
        assert "javascript:" not in html.split("<em>")[0] or 'href="javascript' not in html

    def test_an_unknown_project_link_is_a_clear_error_and_writes_nothing(self, client, people):
        client.force_login(people.reader)
        response = client.post(
            reverse("knowledge:create"), self._form(project_links="/projekte/gibt-es-nicht/")
        )
        assert response.status_code == 200
        assert "gibt-es-nicht" in response.content.decode()
        assert not Article.objects.exists()

    def test_a_report_names_the_project_and_the_site_it_is_about(self, client, people):
        from tests.factories import MunicipalityFactory, ProjectFactory

        project = ProjectFactory(title="Dorfladen Lindenau")
        wesel = MunicipalityFactory(name="Wesel")
        project.sites.create(municipality=wesel, operator_name="Bürgerverein Wesel")
        client.force_login(people.reader)
        form = self._form(
            kind="report", project_links=project.get_absolute_url(), site_places="Wesel"
        )
        client.post(reverse("knowledge:create"), {**form, "publish": "1"})
        article = Article.objects.get()
        assert [site.municipality.name for site in article.sites.all()] == ["Wesel"]
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Dorfladen Lindenau</a>: Wesel" in page

    def test_a_site_the_project_does_not_have_is_a_clear_error(self, client, people):
        from tests.factories import ProjectFactory

        project = ProjectFactory()
        client.force_login(people.reader)
        form = self._form(project_links=project.get_absolute_url(), site_places="Atlantis")
        response = client.post(reverse("knowledge:create"), form)
        assert "Atlantis" in response.content.decode()
        assert not Article.objects.exists()

    def test_missing_topics_and_oversized_text_write_nothing(self, client, people):
        client.force_login(people.reader)
        client.post(reverse("knowledge:create"), self._form(topics=[], body="x" * 50_001))
        assert not Article.objects.exists()

    def test_links_in_articles_are_marked_as_user_content(self, client, people):
        article = write_article(people.author, body="[Verein](https://verein.example)")
        page = client.get(article.get_absolute_url()).content.decode()
        assert 'rel="nofollow ugc noopener"' in page


class TestImprovement:
    def test_a_proposal_is_accepted_and_shows_in_the_history_with_its_diff(self, client, people):
        article = write_article(people.author)
        client.force_login(people.proposer)
        client.post(
            reverse("knowledge:propose", kwargs={"slug": article.slug}),
            {
                "title": article.title,
                "summary": article.summary,
                "body": article.body.replace("40", "60"),
                "comment": "Zahl korrigiert",
            },
        )
        proposal = EditProposal.objects.get()
        client.force_login(people.author)
        client.post(reverse("knowledge:proposal", kwargs={"pk": proposal.pk}), {"accept": "1"})
        article.refresh_from_db()
        assert "60 Leuten" in article.body
        latest = article.history.first()
        page = client.get(
            reverse(
                "knowledge:revision",
                kwargs={"slug": article.slug, "revision_id": latest.history_id},
            )
        ).content.decode()
        assert "<del>40</del><ins>60</ins>" in page
        assert "Zahl korrigiert" in page

    def test_an_editor_restores_the_first_version(self, client, people):
        article = write_article(people.author)
        first = article.history.first()
        services.article_update(
            article=article, editor=people.author, comment="gekürzt", body="Kurz."
        )
        client.force_login(people.editor)
        client.post(
            reverse(
                "knowledge:restore",
                kwargs={"slug": article.slug, "revision_id": first.history_id},
            )
        )
        article.refresh_from_db()
        assert "40 Leuten" in article.body


class TestSearch:
    def test_one_search_box_finds_projects_and_articles_grouped(self, client, people):
        from tests.factories import ProjectFactory

        ProjectFactory(title="Dorfladen Lindenau", summary="Ein Laden für alle.")
        write_article(people.author)
        page = client.get(reverse("search:site"), {"q": "Dorfladen"}).content.decode()
        projects, articles = page.split('id="articles-heading"')
        assert "Dorfladen Lindenau" in projects
        assert "Wie wir unseren Dorfladen übergeben haben" in articles


def test_the_article_page_costs_the_same_queries_for_few_and_many_revisions(client, people):
    article = write_article(people.author)
    write_article(people.author, title="Ein verwandter Bericht")
    client.force_login(people.reader)
    client.get(article.get_absolute_url())  # the process loads the project vectors once

    def queries() -> int:
        cache.clear()  # both counts with the related content computed afresh
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(captured)

    few = queries()
    for number in range(5):
        services.article_update(
            article=article, editor=people.author, comment=f"v{number}", body=f"Text {number}"
        )
        write_article(people.author, title=f"Noch ein Bericht {number}")
    assert queries() == few


def test_the_hub_costs_the_same_queries_for_few_and_many_articles(client, people):
    write_article(people.author)
    client.force_login(people.reader)  # logged in: never served from the page cache

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("knowledge:hub")).status_code == 200
        return len(captured)

    few = queries()
    for number in range(6):
        write_article(people.author, title=f"Leitfaden {number}", kind="guide")
    assert queries() == few


def test_an_uploaded_image_comes_back_as_a_line_to_paste(client, people, tmp_path):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (10, 90, 30)).save(buffer, "JPEG")
    buffer.seek(0)
    buffer.name = "wiese.jpg"
    client.force_login(people.reader)
    response = client.post(
        reverse("knowledge:image_upload"), {"image": buffer, "alt": "Die [Wiese]"}
    )
    page = response.content.decode()
    assert "![Die Wiese](/media/knowledge/" in page


def _damaged_pngs() -> dict[str, bytes]:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (10, 90, 30)).save(buffer, "PNG")
    png = buffer.getvalue()
    idat = png.index(b"IDAT")
    return {
        # Pillow says SyntaxError: broken PNG file (bad header checksum in IDAT).
        "checksum": png[: idat + 6] + bytes([png[idat + 6] ^ 0xFF]) + png[idat + 7 :],
        # Pillow says ValueError: Truncated IHDR chunk.
        "header": b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00IHDR",
    }


@pytest.mark.parametrize("damage", ["checksum", "header"])
def test_a_damaged_image_is_refused_with_a_clear_message(client, people, damage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.knowledge.models import ArticleImage

    upload = SimpleUploadedFile("bild.png", _damaged_pngs()[damage], content_type="image/png")
    client.force_login(people.reader)
    response = client.post(
        reverse("knowledge:image_upload"), {"image": upload, "alt": "Ein Dorfladen"}
    )
    assert response.status_code == 200
    assert "Diese Datei ist kein Bild, das wir verwenden können." in response.content.decode()
    assert not ArticleImage.objects.exists()


@pytest.mark.parametrize("kind", ["a\x00b", "\x00", "kaputt", "1" * 5_000])
def test_an_unknown_kind_in_the_address_shows_every_article(client, people, kind):
    write_article(people.author, title="Ein Bericht", kind="report")
    write_article(people.author, title="Ein Leitfaden", kind="guide")
    response = client.get(reverse("knowledge:hub"), {"art": kind})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ein Bericht" in page
    assert "Ein Leitfaden" in page


def test_following_an_article_brings_an_email_on_its_next_revision(client, people):
    from django.core import mail

    article = write_article(people.author)
    client.force_login(people.reader)
    client.post(reverse("knowledge:follow", kwargs={"slug": article.slug}), {"follow": "1"})
    mail.outbox.clear()
    services.article_update(
        article=article, editor=people.author, comment="Ergänzt", body="Neuer Absatz."
    )
    assert [m.to for m in mail.outbox] == [[people.reader.email]]
    assert "Neuer Absatz" not in mail.outbox[0].body
