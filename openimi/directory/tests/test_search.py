"""Search that finds the right authority abroad, in any language."""

import threading

import pytest
from django.test import Client

from openimi.directory import search as search_module
from openimi.directory import services
from openimi.directory.members import token_issue
from openimi.directory.models import Authority, SearchEntry
from openimi.directory.search import SearchFilters, facets, search
from openimi.directory.services import AuthorityData
from openimi.tests.factories import UserFactory, coordinator, member


@pytest.fixture
def directory(operator, db):
    """A few authorities registered through the services (so indexed as in real use)."""
    made = {}
    specs = [
        (
            "IT",
            "Ordine degli Architetti di Milano",
            "it",
            "Milano",
            "IT-MI",
            ["professional_qualifications"],
            ["architect"],
            {"en": ("Chamber of architects, Milan", "")},
        ),
        (
            "DE",
            "Handwerkskammer München",
            "de",
            "München",
            "DE-BY",
            ["services"],
            ["crafts"],
            {"en": ("Chamber of skilled crafts, Munich", "Registers craft businesses.")},
        ),
        (
            "FR",
            "Chambre de métiers et de l'artisanat de Lyon",
            "fr",
            "Lyon",
            "FR-69",
            ["services"],
            ["crafts"],
            {"en": ("Chamber of trades and crafts, Lyon", "")},
        ),
        ("PL", "Izba Architektów RP", "pl", "Warszawa", None, ["professional_qualifications"], ["architect"], {}),
        ("ES", "Colegio de Médicos de Madrid", "es", "Madrid", None, ["professional_qualifications"], ["doctor"], {}),
    ]
    for country, name, language, city, region, areas, competences, texts in specs:
        owner = Authority.objects.create(
            official_name=f"Coordinator {country}", official_language_id=language, country_id=country, status="active"
        )
        coordinator(owner, "national")
        user = UserFactory()
        member(user, owner, "local_admin")
        made.setdefault("_coordinators", {})[country] = user
        made[name] = services.authority_register(
            actor=user,
            data=AuthorityData(
                official_name=name,
                official_language=language,
                country=country,
                region=region,
                city=city,
                legal_areas=areas,
                competences=competences,
                texts=texts,
            ),
        )
    return made


def names(filters, language=None, base=None):
    result = search(base or Authority.objects.filter(status="active"), filters, language=language)
    return [a.official_name for a in result.queryset[:10]]


def test_a_polish_official_finds_the_italian_architects_by_a_polish_word(directory):
    found = names(SearchFilters(q="architekt", country="IT"), language="pl")
    assert found == ["Ordine degli Architetti di Milano"]


def test_competence_labels_in_another_language_match(directory):
    assert set(names(SearchFilters(q="artigianato"), language="it")) >= {"Handwerkskammer München"}
    assert "Colegio de Médicos de Madrid" in names(SearchFilters(q="lekarz"), language="pl")  # pl: doctor


def test_typos_accents_case_and_word_order(directory):
    assert names(SearchFilters(q="archtect milano")) == ["Ordine degli Architetti di Milano"]
    assert names(SearchFilters(q="Handwerkskamer")) == ["Handwerkskammer München"]
    assert names(SearchFilters(q="LYON metiers CHAMBRE")) == ["Chambre de métiers et de l'artisanat de Lyon"]
    assert names(SearchFilters(q="munchen")) == ["Handwerkskammer München"]


def test_prefix_as_you_type(directory):
    assert "Handwerkskammer München" in names(SearchFilters(q="handw"))


def test_region_names_are_searchable(directory):
    assert names(SearchFilters(q="bayern")) == ["Handwerkskammer München"]


def test_competence_match_in_the_chosen_country_ranks_first(directory):
    ranked = names(SearchFilters(q="architect"))
    assert set(ranked[:2]) == {"Ordine degli Architetti di Milano", "Izba Architektów RP"}
    assert names(SearchFilters(q="architect", country="PL")) == ["Izba Architektów RP"]


def test_every_word_must_match(directory):
    assert names(SearchFilters(q="architect lyon")) == []


def test_new_and_changed_authorities_are_searchable_at_once(directory):
    fr_coordinator = directory["_coordinators"]["FR"]
    lyon = directory["Chambre de métiers et de l'artisanat de Lyon"]
    data = AuthorityData.from_authority(lyon)
    data.official_name = "Chambre régionale de métiers Auvergne-Rhône-Alpes"
    services.authority_update(actor=fr_coordinator, authority=lyon, data=data)
    assert names(SearchFilters(q="auvergne")) == ["Chambre régionale de métiers Auvergne-Rhône-Alpes"]
    assert not SearchEntry.objects.filter(authority=lyon, word="artisanat", field="name").exists()
    assert "Chambre de métiers et de l'artisanat de Lyon" not in names(SearchFilters(q="artisanat"))


def test_facets_count_the_matches(directory):
    result = search(Authority.objects.filter(status="active"), SearchFilters(q="architect"))
    counts = facets(result.queryset)
    assert dict(counts["country"]) == {"IT": 1, "PL": 1}
    assert dict(counts["competence"])["architect"] == 2


@pytest.mark.parametrize(
    "q,finds_all",
    [
        ("", True),
        (" ", True),
        ("*", True),
        ("%_%", True),
        ("\x00\x01", True),
        ("a b c d e f g h i j k l", True),
        ("x" * 10_000, False),
        ("' OR 1=1 --", False),
        ('NEAR(a b) AND "x', False),
        ("架构师", False),
        ("ÄÖÜ ß", False),
    ],
)
def test_odd_queries_are_just_text(directory, q, finds_all):
    """Nothing in a query reaches SQL but words: punctuation and single letters are dropped
    (the whole listing), anything else is matched as a word (here: nothing)."""
    listed = Authority.objects.filter(status="active")
    result = search(listed, SearchFilters(q=q))
    assert result.queryset.count() == (listed.count() if finds_all else 0)
    assert len(result.words) <= 8


def test_search_page_shows_facets_and_the_api_has_the_same_results(directory, client_for, fr_handler):
    page = client_for(fr_handler).get("/directory/", {"q": "architekt"}).content.decode()
    assert "Ordine degli Architetti di Milano" in page and "Izba Architektów RP" in page
    assert "competence=architect" in page  # facet link
    _t, raw = token_issue(actor=fr_handler, authority=fr_handler.memberships.get().authority, name="x")
    body = (
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        .get("/api/v1/authorities/search", {"q": "architekt", "country": "IT"})
        .json()
    )
    assert [r["official_name"] for r in body["results"]] == ["Ordine degli Architetti di Milano"]
    assert body["facets"]["country"] == [{"value": "IT", "count": 1}]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/authorities/search", {"q": "x" * 201})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "q"


def test_suggestions_as_you_type(directory, client_for, fr_handler):
    body = client_for(fr_handler).get("/directory/suggest/", {"q": "handw"}).json()
    assert body["suggestions"][0] == "Handwerkskammer München"
    assert client_for(fr_handler).get("/directory/suggest/", {"q": "h"}).json() == {"suggestions": []}


def test_each_thread_stems_with_its_own_stemmer_and_gets_the_same_words():
    """Snowball stemmers keep state while they work: threads that shared one corrupted each
    other's words (an IndexError and a 500 on the suggestions typed in the search field)."""
    words = ["architekten", "gesundheitsamt", "ljekarnik", "arhitektonski", "ingénieurs", "registrierung"] * 50
    expected = [search_module.stem(w, lang) for w in words for lang in ("de", "hr", "fr")]
    mine = search_module._stemmer("de")
    results: list[object] = []

    def work() -> None:
        results.append(search_module._stemmer("de"))
        for _ in range(5):
            results.append([search_module.stem(w, lang) for w in words for lang in ("de", "hr", "fr")])

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stemmers = [r for r in results if not isinstance(r, list)]
    assert len(stemmers) == 6 and all(s is not mine for s in stemmers)
    assert len({id(s) for s in stemmers}) == 6
    assert all(r == expected for r in results if isinstance(r, list))


# -- issue 13, item 9: countries named in the query, selected filters, habits, look-alikes --------


@pytest.mark.parametrize(
    "q,country,rest",
    [
        ("architectes Allemagne", "DE", "architectes"),
        ("Allemagne", "DE", ""),
        ("Deutschland", "DE", ""),
        ("architekci niemcy", "DE", "architekci"),
        ("Pays-Bas architectes", "NL", "architectes"),
        ("an Ghearmáin", "DE", ""),
        ("Ġermanja", "DE", ""),
        ("Ελλάδα ιατροί", "GR", "ιατροί"),
        ("architectes", "", "architectes"),
    ],
)
def test_a_country_named_in_any_language_is_read(db, q, country, rest):
    reading = search_module.read_country(q, search_module.VOCABULARY.current())
    assert (reading.country, reading.rest, reading.ambiguous) == (country, rest, [])


def test_a_country_that_is_also_a_place_elsewhere_is_only_offered(db):
    reading = search_module.read_country("Luxembourg", search_module.VOCABULARY.current())
    assert reading.country == "" and reading.ambiguous == ["LU"]


def test_the_search_page_turns_a_named_country_into_a_filter(directory, client_for, fr_handler):
    client = client_for(fr_handler)
    page = client.get("/directory/", {"q": "chamber Allemagne"}).content.decode()
    assert "Handwerkskammer München" in page and "Lyon" not in page.split('aria-live="polite"')[-1]
    assert '<option value="DE" selected>' in page and 'value="chamber"' in page
    assert "as_written=1" in page  # one click back to the words as typed
    assert 'href="?q=chamber"' in page  # removing the country keeps the rest of the query
    page = client.get("/directory/", {"q": "chamber Allemagne", "as_written": "1"}).content.decode()
    assert "Handwerkskammer München" not in page  # "Allemagne" as a word matches nothing
    page = client.get("/directory/", {"q": "Deutschland"}).content.decode()
    assert "Handwerkskammer München" in page and "Coordinator DE" in page and "Milano" not in page


def test_an_ambiguous_country_name_is_offered_as_a_link(directory, client_for, fr_handler):
    page = client_for(fr_handler).get("/directory/", {"q": "Luxembourg"}).content.decode()
    assert "country=LU" in page and '<option value="LU" selected>' not in page


def test_each_selected_filter_has_a_remove_link(directory, client_for, fr_handler):
    page = client_for(fr_handler).get(
        "/directory/", {"q": "architect", "country": "IT", "legal_area": "professional_qualifications"}
    )
    html = page.content.decode()
    selected = html.split("openimi-selected-filters")[1].split("</dl>")[0]
    assert selected.count("govuk-summary-list__actions") == 2
    assert 'href="?q=architect&amp;legal_area=professional_qualifications"' in selected
    assert 'href="?q=architect&amp;country=IT"' in selected


def test_results_lean_toward_the_country_the_user_last_chose(directory, client_for, fr_handler):
    listed = Authority.objects.filter(status="active")
    everyone = set(search(listed, SearchFilters(q="arquitecto")).queryset)  # a label match only: equally good
    for preferred in ("IT", "PL"):
        ranked = list(search(listed, SearchFilters(q="arquitecto"), prefer_country=preferred).queryset)
        assert ranked[0].country_id == preferred and set(ranked) == everyone  # reordered, nothing hidden
    client = client_for(fr_handler)
    client.get("/directory/", {"q": "arquitecto", "country": "PL"})
    page = client.get("/directory/", {"q": "arquitecto"}).content.decode()
    assert page.index("Izba Architektów RP") < page.index("Ordine degli Architetti di Milano")
    assert "Polska" in page.split('aria-live="polite"')[0] or "Pologne" in page.split('aria-live="polite"')[0]
    client.get("/directory/", {"q": "arquitecto", "country": "IT"})
    page = client.get("/directory/", {"q": "arquitecto"}).content.decode()
    assert page.index("Ordine degli Architetti di Milano") < page.index("Izba Architektów RP")


def test_near_identical_names_are_told_apart_by_place_and_parent_body(directory, client_for, fr_handler):
    parent = Authority.objects.get(official_name="Coordinator IT")
    for city, street in (("Torino", "Via Roma 1"), ("Bari", "Via Sparano 2")):
        a = Authority.objects.create(
            official_name="Ordine dei Medici",
            official_language_id="it",
            country_id="IT",
            city=city,
            street_address=street,
            status="active",
            parent_coordinator=parent,
        )
        search_module.index_authority(a)
    page = client_for(fr_handler).get("/directory/", {"q": "ordine medici"}).content.decode()
    assert "Torino" in page and "Bari" in page and "Via Roma 1" in page and "Via Sparano 2" in page
    assert page.count("Coordinator IT") >= 2  # the parent body


def test_search_page_query_count(directory, client_for, fr_handler, django_assert_num_queries):
    """Before issue 13 every one of these was 27 queries; the "Send a request to this authority"
    links add one (the countries the user sends requests from)."""
    client = client_for(fr_handler)
    client.get("/directory/", {"q": "architect"})  # warm the vocabulary
    with django_assert_num_queries(28):
        client.get("/directory/", {"q": "architect"})
    filtered = {"q": "architect", "country": "IT", "legal_area": "professional_qualifications"}
    with django_assert_num_queries(31):  # + the session remembering the country (once)
        client.get("/directory/", filtered)
    with django_assert_num_queries(28):
        client.get("/directory/", filtered)
    with django_assert_num_queries(29):  # + the habit: the ids of the last chosen country's authorities
        client.get("/directory/", {"q": "architect"})
    with django_assert_num_queries(28):  # a country read from the query costs nothing more
        client.get("/directory/", {"q": "architect Italia"})
