import pytest
from django.http import QueryDict

from apps.catalog.selectors import catalog_search
from apps.catalog.services import project_update
from apps.search.selectors import projects_matching
from apps.search.text import index_text, query_terms
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def titles_found(query: str) -> list[str]:
    return [project.title for project in catalog_search(params=QueryDict(f"q={query}")).projects]


def test_query_words_are_stemmed_the_german_way():
    assert query_terms("Gärten") == query_terms("Garten")
    assert query_terms("Läden") == query_terms("Laden")


def test_stop_words_are_not_searched():
    assert query_terms("und der die das") == []


def test_compound_words_are_indexed_reversed_for_suffix_search():
    text = index_text("Gemeinschaftsgarten", "")
    assert "gemeinschaftsgart"[::-1] in text.reversed.split()


def test_plural_finds_the_compound_word():
    ProjectFactory(title="Gemeinschaftsgarten am Stadtpark")
    ProjectFactory(title="Lesepaten für Grundschulen")
    assert titles_found("Gärten") == ["Gemeinschaftsgarten am Stadtpark"]


def test_senioren_finds_seniorinnen_und_senioren_forms():
    ProjectFactory(title="Treffpunkt", summary="Für Seniorinnen im Quartier.")
    ProjectFactory(title="Anderes", summary="Für Jugendliche im Quartier.")
    assert titles_found("Senioren") == ["Treffpunkt"]


def test_all_words_of_a_query_must_match():
    ProjectFactory(title="Dorfladen mit Café")
    ProjectFactory(title="Dorfladen ohne Extras")
    assert titles_found("Dorfladen Café") == ["Dorfladen mit Café"]


def test_a_title_match_ranks_above_a_mention_in_the_text():
    ProjectFactory(title="Nachbarschaftshilfe im Dorf", summary="Hilfe unter Nachbarn.")
    ProjectFactory(
        title="Seniorentreff", solution="Wir arbeiten mit der Nachbarschaftshilfe zusammen."
    )
    assert titles_found("Nachbarschaftshilfe")[0] == "Nachbarschaftshilfe im Dorf"


def test_editing_a_project_updates_the_index():
    project = ProjectFactory(title="Repair-Café Nord")
    project_update(project=project, title="Werkzeugbibliothek Nord")
    assert titles_found("Werkzeugbibliothek") == ["Werkzeugbibliothek Nord"]
    assert titles_found("Repair") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND OR NOT",
        "NEAR(",
        "title:",
        "-garten",
        "a:*D | b",
        "'); DROP TABLE x; --",
        "\x00",
    ],
)
def test_search_syntax_in_a_query_is_treated_as_plain_words(query):
    ProjectFactory(title="Gemeinschaftsgarten")
    list(projects_matching(ProjectFactory._meta.model.objects.all(), query))


def test_a_huge_query_is_cut_and_still_answers():
    ProjectFactory(title="Gemeinschaftsgarten")
    assert titles_found("Gärten " + "x" * 100_000) == ["Gemeinschaftsgarten"]
