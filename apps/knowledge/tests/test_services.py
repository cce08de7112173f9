import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.catalog.cache import bump_catalog_version
from apps.catalog.models import Project, Topic
from apps.knowledge import selectors, services
from apps.knowledge.models import Article, EditProposal
from tests.factories import ProjectFactory

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _proposal(
    article, people, body="Am Anfang stand eine Versammlung mit 60 Leuten.\n\nDann kam der Umbau."
):
    return services.proposal_create(
        article=article,
        proposer=people.proposer,
        title=article.title,
        summary=article.summary,
        body=body,
        comment="Teilnehmerzahl korrigiert",
    )


class TestArticles:
    def test_a_published_article_has_a_first_revision_and_a_reading_time(self, people):
        article = write_article(people.author, body="Wort " * 450)
        assert article.status == Article.Status.PUBLISHED
        assert article.reading_minutes == 3
        [first] = article.history.all()
        assert first.history_user == people.author

    def test_each_change_is_a_revision_with_author_and_comment(self, article, people):
        services.article_update(
            article=article, editor=people.editor, comment="Tippfehler", body="Neuer Text."
        )
        latest = article.history.first()
        assert latest.history_user == people.editor
        assert latest.history_change_reason == "Tippfehler"
        assert article.history.count() == 2

    def test_topic_followers_hear_of_a_new_article_and_the_author_does_not(self, people):
        topic = Topic.objects.get(slug="nachbarschaft-und-engagement")
        services.follow_topic(topic=topic, user=people.reader, follow=True)
        services.follow_topic(topic=topic, user=people.author, follow=True)
        write_article(people.author)
        assert [m.to for m in mail.outbox] == [[people.reader.email]]

    def test_a_draft_is_announced_when_it_is_published(self, people):
        topic = Topic.objects.get(slug="nachbarschaft-und-engagement")
        services.follow_topic(topic=topic, user=people.reader, follow=True)
        draft = write_article(people.author, publish=False)
        assert mail.outbox == []
        services.article_publish(article=draft, actor=people.author)
        assert len(mail.outbox) == 1

    def test_too_many_tags_are_refused(self):
        with pytest.raises(ValidationError):
            services.tags_from_text(", ".join(f"Schlagwort {n}" for n in range(11)))


class TestProposals:
    def test_an_accepted_proposal_becomes_a_revision_credited_to_its_proposer(
        self, article, people
    ):
        proposal = _proposal(article, people)
        services.proposal_accept(proposal=proposal, decided_by=people.author)
        article.refresh_from_db()
        assert "60 Leuten" in article.body
        latest = article.history.first()
        assert latest.history_user == people.proposer
        assert latest.history_change_reason == "Teilnehmerzahl korrigiert"
        proposal.refresh_from_db()
        assert proposal.status == EditProposal.Status.ACCEPTED
        assert any(people.proposer.email in m.to for m in mail.outbox)

    def test_a_proposal_that_changes_nothing_is_refused(self, article, people):
        with pytest.raises(ValidationError):
            _proposal(article, people, body=article.body)
        assert not EditProposal.objects.exists()

    def test_a_decided_proposal_cannot_be_decided_again(self, article, people):
        proposal = _proposal(article, people)
        services.proposal_reject(proposal=proposal, decided_by=people.author, note="Quelle?")
        with pytest.raises(ValidationError):
            services.proposal_accept(proposal=proposal, decided_by=people.author)
        article.refresh_from_db()
        assert "40 Leuten" in article.body

    def test_the_diff_marks_what_was_removed_and_added(self, article, people):
        proposal = _proposal(article, people)
        changes = selectors.proposal_diff(proposal)
        removed = [p.text for p in changes["body"] if p.change == "removed"]
        added = [p.text for p in changes["body"] if p.change == "added"]
        assert removed == ["40"]
        assert added == ["60"]


class TestRestore:
    def test_an_editor_restores_an_old_version_as_a_new_revision(self, article, people):
        first = article.history.first()
        services.article_update(article=article, editor=people.author, comment="x", body="Neu.")
        services.revision_restore(
            article=article, revision_id=first.history_id, editor=people.editor
        )
        article.refresh_from_db()
        assert "40 Leuten" in article.body
        assert article.history.count() == 3

    def test_the_author_alone_may_not_restore(self, article, people):
        with pytest.raises(PermissionDenied):
            services.revision_restore(
                article=article,
                revision_id=article.history.first().history_id,
                editor=people.author,
            )

    def test_a_revision_of_another_article_is_refused(self, article, people):
        other = write_article(people.author, title="Ein anderer Bericht")
        with pytest.raises(ValidationError):
            services.revision_restore(
                article=article, revision_id=other.history.first().history_id, editor=people.editor
            )


def _image_file(size=(2400, 1200), kind="PNG", name="foto.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class TestImages:
    def test_a_wide_image_is_shrunk_and_re_encoded(self, people):
        image = services.image_upload(file=_image_file(), user=people.author)
        assert (image.width, image.height) == (1600, 800)
        with Image.open(image.image.path) as stored:
            assert stored.size == (1600, 800)

    def test_a_file_that_is_not_an_image_is_refused(self, people):
        fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
        with pytest.raises(ValidationError):
            services.image_upload(file=fake, user=people.author)

    def test_an_image_over_five_megabytes_is_refused(self, people):
        big = SimpleUploadedFile("x.png", b"0" * (5 * 1024 * 1024 + 1), content_type="image/png")
        with pytest.raises(ValidationError):
            services.image_upload(file=big, user=people.author)

    def test_unsupported_formats_are_refused(self, people):
        with pytest.raises(ValidationError):
            services.image_upload(file=_image_file(kind="BMP", name="x.bmp"), user=people.author)


class TestSearchAndRelated:
    def test_articles_are_found_by_word_forms_and_umlauts(self, people):
        write_article(people.author, title="Gemeinschaftsgärten gründen", body="Beete anlegen.")
        assert [a.title for a in selectors.search_articles("Garten")] == [
            "Gemeinschaftsgärten gründen"
        ]
        assert selectors.search_articles("Gärten")
        assert selectors.search_articles("Schwimmbad") == []

    def test_drafts_are_not_found(self, people):
        write_article(people.author, publish=False, title="Geheimer Entwurf")
        assert selectors.search_articles("Entwurf") == []

    def test_related_articles_share_topics(self, article, people):
        sibling = write_article(people.author, title="Dorfladen: die ersten Monate")
        other_topic = write_article(people.author, title="Fußball für alle")
        other_topic.topics.set([Topic.objects.get(slug="sport-und-bewegung")])
        other_topic.tags.clear()
        assert selectors.related_articles(article) == [sibling]


def test_windows_line_ends_from_the_browser_are_no_change(article, people):
    with pytest.raises(ValidationError):
        services.proposal_create(
            article=article,
            proposer=people.proposer,
            title=article.title,
            summary=article.summary,
            body=article.body.replace("\n", "\r\n"),
            comment="nichts",
        )


class TestModeration:
    def test_only_the_moderation_brings_back_a_hidden_article(self, article, people):
        services.article_set_hidden(article=article, moderator=people.moderator, hidden=True)
        for person in (people.author, people.editor):
            with pytest.raises((ValidationError, PermissionDenied)):
                services.article_publish(article=article, actor=person)
        article.refresh_from_db()
        assert article.status == Article.Status.HIDDEN
        services.article_set_hidden(article=article, moderator=people.moderator, hidden=False)
        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED

    def test_editors_are_not_moderators(self, article, people):
        with pytest.raises(PermissionDenied):
            services.article_set_hidden(article=article, moderator=people.editor, hidden=True)

    def test_hidden_and_unpublished_versions_stay_out_of_the_public_history(
        self, people, django_user_model
    ):
        from django.contrib.auth.models import AnonymousUser

        draft = write_article(people.author, publish=False, body="Geheimer erster Entwurf.")
        services.article_publish(article=draft, actor=people.author)
        public = selectors.revisions(draft, AnonymousUser())
        assert all(item.record.status == "published" for item in public)
        assert len(selectors.revisions(draft, people.author)) == len(public) + 1


def test_a_proposal_on_an_older_version_cannot_undo_newer_edits(article, people):
    proposal = _proposal(article, people)
    services.article_update(
        article=article, editor=people.author, comment="ergänzt", body="Ganz neuer Text."
    )
    with pytest.raises(ValidationError):
        services.proposal_accept(proposal=proposal, decided_by=people.author)
    article.refresh_from_db()
    assert article.body == "Ganz neuer Text."


def test_an_article_whose_author_left_can_still_be_improved(article, people):
    proposal = _proposal(article, people)
    people.author.delete()
    article.refresh_from_db()
    assert article.author is None
    mail.outbox.clear()
    second = services.proposal_create(
        article=article,
        proposer=people.reader,
        title=article.title,
        summary=article.summary,
        body=article.body + "\n\nNachtrag.",
        comment="Nachtrag",
    )
    assert any(people.editor.email in m.to for m in mail.outbox)
    services.proposal_reject(proposal=proposal, decided_by=people.editor)
    services.proposal_accept(proposal=second, decided_by=people.editor)
    article.refresh_from_db()
    assert article.body.endswith("Nachtrag.")


def test_a_phone_photo_is_turned_upright(people):
    image = Image.new("RGB", (300, 100), (1, 2, 3))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("handy.jpg", buffer.getvalue(), content_type="image/jpeg")
    stored = services.image_upload(file=upload, user=people.author)
    assert (stored.width, stored.height) == (100, 300)


def test_related_projects_outlast_writes_elsewhere_but_never_show_an_unpublished_one(
    people, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    shop = ProjectFactory(
        title="Dorfladen als Genossenschaft",
        summary="Bürgerinnen und Bürger retten ihren Dorfladen als Genossenschaft.",
    )
    article = write_article(
        people.author, title="Wie wir unseren Dorfladen retteten", summary="Ein Dorfladen."
    )
    assert shop in selectors.related_projects(article)

    with django_capture_on_commit_callbacks(execute=True):
        bump_catalog_version()  # e.g. a comment on some other page
    with django_assert_max_num_queries(2):  # the cached choice and the projects, no new search
        assert shop in selectors.related_projects(article)

    Project.objects.filter(pk=shop.pk).update(status=Project.Status.REJECTED)
    assert shop not in selectors.related_projects(article)
