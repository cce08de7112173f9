import pytest
from django.urls import reverse

from apps.catalog.models import Project, Site, TargetGroup, Topic
from apps.catalog.services import project_approve
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

pytestmark = pytest.mark.django_db
CATALOG = reverse("catalog:project_list")


def project_form_data(**overrides) -> dict:
    municipality = MunicipalityFactory(name="Brünen", state="NW")
    data = {
        "title": "Dorfladen Brünen",
        "summary": "Ein genossenschaftlicher Laden für das Dorf.",
        "problem": "Der letzte Supermarkt hat geschlossen.",
        "solution": "300 Menschen aus dem Dorf gründen eine Genossenschaft.",
        "impact": "",
        "topics": [Topic.objects.get(slug="nahversorgung-und-dorfladen").pk],
        "target_groups": [TargetGroup.objects.get(slug="familien").pk],
        "municipality": municipality.label,
        "founded_year": "2019",
        "setting": "rural",
        "readiness": "ready",
        "licence": "cc-by-sa-4.0",
        "contact_email": "",
        "contact_name": "",
        "website": "",
    }
    return data | overrides


class TestCatalogPage:
    def test_lists_published_projects_only(self, client):
        ProjectFactory(title="Sichtbar")
        ProjectFactory(title="Wartet noch", status=Project.Status.PENDING)
        page = client.get(CATALOG).content.decode()
        assert "Sichtbar" in page
        assert "Wartet noch" not in page

    def test_facets_narrow_the_list(self, client):
        rural = MunicipalityFactory(state="BY")
        ProjectFactory(title="In Bayern", municipality=rural, setting="rural")
        ProjectFactory(title="In NRW", setting="rural")
        page = client.get(CATALOG, {"state": "BY", "setting": "rural"}).content.decode()
        assert "In Bayern" in page
        assert "In NRW" not in page

    def test_topic_facet_finds_projects_with_any_chosen_topic(self, client):
        garden, repair = (
            Topic.objects.get(slug="garten-und-stadtgrun"),
            Topic.objects.get(slug="reparieren-und-teilen"),
        )
        ProjectFactory(title="Garten", topics=[garden])
        ProjectFactory(title="Reparatur", topics=[repair, garden])
        ProjectFactory(title="Anderes")
        response = client.get(CATALOG, {"topic": [garden.slug]})
        assert [p.title for p in response.context["page"].object_list] == ["Reparatur", "Garten"]

    def test_unknown_facet_values_are_ignored_with_a_message(self, client):
        ProjectFactory(title="Irgendein Projekt")
        response = client.get(CATALOG, {"topic": "gibt-es-nicht", "state": "XX"})
        assert response.status_code == 200
        assert "Irgendein Projekt" in response.content.decode()
        assert "nicht erkannt" in response.content.decode()

    def test_page_out_of_range_shows_the_last_page_and_says_so(self, client):
        ProjectFactory.create_batch(3)
        response = client.get(CATALOG, {"page": "999"})
        assert response.status_code == 200
        assert response.context["page"].number == 1
        response = client.get(CATALOG, {"page": "abc"})
        assert response.status_code == 200

    def test_pagination_links_keep_the_filters(self, client):
        ProjectFactory.create_batch(25, setting="rural")
        page = client.get(CATALOG, {"setting": "rural", "sort": "newest"}).content.decode()
        assert "?setting=rural&amp;sort=newest&amp;page=2" in page

    def test_sort_by_most_sites(self, client):
        few = ProjectFactory(title="Wenige Standorte")
        many = ProjectFactory(title="Viele Standorte")
        for _ in range(3):
            Site.objects.create(project=many, municipality=MunicipalityFactory())
        Project.objects.filter(pk=many.pk).update(active_site_count=4)
        response = client.get(CATALOG, {"sort": "sites"})
        assert [p.pk for p in response.context["page"].object_list] == [many.pk, few.pk]

    def test_search_with_only_stop_words_finds_nothing_but_answers(self, client):
        ProjectFactory()
        response = client.get(CATALOG, {"q": "und oder"})
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0

    def test_costs_the_same_queries_for_few_and_many_projects(
        self, client, django_assert_max_num_queries
    ):
        client.force_login(UserFactory())  # logged in: no page cache, the real rendering cost
        topic = Topic.objects.first()
        ProjectFactory.create_batch(2, topics=[topic])
        # Cold: counting the facets and storing them in the shared cache.
        with django_assert_max_num_queries(33):
            client.get(CATALOG, {"q": "Projekt", "topic": topic.slug})
        ProjectFactory.create_batch(30, topics=[topic])
        with django_assert_max_num_queries(33):
            client.get(CATALOG, {"q": "Projekt", "topic": topic.slug, "sort": "newest"})
        # Warm: the facet counts come from the cache (one query counts unread messages).
        with django_assert_max_num_queries(15):
            client.get(CATALOG, {"q": "Projekt", "topic": topic.slug})

    def test_facets_show_how_many_projects_each_value_has(self, client):
        garden = Topic.objects.get(slug="garten-und-stadtgrun")
        ProjectFactory.create_batch(3, topics=[garden], setting="rural")
        ProjectFactory(setting="urban")
        response = client.get(CATALOG)
        counts = response.context["facet_counts"]
        assert counts["topic"]["garten-und-stadtgrun"] == 3
        assert counts["setting"] == {"rural": 3, "urban": 1}
        assert 'Gärten und Stadtgrün <span class="count">(3)</span>' in response.content.decode()

    def test_facet_counts_follow_a_new_publication(
        self, client, django_capture_on_commit_callbacks
    ):
        project = ProjectFactory(setting="rural", status=Project.Status.PENDING, published_at=None)
        assert client.get(CATALOG).context["facet_counts"]["setting"] == {}
        with django_capture_on_commit_callbacks(execute=True):
            project_approve(project=project, moderator=moderator())
        assert client.get(CATALOG).context["facet_counts"]["setting"] == {"rural": 1}


class TestProjectPage:
    def test_shows_every_site_with_its_origin(self, client):
        project = ProjectFactory(title="Repair-Café")
        origin = project.sites.get()
        Site.objects.create(
            project=project,
            municipality=MunicipalityFactory(name="Kopiedorf"),
            copied_from=origin,
            operator_name="Kopie e. V.",
        )
        page = client.get(project.get_absolute_url()).content.decode()
        assert "Kopiedorf" in page
        assert "Kopie e. V." in page
        assert 'id="site-map-data"' in page

    def test_user_text_is_rendered_as_markdown_and_cleaned(self, client):
        project = ProjectFactory(
            solution="**fett** <script>alert(1)</script> [x](javascript:alert(1)) "
            "<img src=x onerror=alert(1)>"
        )
        page = client.get(project.get_absolute_url()).content.decode()
        assert "<strong>fett</strong>" in page
        assert "<script>alert(1)" not in page
        assert 'href="javascript:' not in page
        assert "<img" not in page

    def test_pending_project_is_hidden_from_the_public_and_other_users(self, client):
        project = ProjectFactory(status=Project.Status.PENDING)
        assert client.get(project.get_absolute_url()).status_code == 404
        client.force_login(UserFactory())
        assert client.get(project.get_absolute_url()).status_code == 404

    def test_pending_project_is_visible_to_its_team_and_moderators(self, client):
        project = ProjectFactory(status=Project.Status.PENDING)
        member = MembershipFactory(organisation=project.organisation).user
        client.force_login(member)
        assert client.get(project.get_absolute_url()).status_code == 200
        client.force_login(moderator())
        assert client.get(project.get_absolute_url()).status_code == 200

    def test_malformed_or_unknown_slug_is_404(self, client):
        assert client.get("/projekte/gibt-es-nicht/").status_code == 404
        assert client.get("/projekte/%3Cscript%3E/").status_code == 404

    def test_costs_the_same_queries_for_few_and_many_sites(
        self, client, django_assert_max_num_queries
    ):
        client.force_login(UserFactory())  # logged in: no page cache, the real rendering cost
        project = ProjectFactory()
        # 12 for the page, one for the unread badge, one for the project's transfer offer, and
        # up to two for the comment thread (the comments, then their answers in one prefetch).
        with django_assert_max_num_queries(16):
            client.get(project.get_absolute_url())
        for _ in range(20):
            Site.objects.create(
                project=project,
                municipality=MunicipalityFactory(),
                copied_from=project.sites.first(),
            )
        with django_assert_max_num_queries(16):
            client.get(project.get_absolute_url())


class TestEditingProjects:
    def test_a_member_creates_a_pending_project(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        url = reverse("catalog:project_create", args=[membership.organisation.slug])
        response = client.post(url, project_form_data())
        project = Project.objects.get(title="Dorfladen Brünen")
        assert response.url == project.get_absolute_url()
        assert project.status == Project.Status.PENDING
        assert project.organisation == membership.organisation
        assert project.sites.get().municipality.name == "Brünen"

    def test_an_unknown_municipality_is_a_clear_error_and_writes_nothing(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        url = reverse("catalog:project_create", args=[membership.organisation.slug])
        response = client.post(url, project_form_data(municipality="Atlantis"))
        assert response.status_code == 200
        assert "Atlantis" in response.context["form"].errors["municipality"][0]
        assert not Project.objects.exists()

    def test_missing_and_oversized_fields_are_reported_and_write_nothing(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        url = reverse("catalog:project_create", args=[membership.organisation.slug])
        response = client.post(
            url, project_form_data(title="", summary="x" * 401, founded_year="1200")
        )
        errors = response.context["form"].errors
        assert {"title", "summary", "founded_year"} <= set(errors)
        assert not Project.objects.exists()

    def test_html_in_text_fields_is_stored_as_text_and_shown_escaped(self, client):
        membership = MembershipFactory()
        client.force_login(membership.user)
        url = reverse("catalog:project_create", args=[membership.organisation.slug])
        client.post(url, project_form_data(title="<b onmouseover=alert(1)>Laden</b>"))
        project = Project.objects.get()
        page = client.get(project.get_absolute_url()).content.decode()
        assert "&lt;b onmouseover=alert(1)&gt;Laden&lt;/b&gt;" in page
        assert "<b onmouseover" not in page

    def test_a_non_member_cannot_add_projects_to_an_organisation(self, client):
        organisation = OrganisationFactory()
        client.force_login(UserFactory())
        url = reverse("catalog:project_create", args=[organisation.slug])
        assert client.get(url).status_code == 403
        assert client.post(url, project_form_data()).status_code == 403
        assert not Project.objects.exists()

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        project = ProjectFactory()
        response = client.get(reverse("catalog:project_update", args=[project.slug]))
        assert response.status_code == 302
        assert "/konto/login/" in response.url

    def test_another_user_cannot_edit_a_project_by_url(self, client):
        project = ProjectFactory(title="Original")
        client.force_login(UserFactory())
        url = reverse("catalog:project_update", args=[project.slug])
        assert client.get(url).status_code == 403
        assert client.post(url, project_form_data(title="Gekapert")).status_code == 403
        project.refresh_from_db()
        assert project.title == "Original"

    def test_a_member_edits_the_project(self, client):
        project = ProjectFactory(title="Original")
        client.force_login(MembershipFactory(organisation=project.organisation).user)
        url = reverse("catalog:project_update", args=[project.slug])
        client.post(url, project_form_data(title="Neuer Titel"))
        project.refresh_from_db()
        assert project.title == "Neuer Titel"

    def test_a_member_adds_a_site_copied_from_the_origin(self, client):
        project = ProjectFactory()
        client.force_login(MembershipFactory(organisation=project.organisation).user)
        place = MunicipalityFactory(name="Neuort")
        response = client.post(
            reverse("catalog:site_create", args=[project.slug]),
            {
                "municipality": place.label,
                "operator_name": "Neuort hilft e. V.",
                "status": "active",
                "started_on": "2022-03-01",
                "copied_from": project.sites.get().pk,
            },
        )
        assert response.status_code == 302
        site = project.sites.get(municipality=place)
        assert site.copied_from.is_origin
        project.refresh_from_db()
        assert project.active_site_count == 2

    def test_another_user_cannot_add_or_remove_sites(self, client):
        project = ProjectFactory()
        copy = Site.objects.create(project=project, municipality=MunicipalityFactory())
        client.force_login(UserFactory())
        assert (
            client.post(reverse("catalog:site_create", args=[project.slug]), {}).status_code == 403
        )
        assert (
            client.post(reverse("catalog:site_delete", args=[project.slug, copy.pk])).status_code
            == 403
        )
        assert project.sites.count() == 2


class TestModeration:
    def test_queue_lists_pending_projects_for_moderators_only(self, client):
        ProjectFactory(title="Bitte prüfen", status=Project.Status.PENDING)
        client.force_login(UserFactory())
        assert client.get(reverse("catalog:moderation_queue")).status_code == 403
        client.force_login(moderator())
        assert "Bitte prüfen" in client.get(reverse("catalog:moderation_queue")).content.decode()

    def test_a_moderator_approves_and_the_project_is_found(self, client):
        project = ProjectFactory(
            title="Gemeinschaftsgarten Süd", status=Project.Status.PENDING, published_at=None
        )
        client.force_login(moderator())
        client.post(reverse("catalog:moderation_approve", args=[project.slug]))
        project.refresh_from_db()
        assert project.status == Project.Status.PUBLISHED
        client.logout()
        assert "Gemeinschaftsgarten Süd" in client.get(CATALOG, {"q": "Gärten"}).content.decode()

    def test_a_plain_user_cannot_approve(self, client):
        project = ProjectFactory(status=Project.Status.PENDING)
        client.force_login(MembershipFactory(organisation=project.organisation).user)
        assert (
            client.post(reverse("catalog:moderation_approve", args=[project.slug])).status_code
            == 403
        )
        project.refresh_from_db()
        assert project.status == Project.Status.PENDING

    def test_rejecting_without_a_reason_changes_nothing(self, client):
        project = ProjectFactory(status=Project.Status.PENDING)
        client.force_login(moderator())
        client.post(reverse("catalog:moderation_reject", args=[project.slug]), {"note": ""})
        project.refresh_from_db()
        assert project.status == Project.Status.PENDING


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_script_in_every_text_field_of_a_project_renders_inert(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    text_fields = ["title", "summary", "problem", "solution", "impact", "contact_name"]
    data = project_form_data(**{name: f"{name} {PAYLOAD}" for name in text_fields})
    client.post(reverse("catalog:project_create", args=[membership.organisation.slug]), data)
    project = Project.objects.get()
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "<img" not in page
    for name in text_fields:
        assert f"{name} &lt;script&gt;" in page


def test_home_page_counts_published_projects_and_their_active_sites(client):
    project = ProjectFactory()
    Site.objects.create(project=project, municipality=MunicipalityFactory())
    Project.objects.filter(pk=project.pk).update(active_site_count=2)
    ProjectFactory(status=Project.Status.PENDING)
    totals = client.get(reverse("catalog:home")).context["totals"]
    assert totals == {"projects": 1, "sites": 2}


@pytest.mark.django_db
def test_a_number_beyond_any_id_in_a_choice_is_a_clear_error(client):
    from tests.factories import MembershipFactory

    membership = MembershipFactory()
    client.force_login(membership.user)
    url = reverse(
        "catalog:project_create", kwargs={"organisation_slug": membership.organisation.slug}
    )
    response = client.post(url, {"title": "X", "topics": ["99999999999999999999999"]})
    assert response.status_code == 200
    assert not Project.objects.filter(title="X").exists()


@pytest.mark.django_db
def test_two_values_of_one_facet_list_projects_with_either(client):
    garden = Topic.objects.get(slug="garten-und-stadtgrun")
    shop = Topic.objects.get(slug="nahversorgung-und-dorfladen")
    ProjectFactory(title="Gartenprojekt", topics=[garden])
    ProjectFactory(title="Ladenprojekt", topics=[shop])
    response = client.get(CATALOG, {"topic": [garden.slug, shop.slug]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Gartenprojekt" in page
    assert "Ladenprojekt" in page
