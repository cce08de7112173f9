"""Match my problem: ranking by meaning, reasons, the page, the command, the vector index."""

import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.catalog.models import Project, Site
from apps.catalog.services import project_delete, project_update
from apps.places.geo import BoundingBox, haversine_km
from apps.search import matching
from apps.search.embeddings import get_embedder
from apps.search.evaluation import ndcg, recall, shares_no_word
from apps.search.selectors import MatchMethod, match_projects, ranked_projects
from apps.search.vectors import vector_index
from tests.factories import MunicipalityFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

SHOP = {
    "title": "Dorfladen als Genossenschaft",
    "summary": "Bürgerinnen und Bürger betreiben gemeinsam einen Lebensmittelmarkt mit Café.",
    "problem": "Nachdem der Supermarkt geschlossen hatte, gab es im Ort keine Lebensmittel mehr. "
    "Wer kein Auto hat, war auf Nachbarn angewiesen.",
    "setting": "rural",
}
REPAIR = {
    "title": "Repair-Café im Gemeindehaus",
    "summary": "Ehrenamtliche reparieren einmal im Monat Geräte, Fahrräder und Kleidung.",
    "problem": "Defekte Toaster, Radios und Hosen landen im Müll, obwohl sie sich flicken ließen.",
    "setting": "both",
}
READING = {
    "title": "Lesepaten an Grundschulen",
    "summary": "Freiwillige lesen jede Woche mit Kindern, die mit Büchern wenig Übung haben.",
    "problem": "Viele Erstklässler haben zu Hause niemanden, der ihnen vorliest.",
    "setting": "urban",
}
YOUTH = {
    "title": "Jugendtreff im Bauwagen",
    "summary": "Jugendliche bauen einen alten Bauwagen zum eigenen Treffpunkt aus.",
    "problem": "Im Dorf gibt es keinen Raum für Jugendliche; sie treffen sich an der "
    "Bushaltestelle.",
    "setting": "rural",
}


def gather_term_statistics() -> None:
    """What a live installation has: PostgreSQL's column statistics, a fresh project count."""
    from django.db import connection

    from apps.search import backends

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_project_document")
    backends._project_count[1] = float("-inf")


@pytest.fixture
def catalog():
    return {
        key: ProjectFactory(**fields)
        for key, fields in {
            "shop": SHOP,
            "repair": REPAIR,
            "reading": READING,
            "youth": YOUTH,
        }.items()
    }


def test_a_description_sharing_no_word_finds_the_project_by_meaning(catalog):
    text = "Bei uns macht der letzte Laden zu"
    assert shares_no_word(text, [SHOP["title"], SHOP["summary"]])
    result = match_projects(text=text)
    assert result.matches[0].project == catalog["shop"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kaputte Elektrogeräte werden bei uns einfach weggeworfen", "repair"),
        ("Unsere Kinder können am Ende der ersten Klasse kaum lesen", "reading"),
        ("The teenagers hang around at night with nothing to do", "youth"),
    ],
)
def test_descriptions_in_plain_words_put_the_fitting_project_first(catalog, text, expected):
    assert match_projects(text=text).matches[0].project == catalog[expected]


def test_each_result_says_why_it_fits(catalog):
    village = MunicipalityFactory(name="Kleinweiler", latitude=51.0, longitude=7.0, population=900)
    shop_site_place = MunicipalityFactory(latitude=51.2, longitude=7.0, population=1200)
    Site.objects.create(project=catalog["shop"], municipality=shop_site_place, status="active")
    match = match_projects(text="Bei uns macht der letzte Laden zu", municipality=village).matches[
        0
    ]

    assert match.passage in SHOP["summary"] + " " + SHOP["problem"]
    assert match.fit.same_setting is True
    assert match.site_count == 2
    assert match.nearest_site == shop_site_place.label
    assert match.distance_km == round(haversine_km(51.0, 7.0, 51.2, 7.0))


def test_fit_prefers_projects_made_for_the_same_setting():
    village_fit = matching.fit_for(
        project_setting="rural", is_rural=True, settlement_type="rural", site_types=["rural"] * 3
    )
    city_project = matching.fit_for(
        project_setting="urban", is_rural=True, settlement_type="rural", site_types=["city"] * 3
    )
    assert village_fit.value == 1.0
    assert city_project.value == 0.0


def test_unpublished_projects_are_never_matched(catalog):
    Project.objects.filter(pk=catalog["shop"].pk).update(status=Project.Status.PENDING)
    result = match_projects(text="Bei uns macht der letzte Laden zu")
    assert catalog["shop"] not in [match.project for match in result.matches]


def test_text_vector_and_hybrid_rankings_each_find_the_obvious_match(catalog):
    for method in MatchMethod:
        ranking, _ = ranked_projects("Repair-Café für defekte Geräte", method=method)
        assert ranking[0][0] == catalog["repair"].pk, method


def test_edited_project_text_changes_its_meaning_at_once(
    catalog, django_capture_on_commit_callbacks
):
    text = "Bei uns gibt es keinen Arzt mehr"
    assert match_projects(text=text).matches[0].project != catalog["reading"]
    with django_capture_on_commit_callbacks(execute=True):
        project_update(
            project=catalog["reading"],
            title="Hausarztpraxis in Gemeindehand",
            summary="Die Gemeinde betreibt eine Arztpraxis und stellt Ärztinnen an.",
            problem="Der letzte Hausarzt ging in Rente, niemand übernahm die Praxis.",
        )
    assert match_projects(text=text).matches[0].project == catalog["reading"]


def test_deleted_projects_leave_the_vector_index(catalog, django_capture_on_commit_callbacks):
    embedder = get_embedder()
    index = vector_index(embedder.name, embedder.dimensions)
    index.refresh()
    assert catalog["shop"].pk in index.refresh().ids
    with django_capture_on_commit_callbacks(execute=True):
        project_delete(project=catalog["shop"])
    assert catalog["shop"].pk not in index.refresh().ids
    assert len(index) == 3


def test_nearest_returns_the_closest_vectors_first(catalog):
    embedder = get_embedder()
    index = vector_index(embedder.name, embedder.dimensions)
    query = embedder.embed_queries(["Lesen lernen mit Freiwilligen"])[0]
    (best, similarity), *rest = index.nearest(query, 3)
    assert best == catalog["reading"].pk
    assert len(rest) == 2
    assert all(similarity >= other for _, other in rest)


def test_reciprocal_rank_fusion_rewards_agreement():
    scores = matching.fuse([[1, 2, 3], [3, 1, 4]], [1.0, 1.0], k=60)
    assert matching.ordered(scores)[:2] == [1, 3]
    assert set(scores) == {1, 2, 3, 4}


def test_passages_are_plain_sentences_without_markdown():
    found = matching.passages(
        "Kurz.",
        "- **Erstens** gibt es hier einen langen Satz mit Inhalt. "
        "Noch ein Satz, der lang genug ist.",
    )
    assert found == [
        "Erstens gibt es hier einen langen Satz mit Inhalt.",
        "Noch ein Satz, der lang genug ist.",
    ]


def test_ndcg_and_recall_follow_their_definitions():
    relevant = {"a": 2, "b": 1}
    assert ndcg(["a", "b", "c"], relevant) == pytest.approx(1.0)
    assert ndcg(["c", "a", "b"], relevant) < 1.0
    assert ndcg(["x", "y"], relevant) == 0.0
    assert recall(["c", "b"], relevant) == 0.5


def test_haversine_and_bounding_box_agree():
    berlin, hamburg = (52.52, 13.405), (53.551, 9.993)
    assert haversine_km(*berlin, *hamburg) == pytest.approx(255, abs=3)
    box = BoundingBox.around(*berlin, radius_km=260)
    assert box.contains(*hamburg)
    assert not BoundingBox.around(*berlin, radius_km=200).contains(*hamburg)


def test_embeddings_are_normalised_and_multilingual():
    embedder = get_embedder()
    german, english, other = embedder.embed_queries(
        ["Der Bus fährt nicht mehr ins Dorf", "The bus no longer goes to the village", "Kuchen"]
    )
    assert np.linalg.norm(german) == pytest.approx(1.0, abs=1e-4)
    assert german @ english > german @ other


class TestMatchPage:
    url = reverse("search:match")

    def test_start_page_offers_the_description_box(self, client):
        response = client.get(reverse("catalog:home"))
        assert "Beschreiben Sie Ihr Anliegen vor Ort" in response.content.decode()

    def test_results_with_reasons(self, client, catalog):
        response = client.get(
            self.url, {"text": "Bei uns macht der letzte Laden zu", "municipality": ""}
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert page.index(SHOP["title"]) < page.index(REPAIR["title"])
        assert "Warum es passt" in page

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"text": "Laden"}, "mindestens 10 Zeichen"),
            ({"text": "x" * 1501}, "unter 1500 Zeichen"),
            ({"text": "   "}, "Bitte beschreiben Sie"),
            ({"text": "Bei uns fehlt ein Laden", "municipality": "Nirgendwo-am-See"}, "Nirgendwo"),
            ({"text": "Bei uns fehlt ein Laden", "municipality": "²"}, "„²“"),
            ({"text": "Bei uns fehlt ein Laden", "municipality": "Ort\x00"}, "„Ort“"),
        ],
    )
    def test_bad_input_gets_a_clear_message(self, client, catalog, params, message):
        response = client.get(self.url, params)
        assert response.status_code == 200
        assert message in response.content.decode()
        assert SHOP["title"] not in response.content.decode()

    def test_the_description_is_shown_escaped(self, client, catalog):
        response = client.get(self.url, {"text": "<script>alert(1)</script> kein Laden mehr"})
        page = response.content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_query_count_stays_fixed(self, client, catalog, django_assert_max_num_queries):
        client.force_login(UserFactory())
        params = {"text": "Bei uns macht der letzte Laden zu", "municipality": ""}
        client.get(self.url, params)
        with django_assert_max_num_queries(13):  # 12, and one for the unread-messages badge
            response = client.get(self.url, params)
        assert response.status_code == 200

    def test_english_page(self, client, catalog):
        response = client.get("/en" + self.url, {"text": "Our village shop is closing down"})
        page = response.content.decode()
        assert "Why it fits" in page
        assert SHOP["title"] in page


class TestMatchCommand:
    def test_json_output(self, catalog, capsys):
        call_command("match", "Bei uns macht der letzte Laden zu", "--json", "--limit", "2")
        output = json.loads(capsys.readouterr().out)
        assert output["matches"][0]["slug"] == catalog["shop"].slug
        assert len(output["matches"]) == 2

    def test_text_output_with_municipality(self, catalog, capsys):
        MunicipalityFactory(name="Kleinweiler")
        call_command("match", "Bei uns macht der letzte Laden zu", "--municipality", "Kleinweiler")
        output = capsys.readouterr().out
        assert output.splitlines()[0].endswith(SHOP["title"])
        assert "nearest:" in output

    def test_bad_input_is_an_error(self, catalog):
        with pytest.raises(CommandError, match=r"mindestens 10 Zeichen|at least 10"):
            call_command("match", "kurz")


def test_words_most_projects_share_are_left_to_the_vectors(catalog, settings):
    from apps.search import selectors
    from apps.search.text import query_terms

    gather_term_statistics()
    common, rare = query_terms("Treffpunkt Toaster")  # every project opens a Treffpunkt
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selectors, "COMMON_TERM_MIN_PROJECTS", 0)
        patch.setattr(selectors, "COMMON_TERM_SHARE", 0.5)
        assert selectors.distinctive_terms([common, rare]) == [rare]


def test_a_project_without_quotable_sentences_is_matched_without_a_passage():
    terse = ProjectFactory(
        title="Dorfladen", summary="Laden im Dorf.", problem="- Kein Laden\n- Weite Wege"
    )
    match = match_projects(text="Bei uns macht der letzte Laden zu").matches[0]
    assert match.project == terse
    assert match.passage == ""


def test_unpublished_look_alikes_do_not_crowd_out_published_projects(catalog):
    for number in range(12):
        ProjectFactory(
            status=Project.Status.PENDING,
            title=f"{SHOP['title']} {number}",
            **{key: value for key, value in SHOP.items() if key != "title"},
        )
    result = match_projects(text="Bei uns macht der letzte Laden zu", limit=4)
    assert result.matches[0].project == catalog["shop"]
    assert len(result.matches) == 4


def test_long_descriptions_keep_their_distinctive_words(catalog, monkeypatch):
    from apps.search import selectors

    gather_term_statistics()
    monkeypatch.setattr(selectors, "MAX_QUERY_TERMS", 3)
    monkeypatch.setattr(selectors, "COMMON_TERM_MIN_PROJECTS", 0)
    monkeypatch.setattr(selectors, "COMMON_TERM_SHARE", 0.5)
    # Every project of the fixture has these words; the distinctive one comes fourth.
    text = "Ehrenamtliche öffnen einen Treffpunkt, jede Woche kommen Menschen: Toaster"
    ranking, _ = ranked_projects(text, method=MatchMethod.TEXT)
    assert ranking[0][0] == catalog["repair"].pk
