import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.catalog.cache import catalog_version
from apps.catalog.models import Project
from apps.comments import services
from apps.comments.models import Comment, CommentReport
from apps.core.email import absolute_url
from apps.knowledge.services import follow_article
from tests.factories import ProjectFactory, UserFactory

from .conftest import write_article

pytestmark = pytest.mark.django_db


def _age(comment: Comment, minutes: int) -> None:
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=minutes)
    )
    comment.refresh_from_db()


class TestCreate:
    def test_a_comment_on_a_published_project_is_stored_without_surrounding_space(self, scene):
        comment = scene.comment("  Gute Idee!  \n")
        assert comment.body == "Gute Idee!"
        assert comment.project == scene.project
        assert comment.article is None
        assert (
            comment.get_absolute_url() == f"{scene.project.get_absolute_url()}#comment-{comment.pk}"
        )

    def test_a_comment_on_a_published_article_is_stored_on_the_article(self, scene, article):
        comment = scene.comment(subject=article)
        assert comment.article == article
        assert comment.project is None

    def test_unpublished_projects_and_articles_cannot_be_commented_on(self, scene):
        pending = ProjectFactory(status=Project.Status.PENDING)
        draft = write_article(scene.other, publish=False)
        for subject in (pending, draft):
            with pytest.raises(ValidationError):
                scene.comment(subject=subject)
        assert not Comment.objects.exists()

    def test_nul_bytes_are_dropped_from_what_is_stored(self, scene):
        assert scene.comment("Hallo\x00Welt").body == "HalloWelt"

    @pytest.mark.parametrize("body", ["", "   \n ", "x" * 5001, "\x00"])
    def test_empty_or_oversized_bodies_are_refused(self, scene, body):
        with pytest.raises(ValidationError) as error:
            scene.comment(body)
        assert "body" in error.value.message_dict
        assert not Comment.objects.exists()

    def test_a_body_of_exactly_the_maximum_length_is_taken(self, scene):
        assert len(scene.comment("x" * 5000).body) == 5000

    def test_answering_an_answer_attaches_to_the_comment_that_started_the_thread(self, scene):
        top = scene.comment()
        answer = scene.comment("Wie lange hat das gedauert?", author=scene.other, parent=top)
        answer_to_answer = scene.comment("Zwei Jahre.", parent=answer)
        assert answer.parent == top
        assert answer_to_answer.parent == top

    def test_an_answer_to_a_comment_on_another_page_is_refused(self, scene):
        elsewhere = scene.comment(subject=ProjectFactory())
        with pytest.raises(ValidationError):
            scene.comment(parent=elsewhere)
        assert Comment.objects.count() == 1

    def test_hidden_or_deleted_comments_cannot_be_answered(self, scene):
        hidden = scene.comment()
        services.comment_hide(comment=hidden, moderator=scene.moderator, reason="Werbung")
        deleted = scene.comment()
        services.comment_delete(comment=deleted, actor=scene.author)
        for parent in (hidden, deleted):
            with pytest.raises(ValidationError):
                scene.comment(author=scene.other, parent=parent)
        assert Comment.objects.count() == 2

    def test_a_thread_whose_first_comment_is_gone_takes_no_new_answers(self, scene):
        top = scene.comment()
        answer = scene.comment(author=scene.other, parent=top)
        services.comment_delete(comment=top, actor=scene.author)
        with pytest.raises(ValidationError):
            scene.comment(parent=answer)
        assert Comment.objects.count() == 2

    def test_an_answer_tells_the_authors_of_the_thread_but_never_the_writer(self, scene):
        starter = UserFactory()
        top = scene.comment(author=starter)
        answer = scene.comment(author=scene.other, parent=top)
        mail.outbox.clear()
        scene.comment("Zwei Jahre.", author=scene.author, parent=answer)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([starter.email, scene.other.email])
        assert all(scene.author.email not in m.to for m in mail.outbox)

    def test_answering_oneself_sends_nothing(self, scene):
        top = scene.comment()
        mail.outbox.clear()
        scene.comment("Nachtrag.", parent=top)
        assert mail.outbox == []

    def test_the_followers_of_an_article_hear_of_a_comment_by_a_link(self, scene, article):
        follow_article(article=article, user=scene.other, follow=True)
        follow_article(article=article, user=scene.author, follow=True)
        mail.outbox.clear()
        comment = scene.comment("Geheimnisvoller Inhalt des Kommentars", subject=article)
        assert [m.to for m in mail.outbox] == [[scene.other.email]]
        message = mail.outbox[0]
        assert absolute_url(comment.get_absolute_url()) in message.body
        assert "Geheimnisvoller Inhalt" not in message.body

    def test_a_follower_who_is_answered_gets_one_e_mail(self, scene, article):
        follow_article(article=article, user=scene.other, follow=True)
        top = scene.comment(subject=article, author=scene.other)
        mail.outbox.clear()
        scene.comment(subject=article, parent=top)
        assert [m.to for m in mail.outbox] == [[scene.other.email]]

    def test_comments_on_a_project_show_at_once_for_anonymous_visitors(
        self, scene, django_capture_on_commit_callbacks
    ):
        before = catalog_version()
        with django_capture_on_commit_callbacks(execute=True):
            scene.comment()
        assert catalog_version() == before + 1


class TestEdit:
    def test_the_author_changes_the_text_within_the_window_and_it_is_marked(self, scene):
        comment = scene.comment()
        services.comment_edit(comment=comment, editor=scene.author, body=" Korrigiert. ")
        comment.refresh_from_db()
        assert comment.body == "Korrigiert."
        assert comment.edited_at is not None

    def test_after_the_window_the_text_stays(self, scene):
        comment = scene.comment("Erste Fassung")
        _age(comment, minutes=16)
        with pytest.raises(ValidationError):
            services.comment_edit(comment=comment, editor=scene.author, body="Zweite Fassung")
        comment.refresh_from_db()
        assert comment.body == "Erste Fassung"
        assert comment.edited_at is None

    def test_just_inside_the_window_the_text_can_still_be_changed(self, scene):
        comment = scene.comment("Erste Fassung")
        _age(comment, minutes=14)
        services.comment_edit(comment=comment, editor=scene.author, body="Zweite Fassung")

    def test_nobody_else_changes_a_comment_not_even_the_moderation(self, scene):
        comment = scene.comment()
        for user in (scene.other, scene.moderator):
            with pytest.raises(PermissionDenied):
                services.comment_edit(comment=comment, editor=user, body="Fremd")

    def test_an_unchanged_text_is_not_marked_as_edited(self, scene):
        comment = scene.comment("Gleich")
        services.comment_edit(comment=comment, editor=scene.author, body="Gleich")
        comment.refresh_from_db()
        assert comment.edited_at is None

    def test_an_empty_text_is_refused(self, scene):
        comment = scene.comment()
        with pytest.raises(ValidationError):
            services.comment_edit(comment=comment, editor=scene.author, body="  ")


class TestDelete:
    def test_the_author_deletes_and_the_text_is_kept_but_marked(self, scene):
        comment = scene.comment("Nicht mehr wichtig")
        services.comment_delete(comment=comment, actor=scene.author)
        comment.refresh_from_db()
        assert comment.deleted_at is not None
        assert comment.body == "Nicht mehr wichtig"
        assert not comment.is_visible

    def test_nobody_else_deletes_a_comment(self, scene):
        comment = scene.comment()
        for user in (scene.other, scene.moderator):
            with pytest.raises(PermissionDenied):
                services.comment_delete(comment=comment, actor=user)
        comment.refresh_from_db()
        assert comment.deleted_at is None

    def test_deleting_closes_the_open_reports(self, scene):
        comment = scene.comment()
        services.comment_report(comment=comment, reporter=scene.other, reason="Beleidigend")
        services.comment_delete(comment=comment, actor=scene.author)
        assert not CommentReport.objects.filter(resolved_at=None).exists()


class TestReport:
    def test_a_report_is_stored_and_the_moderators_are_told(self, scene):
        comment = scene.comment()
        mail.outbox.clear()
        report = services.comment_report(
            comment=comment, reporter=scene.other, reason=" Beleidigend "
        )
        assert report.reason == "Beleidigend"
        assert [m.to for m in mail.outbox] == [[scene.moderator.email]]
        assert "/kommentare/moderation/" in mail.outbox[0].body

    def test_ones_own_comment_cannot_be_reported(self, scene):
        comment = scene.comment()
        with pytest.raises(ValidationError):
            services.comment_report(comment=comment, reporter=scene.author, reason="Test")

    def test_the_same_person_reports_a_comment_once_while_the_report_is_open(self, scene):
        comment = scene.comment()
        services.comment_report(comment=comment, reporter=scene.other, reason="Beleidigend")
        with pytest.raises(ValidationError) as error:
            services.comment_report(comment=comment, reporter=scene.other, reason="Nochmal")
        assert "already" in str(error.value) or "bereits" in str(error.value)
        assert CommentReport.objects.count() == 1

    def test_after_a_dismissal_the_comment_can_be_reported_again(self, scene):
        comment = scene.comment()
        services.comment_report(comment=comment, reporter=scene.other, reason="Beleidigend")
        services.comment_reports_dismiss(comment=comment, moderator=scene.moderator)
        services.comment_report(comment=comment, reporter=scene.other, reason="Schon wieder")
        assert CommentReport.objects.filter(resolved_at=None).count() == 1

    def test_a_reason_is_required(self, scene):
        comment = scene.comment()
        with pytest.raises(ValidationError):
            services.comment_report(comment=comment, reporter=scene.other, reason=" ")


class TestModeration:
    def test_hiding_needs_a_reason(self, scene):
        comment = scene.comment()
        with pytest.raises(ValidationError):
            services.comment_hide(comment=comment, moderator=scene.moderator, reason="  ")
        comment.refresh_from_db()
        assert comment.hidden_at is None

    def test_hiding_closes_the_reports_and_tells_the_author_why(self, scene):
        comment = scene.comment()
        services.comment_report(comment=comment, reporter=scene.other, reason="Werbung")
        mail.outbox.clear()
        services.comment_hide(
            comment=comment, moderator=scene.moderator, reason="Werbung für einen Shop"
        )
        comment.refresh_from_db()
        assert comment.hidden_by == scene.moderator
        assert comment.hidden_reason == "Werbung für einen Shop"
        assert not CommentReport.objects.filter(resolved_at=None).exists()
        assert [m.to for m in mail.outbox] == [[scene.author.email]]
        assert "Werbung für einen Shop" in mail.outbox[0].body

    def test_only_moderators_hide_and_restore(self, scene):
        comment = scene.comment()
        with pytest.raises(PermissionDenied):
            services.comment_hide(comment=comment, moderator=scene.other, reason="Nein")
        services.comment_hide(comment=comment, moderator=scene.moderator, reason="Werbung")
        with pytest.raises(PermissionDenied):
            services.comment_restore(comment=comment, moderator=scene.author)

    def test_restoring_shows_the_comment_again(self, scene):
        comment = scene.comment()
        services.comment_hide(comment=comment, moderator=scene.moderator, reason="Irrtum")
        services.comment_restore(comment=comment, moderator=scene.moderator)
        comment.refresh_from_db()
        assert comment.is_visible
        assert comment.hidden_by is None
        assert comment.hidden_reason == ""

    def test_a_visible_comment_cannot_be_restored_nor_a_hidden_one_hidden_again(self, scene):
        comment = scene.comment()
        with pytest.raises(ValidationError):
            services.comment_restore(comment=comment, moderator=scene.moderator)
        services.comment_hide(comment=comment, moderator=scene.moderator, reason="Werbung")
        with pytest.raises(ValidationError):
            services.comment_hide(comment=comment, moderator=scene.moderator, reason="Nochmal")
