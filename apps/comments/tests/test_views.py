import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.comments import services, views
from apps.comments.models import Comment, CommentReport
from apps.core.ratelimit import Limit
from tests.factories import CommentFactory, ProjectFactory, UserFactory

ROLES = ["anonymous", "other", "author", "moderator"]
LOGIN = reverse("account_login")


def _log_in(client, scene, role):
    client.logout()
    if role != "anonymous":
        client.force_login(getattr(scene, role))


def _post_comment(client, target, body="Das hat bei uns auch geklappt.", kind="project", **data):
    return client.post(
        reverse("comments:create"), {"kind": kind, "subject": target.pk, "body": body, **data}
    )


def _page(client, scene) -> str:
    return client.get(scene.project.get_absolute_url()).content.decode()


@pytest.mark.django_db
class TestPermissions:
    """Every comment view for anonymous visitors, another user, the comment's author and a
    moderator. 302 is the login page for anonymous visitors, otherwise back to the page."""

    @pytest.mark.parametrize(
        ("name", "method", "row"),
        [
            ("create", "post", "302 302 302 302"),
            ("reply", "get", "302 200 200 200"),
            ("reply", "post", "302 302 302 302"),
            ("edit", "get", "302 403 200 403"),
            ("edit", "post", "302 403 302 403"),
            ("delete", "get", "302 403 405 403"),
            ("delete", "post", "302 403 302 403"),
            ("report", "get", "302 200 403 200"),
            ("report", "post", "302 302 403 302"),
            ("moderation", "get", "302 403 403 200"),
            ("hide", "get", "302 403 403 200"),
            ("hide", "post", "302 403 403 302"),
            ("restore", "post", "302 403 403 302"),
            ("dismiss", "post", "302 403 403 302"),
        ],
    )
    def test_status_codes_by_role(self, client, scene, name, method, row):
        expected = dict(zip(ROLES, (int(code) for code in row.split()), strict=True))
        for role in ROLES:
            # A fresh comment for each role: the author's delete must not decide the next row.
            comment = scene.comment()
            report = CommentReport.objects.create(
                comment=comment, reporter=UserFactory(), reason="?"
            )
            if name == "restore":
                services.comment_hide(comment=comment, moderator=scene.moderator, reason="Test")
            kwargs = {
                "create": {},
                "moderation": {},
                "dismiss": {"report_id": report.pk},
            }.get(name, {"pk": comment.pk})
            data = {
                "kind": "project",
                "subject": scene.project.pk,
                "body": "Hallo",
                "reason": "Beleidigend",
            }
            _log_in(client, scene, role)
            response = getattr(client, method)(reverse(f"comments:{name}", kwargs=kwargs), data)
            assert response.status_code == expected[role], role
            if role == "anonymous":
                assert response["Location"].startswith(LOGIN)


@pytest.mark.django_db
class TestThread:
    def test_a_logged_in_visitor_comments_and_is_taken_back_to_the_comment(self, client, scene):
        client.force_login(scene.author)
        response = _post_comment(client, scene.project, "  Bei uns **auch**!  ")
        comment = Comment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{scene.project.get_absolute_url()}#comment-{comment.pk}"
        page = _page(client, scene)
        assert f'id="comment-{comment.pk}"' in page
        assert "Bei uns <strong>auch</strong>!" in page
        assert "Anna Kommentar" in page

    def test_anonymous_visitors_read_comments_and_get_a_login_link_instead_of_the_form(
        self, client, scene
    ):
        scene.comment("Sehr zu empfehlen.")
        page = _page(client, scene)
        assert "Sehr zu empfehlen." in page
        assert reverse("comments:create") not in page
        assert f"{LOGIN}?next=" in page

    def test_an_unpublished_project_shows_its_team_no_comment_form(self, client, scene):
        from apps.organisations.models import Membership

        pending = ProjectFactory(status="pending")
        member = Membership.objects.create(
            organisation=pending.organisation, user=UserFactory(), role=Membership.Role.ADMIN
        ).user
        client.force_login(member)
        page = client.get(pending.get_absolute_url()).content.decode()
        assert 'id="comments"' in page
        assert reverse("comments:create") not in page

    def test_an_answer_to_an_answer_is_shown_under_the_first_comment(self, client, scene):
        top = scene.comment("Erster Kommentar")
        answer = scene.comment("Antwort", author=scene.other, parent=top)
        client.force_login(scene.author)
        response = client.post(
            reverse("comments:reply", kwargs={"pk": answer.pk}), {"body": "Antwort auf Antwort"}
        )
        reply = Comment.objects.get(body="Antwort auf Antwort")
        assert response["Location"].endswith(f"#comment-{reply.pk}")
        assert reply.parent == top
        page = _page(client, scene)
        assert (
            page.index("<p>Erster Kommentar</p>")
            < page.index("<p>Antwort</p>")
            < page.index("<p>Antwort auf Antwort</p>")
        )
        # Answers are offered on the first comment only, as they go one level deep.
        assert reverse("comments:reply", kwargs={"pk": top.pk}) in page
        assert reverse("comments:reply", kwargs={"pk": answer.pk}) not in page

    def test_the_author_changes_a_comment_within_the_window_and_it_says_edited(self, client, scene):
        comment = scene.comment("Erste Fassung")
        client.force_login(scene.author)
        url = reverse("comments:edit", kwargs={"pk": comment.pk})
        assert "Erste Fassung" in client.get(url).content.decode()
        response = client.post(url, {"body": "Zweite Fassung"})
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        page = _page(client, scene)
        assert "Zweite Fassung" in page
        assert "Erste Fassung" not in page
        assert "edited" in page or "bearbeitet" in page

    def test_after_the_window_the_edit_form_is_gone_and_explained(self, client, scene):
        comment = scene.comment("Erste Fassung")
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=16)
        )
        client.force_login(scene.author)
        url = reverse("comments:edit", kwargs={"pk": comment.pk})
        assert reverse("comments:edit", kwargs={"pk": comment.pk}) not in _page(client, scene)
        for response in (client.get(url), client.post(url, {"body": "Zu spät"})):
            assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.body == "Erste Fassung"
        page = client.get(comment.get_absolute_url()).content.decode()
        assert "over" in page or "vorbei" in page

    def test_a_deleted_comment_without_answers_disappears(self, client, scene):
        comment = scene.comment("Weg damit")
        client.force_login(scene.author)
        response = client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))
        assert response.status_code == 302
        page = _page(client, scene)
        assert "Weg damit" not in page
        assert f'id="comment-{comment.pk}"' not in page

    def test_a_deleted_comment_with_answers_leaves_a_placeholder_without_its_text(
        self, client, scene
    ):
        comment = scene.comment("Weg damit")
        scene.comment("Die Antwort bleibt", author=scene.other, parent=comment)
        services.comment_delete(comment=comment, actor=scene.author)
        for role in ROLES:
            _log_in(client, scene, role)
            page = _page(client, scene)
            assert "Weg damit" not in page, role
            assert "Die Antwort bleibt" in page, role
            assert f'id="comment-{comment.pk}"' in page, role
            assert "Comment deleted" in page or "Kommentar gelöscht" in page, role

    def test_a_body_with_html_is_shown_as_text(self, client, scene):
        scene.comment(
            '<script>alert("x")</script> <img src=x onerror=alert(1)> '
            "[klick](javascript:alert(1)) <b onclick=alert(1)>fett</b>"
        )
        page = _page(client, scene)
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page
        assert "<img src=x onerror" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert 'href="javascript:' not in page
        assert "<b onclick" not in page

    def test_the_thread_costs_the_same_queries_for_few_and_many_comments(self, client, scene):
        def queries_for_the_page(user) -> int:
            client.force_login(user)  # logged in: never served from the page cache
            with CaptureQueriesContext(connection) as queries:
                assert client.get(scene.project.get_absolute_url()).status_code == 200
            return len(queries)

        def add_comments(count):
            for _ in range(count):
                top = CommentFactory(project=scene.project, author=UserFactory())
                CommentFactory(project=scene.project, parent=top, author=scene.author)

        add_comments(1)
        few = {user: queries_for_the_page(user) for user in (scene.other, scene.moderator)}
        add_comments(9)
        hidden = Comment.objects.filter(parent=None).first()
        services.comment_hide(comment=hidden, moderator=scene.moderator, reason="Test")
        many = {user: queries_for_the_page(user) for user in (scene.other, scene.moderator)}
        assert Comment.objects.count() == 20
        assert many == few


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(
        "data",
        [
            {"body": ""},
            {"body": "   "},
            {"body": "x" * 5001},
            {"body": "Hallo\x00Welt"},
            {"subject": "999999"},
            {"subject": "99999999999999999999999"},
            {"subject": "abc"},
            {"subject": "1\x00"},
            {"subject": ""},
            {"kind": "user"},
            {"kind": "article"},  # no article with the project's id
            {"parent": "999999"},
            {"parent": "x"},
        ],
    )
    def test_is_explained_and_writes_nothing(self, client, scene, data):
        client.force_login(scene.author)
        response = _post_comment(client, scene.project, **data)
        assert response.status_code == 400
        assert 'class="form-errors"' in response.content.decode() or (
            'class="error"' in response.content.decode()
        )
        assert not Comment.objects.exists()

    def test_an_answer_to_a_comment_on_another_page_is_explained_and_writes_nothing(
        self, client, scene
    ):
        elsewhere = scene.comment(subject=ProjectFactory())
        client.force_login(scene.author)
        response = _post_comment(client, scene.project, parent=elsewhere.pk)
        assert response.status_code == 400
        assert "same page" in response.content.decode() or "derselben" in response.content.decode()
        assert Comment.objects.count() == 1

    def test_an_unpublished_project_is_refused(self, client, scene):
        pending = ProjectFactory(status="pending")
        client.force_login(scene.author)
        assert _post_comment(client, pending).status_code == 400
        assert not Comment.objects.exists()

    def test_an_empty_answer_or_edit_is_explained_and_writes_nothing(self, client, scene):
        comment = scene.comment("Bleibt")
        client.force_login(scene.author)
        for name in ("reply", "edit"):
            response = client.post(reverse(f"comments:{name}", kwargs={"pk": comment.pk}), {})
            assert response.status_code == 200
            assert 'class="error"' in response.content.decode()
        comment.refresh_from_db()
        assert comment.body == "Bleibt"
        assert Comment.objects.count() == 1

    def test_a_comment_that_does_not_exist_is_404(self, client, scene):
        client.force_login(scene.moderator)
        for name in ("reply", "edit", "report", "hide"):
            assert client.get(reverse(f"comments:{name}", kwargs={"pk": 4242})).status_code == 404


@pytest.mark.django_db
class TestRateLimits:
    def test_the_21st_comment_within_an_hour_is_refused_and_writes_nothing(self, client, scene):
        client.force_login(scene.author)
        for number in range(20):
            assert _post_comment(client, scene.project, f"Nummer {number}").status_code == 302
        response = _post_comment(client, scene.project, "Eins zu viel")
        assert response.status_code == 429
        assert "Eins zu viel" in response.content.decode()  # the text is not lost
        assert Comment.objects.count() == 20

    def test_answers_count_against_the_same_limit(self, client, scene, monkeypatch):
        monkeypatch.setattr(
            views,
            "COMMENT_LIMIT",
            Limit("comment", per_user=1, per_ip=40, window=views.COMMENT_LIMIT.window),
        )
        comment = scene.comment()
        client.force_login(scene.other)
        assert _post_comment(client, scene.project).status_code == 302
        url = reverse("comments:reply", kwargs={"pk": comment.pk})
        assert client.post(url, {"body": "Antwort"}).status_code == 429
        assert Comment.objects.count() == 2

    def test_many_accounts_from_one_address_are_limited_too(self, client, scene, monkeypatch):
        monkeypatch.setattr(
            views,
            "COMMENT_LIMIT",
            Limit("comment", per_user=20, per_ip=2, window=views.COMMENT_LIMIT.window),
        )
        for _ in range(2):
            client.force_login(UserFactory())
            assert _post_comment(client, scene.project).status_code == 302
        client.force_login(UserFactory())
        assert _post_comment(client, scene.project).status_code == 429
        assert Comment.objects.count() == 2

    def test_the_11th_report_within_an_hour_is_refused(self, client, scene):
        comments = [scene.comment() for _ in range(11)]
        client.force_login(scene.other)
        for comment in comments[:10]:
            url = reverse("comments:report", kwargs={"pk": comment.pk})
            assert client.post(url, {"reason": "Werbung"}).status_code == 302
        url = reverse("comments:report", kwargs={"pk": comments[10].pk})
        assert client.post(url, {"reason": "Werbung"}).status_code == 429
        assert CommentReport.objects.count() == 10


@pytest.mark.django_db
class TestModeration:
    def test_a_report_reaches_the_queue_and_the_moderators(self, client, scene):
        comment = scene.comment("Kauft bei uns ein!")
        client.force_login(scene.other)
        mail.outbox.clear()
        response = client.post(
            reverse("comments:report", kwargs={"pk": comment.pk}), {"reason": "Werbung"}
        )
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        assert [m.to for m in mail.outbox] == [[scene.moderator.email]]
        client.force_login(scene.moderator)
        queue = client.get(reverse("comments:moderation")).content.decode()
        assert "Kauft bei uns ein!" in queue
        assert "Werbung" in queue
        assert reverse("comments:hide", kwargs={"pk": comment.pk}) in queue

    def test_reporting_twice_is_explained_and_writes_once(self, client, scene):
        comment = scene.comment()
        client.force_login(scene.other)
        url = reverse("comments:report", kwargs={"pk": comment.pk})
        client.post(url, {"reason": "Werbung"})
        response = client.post(url, {"reason": "Werbung"})
        assert response.status_code == 200
        assert "already" in response.content.decode() or "bereits" in response.content.decode()
        assert CommentReport.objects.count() == 1

    def test_hiding_tells_the_author_why_and_hides_it_from_cached_anonymous_pages(
        self, client, scene, django_capture_on_commit_callbacks
    ):
        comment = scene.comment("Kauft bei uns ein!")
        assert "Kauft bei uns ein!" in _page(client, scene)  # now in the anonymous page cache
        client.force_login(scene.moderator)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("comments:hide", kwargs={"pk": comment.pk}),
                {"reason": "Werbung ist hier nicht erlaubt."},
            )
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        assert [m.to for m in mail.outbox] == [[scene.author.email]]
        assert "Werbung ist hier nicht erlaubt." in mail.outbox[0].body
        moderator_page = _page(client, scene)
        assert "Kauft bei uns ein!" in moderator_page  # marked hidden, with a restore button
        assert reverse("comments:restore", kwargs={"pk": comment.pk}) in moderator_page
        for role in ("anonymous", "other", "author"):
            _log_in(client, scene, role)
            assert "Kauft bei uns ein!" not in _page(client, scene), role

    def test_hiding_from_the_queue_returns_to_the_queue(self, client, scene):
        comment = scene.comment()
        services.comment_report(comment=comment, reporter=scene.other, reason="Werbung")
        client.force_login(scene.moderator)
        queue = reverse("comments:moderation")
        form = client.get(
            reverse("comments:hide", kwargs={"pk": comment.pk}), {"next": queue}
        ).content.decode()
        assert f'name="next" value="{queue}"' in form
        response = client.post(
            reverse("comments:hide", kwargs={"pk": comment.pk}),
            {"reason": "Werbung", "next": queue},
        )
        assert response["Location"] == queue
        assert "Werbung" not in client.get(queue).content.decode()

    def test_hiding_without_a_reason_is_explained(self, client, scene):
        comment = scene.comment()
        client.force_login(scene.moderator)
        response = client.post(reverse("comments:hide", kwargs={"pk": comment.pk}), {"reason": ""})
        assert response.status_code == 200
        comment.refresh_from_db()
        assert comment.hidden_at is None

    def test_a_moderator_on_another_site_is_not_followed_after_hiding(self, client, scene):
        comment = scene.comment()
        client.force_login(scene.moderator)
        response = client.post(
            reverse("comments:hide", kwargs={"pk": comment.pk}),
            {"reason": "Werbung", "next": "https://example.com/"},
        )
        assert response["Location"].endswith(f"#comment-{comment.pk}")

    @pytest.mark.parametrize("next_", ["kaputt", "42", "comments:moderation", "//example.com/"])
    @pytest.mark.parametrize("action", ["hide", "restore"])
    def test_a_next_that_is_no_path_on_this_site_returns_to_the_comment(
        self, client, scene, action, next_
    ):
        comment = scene.comment()
        if action == "restore":
            services.comment_hide(comment=comment, moderator=scene.moderator, reason="Irrtum?")
        client.force_login(scene.moderator)
        response = client.post(
            reverse(f"comments:{action}", kwargs={"pk": comment.pk}),
            {"reason": "Werbung", "next": next_},
        )
        assert response.status_code == 302
        assert response["Location"] == comment.get_absolute_url()
        comment.refresh_from_db()
        assert (comment.hidden_at is not None) == (action == "hide")

    def test_restoring_shows_the_comment_to_anonymous_visitors_again(
        self, client, scene, django_capture_on_commit_callbacks
    ):
        comment = scene.comment("Doch in Ordnung")
        services.comment_hide(comment=comment, moderator=scene.moderator, reason="Irrtum?")
        assert "Doch in Ordnung" not in _page(client, scene)
        client.force_login(scene.moderator)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("comments:restore", kwargs={"pk": comment.pk}))
        client.logout()
        assert "Doch in Ordnung" in _page(client, scene)

    def test_dismissing_closes_the_report_and_keeps_the_comment(self, client, scene):
        comment = scene.comment("Harmlos")
        report = services.comment_report(comment=comment, reporter=scene.other, reason="?")
        client.force_login(scene.moderator)
        response = client.post(reverse("comments:dismiss", kwargs={"report_id": report.pk}))
        assert response["Location"] == reverse("comments:moderation")
        report.refresh_from_db()
        assert report.resolved_at is not None
        assert "Harmlos" in _page(client, scene)
        # Dismissed twice (two moderators at once): explained, not an error.
        assert (
            client.post(reverse("comments:dismiss", kwargs={"report_id": report.pk})).status_code
            == 302
        )


@pytest.mark.django_db
class TestArticles:
    def test_comments_on_an_article_are_written_and_shown_on_its_page(self, client, scene, article):
        client.force_login(scene.author)
        response = _post_comment(client, article, "Danke für den Bericht!", kind="article")
        comment = Comment.objects.get()
        assert comment.article == article
        assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Danke für den Bericht!" in page
        assert f'id="comment-{comment.pk}"' in page

    def test_an_article_id_given_as_a_project_is_refused(self, client, scene, article):
        client.force_login(scene.author)
        response = _post_comment(client, article, kind="article", parent=scene.comment().pk)
        assert response.status_code == 400
        assert Comment.objects.count() == 1
