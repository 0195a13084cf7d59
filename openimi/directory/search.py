"""Directory search: any word order, accents and case ignored, typo-tolerant, prefixes as
you type, stems where Snowball has the language, and across languages through competences.

The same plain SQL (equality and IN on an indexed word column) runs on SQLite and
PostgreSQL, so both give the same results; typo and prefix expansion happen in Python against
the vocabulary of indexed words (rapidfuzz). See docs/search.md."""

import bisect
import dataclasses
import re
import threading
import unicodedata
from dataclasses import dataclass, field

import snowballstemmer
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from rapidfuzz import process
from rapidfuzz.distance import OSA

from openimi.core.models import Country, LegalArea, Region, Term
from openimi.directory.models import Authority, AuthorityArea, SearchEntry, SearchWord
from openimi.lib.bulk import insert_rows

MAX_WORDS = 8
MAX_QUERY = 200
STEMMERS = {
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hu": "hungarian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "es": "spanish",
    "sv": "swedish",
    "hr": "serbian",
}
STOP = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "der",
    "die",
    "das",
    "und",
    "of",
    "the",
    "and",
    "di",
    "del",
    "della",
    "y",
    "e",
    "et",
    "i",
    "a",
    "w",
    "z",
    "van",
    "het",
    "en",
    "og",
    "och",
    "för",
    "for",
}
WORD = re.compile(r"\w+", re.UNICODE)


def normalise(text: str) -> list[str]:
    """Lower-case words without accents (é→e, ß stays ss), control characters dropped."""
    text = unicodedata.normalize("NFKD", (text or "")[:10_000].casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return [w[:64] for w in WORD.findall(text) if w not in STOP and (len(w) > 1 or w.isdigit())]


_local = threading.local()


def _stemmer(language: str):
    """One stemmer per language and thread: Snowball's stemmers keep state while they work,
    so two threads sharing one (suggestions fetched as one types) corrupt each other's words
    (an IndexError, a 500 on /directory/suggest/)."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        name = STEMMERS.get(language)
        stemmers[language] = snowballstemmer.stemmer(name) if name else None
    return stemmers[language]


def stem(word: str, language: str | None) -> str:
    stemmer = _stemmer(language or "")
    return stemmer.stemWord(word) if stemmer and len(word) > 3 else word


def words_with_stems(text: str, language: str | None) -> set[str]:
    words = set(normalise(text))
    return words | {stem(w, language) for w in words}


# -- indexing -----------------------------------------------------------------------------


def entries_for(authority: Authority) -> list[SearchEntry]:
    rows: dict[tuple[str, str], SearchEntry] = {}

    def add(text: str, language: str | None, kind: str) -> None:
        for word in words_with_stems(text, language):
            rows.setdefault((word, kind), SearchEntry(authority_id=authority.pk, word=word, field=kind))

    add(authority.official_name, authority.official_language_id, SearchEntry.Field.NAME)
    for text in authority.texts.all():
        add(text.title, text.language_id, SearchEntry.Field.TITLE)
        add(text.description, text.language_id, SearchEntry.Field.DESCRIPTION)
    add(authority.city, None, SearchEntry.Field.PLACE)
    region = authority.region  # select_related("region__parent") when indexing in bulk; no query when unset
    if region is not None:
        add(region.name, None, SearchEntry.Field.PLACE)
        if region.parent is not None:
            add(region.parent.name, None, SearchEntry.Field.PLACE)
    return list(rows.values())


def index_authority(authority: Authority) -> None:
    """Rewrite the authority's search entries (call inside the service's transaction)."""
    SearchEntry.objects.filter(authority_id=authority.pk).delete()
    rows = entries_for(authority)
    SearchEntry.objects.bulk_create(rows)
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in {r.word for r in rows}], ignore_conflicts=True)


def reindex_all(batch: int = 2000, progress=None) -> int:
    """Rebuild the whole index (after bulk loads such as the demo generator)."""
    done = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        ids = list(Authority.objects.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(ids), batch):
            chunk = (
                Authority.objects.filter(pk__in=ids[start : start + batch])
                .select_related("region__parent")
                .prefetch_related("texts")
            )
            rows = [row for authority in chunk for row in entries_for(authority)]
            insert_rows(SearchEntry, rows)
            SearchWord.objects.bulk_create(
                [SearchWord(word=w) for w in {r.word for r in rows}], ignore_conflicts=True, batch_size=5000
            )
            done += len(chunk)
            if progress:
                progress(f"{done:,} authorities indexed")
    return done


# -- vocabulary for typo and prefix matching ------------------------------------------------


class _Vocabulary:
    """The indexed words and the words of competence labels, reloaded when words are added."""

    def __init__(self):
        self.version = None
        self.words: list[str] = []
        self.terms: dict[str, set[str]] = {}
        self.areas: dict[str, set[str]] = {}
        self.countries: dict[tuple[str, ...], set[str]] = {}
        self.places: dict[tuple[str, ...], set[str]] = {}

    def current(self) -> "_Vocabulary":
        version = (SearchWord.objects.count(), Term.objects.count())
        if version != self.version:
            terms: dict[str, set[str]] = {}
            for term in Term.objects.all():
                for language, label in term.labels.items():
                    for word in words_with_stems(label, language):
                        terms.setdefault(word, set()).add(term.code)
            areas: dict[str, set[str]] = {}
            for area in LegalArea.objects.all():
                for language, name in area.names.items():
                    for word in words_with_stems(name, language):
                        areas.setdefault(word, set()).add(area.code)
            self.terms, self.areas = terms, areas
            self.countries, self.places = _country_phrases(), _region_phrases()
            self.words = sorted(set(SearchWord.objects.values_list("word", flat=True)) | set(terms))
            self.version = version
        return self


VOCABULARY = _Vocabulary()
MAX_PHRASE = 4  # words in the longest country name looked for ("Republika Srpska" is a region)


def _country_phrases() -> dict[tuple[str, ...], set[str]]:
    """Each country's name in every interface language (CLDR), normalised as query words; a
    leading article (Irish "an", Maltese "il") is optional."""
    phrases: dict[tuple[str, ...], set[str]] = {}
    for code, names in Country.objects.filter(is_active=True).values_list("code", "names"):
        for name in names.values():
            words = tuple(normalise(name))
            if not words:
                continue
            phrases.setdefault(words, set()).add(code)
            if len(words) > 1 and len(words[0]) <= 3:
                phrases.setdefault(words[1:], set()).add(code)
    return phrases


def _region_phrases() -> dict[tuple[str, ...], set[str]]:
    """Region names (with their countries), to tell when a country's name is also a place
    elsewhere (Luxembourg is a country and a Belgian province)."""
    phrases: dict[tuple[str, ...], set[str]] = {}
    for name, country in Region.objects.values_list("name", "country_id"):
        words = tuple(normalise(name))
        if 0 < len(words) <= MAX_PHRASE:
            phrases.setdefault(words, set()).add(country)
    return phrases


@dataclass
class CountryReading:
    """What a query says about a country: ``country`` named without doubt (becomes the
    filter; ``rest`` is searched), or ``ambiguous`` countries to offer as links."""

    country: str = ""
    rest: str = ""
    phrase: str = ""
    ambiguous: list[str] = field(default_factory=list)


def read_country(q: str, vocabulary: "_Vocabulary", *, chosen: str = "") -> CountryReading:
    """Find a country named in the query ("architectes Allemagne", "Deutschland"). A name of
    several countries, or also of a region elsewhere, stays a word and is offered instead.
    With a country already ``chosen``, only that country's name is taken out of the query."""
    tokens: list[tuple[int, int, str]] = []
    for m in WORD.finditer(q):
        words = normalise(m.group())
        if words:
            tokens.append((m.start(), m.end(), words[0]))
    for size in range(min(MAX_PHRASE, len(tokens)), 0, -1):
        for i in range(len(tokens) - size + 1):
            phrase = tuple(word for _s, _e, word in tokens[i : i + size])
            codes = vocabulary.countries.get(phrase)
            if not codes:
                continue
            start, end = tokens[i][0], tokens[i + size - 1][1]
            typed = q[start:end]
            elsewhere = vocabulary.places.get(phrase, set()) - codes
            if chosen and chosen in codes:
                return CountryReading(country=chosen, rest=_without(q, start, end), phrase=typed)
            if chosen:
                continue
            if len(codes) > 1 or elsewhere:
                return CountryReading(rest=q, phrase=typed, ambiguous=sorted(codes))
            return CountryReading(country=next(iter(codes)), rest=_without(q, start, end), phrase=typed)
    return CountryReading(country=chosen, rest=q)


def _without(q: str, start: int, end: int) -> str:
    return " ".join(f"{q[:start]} {q[end:]}".split()).strip(" ,;-")


def expand(
    word: str, language: str | None, vocabulary: _Vocabulary, *, typos: bool = True
) -> tuple[set[str], set[str]]:
    """(exact forms, near forms) of a query word: itself and its stem; then prefixes as you
    type and words one or two edits away (typos)."""
    exact = {word, stem(word, language)}
    near: set[str] = set()
    if len(word) >= 3:
        start = bisect.bisect_left(vocabulary.words, word)
        for candidate in vocabulary.words[start : start + 50]:
            if not candidate.startswith(word):
                break
            near.add(candidate)
    if typos and len(word) >= 4:
        limit = 1 if len(word) < 8 else 2
        for candidate, _score, _i in process.extract(
            word, vocabulary.words, scorer=OSA.distance, score_cutoff=limit, limit=15
        ):
            near.add(candidate)
    return exact, near - exact


# -- querying -------------------------------------------------------------------------------


@dataclass
class SearchFilters:
    q: str = ""
    country: str = ""
    region: str = ""
    legal_area: str = ""
    competence: str = ""
    kind: str = ""
    status: str = ""

    def __post_init__(self):
        for name in ("q", "country", "region", "legal_area", "competence", "kind", "status"):
            value = "".join(c if c.isprintable() else " " for c in str(getattr(self, name) or ""))
            setattr(self, name, value.strip()[: MAX_QUERY if name == "q" else 64])


@dataclass
class SearchResult:
    queryset: QuerySet
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    country: CountryReading | None = None  # with ``read_country``: what the query said about a country


WEIGHTS = {
    "competence": 6,
    "name": 5,
    "title": 4,
    "place": 3,
    "description": 1,
    "near": 3,
    "competence_near": 1,
    "area": 1,
}


def _filtered_base(base: QuerySet, filters: SearchFilters) -> QuerySet:
    if filters.country:
        base = base.filter(country_id=filters.country.upper())
    if filters.region:
        base = base.filter(Q(region_id=filters.region) | Q(region__parent_id=filters.region))
    if filters.legal_area:
        base = base.filter(pk__in=AuthorityArea.objects.filter(legal_area_id=filters.legal_area).values("authority_id"))
    if filters.competence:
        base = base.filter(
            pk__in=Authority.competences.through.objects.filter(term_id=filters.competence).values("authority_id")
        )
    if filters.kind:
        base = base.filter(kind=filters.kind)
    return base


MAX_CANDIDATES = 5_000  # a vaguer query is cut to its best-scored 5,000 authorities
RANKED = 500  # how many of the best are ordered by score; the rest follow by name


@dataclass
class _Word:
    exact: set[str]
    near: set[str]
    terms_exact: set[str]
    terms_near: set[str]
    areas: set[str]

    @property
    def broad(self) -> bool:
        """Competences and legal areas match thousands of authorities; names and places few."""
        return bool(self.terms_exact or self.terms_near or self.areas)


def _plan(word: str, language: str | None, vocabulary: "_Vocabulary", *, typing: bool = False) -> _Word:
    """``typing``: the word is still being typed (autocomplete): prefixes, no typo guesses,
    and competences only by whole words, which keeps suggestions fast."""
    exact, near = expand(word, language, vocabulary, typos=not typing)
    terms_exact = set().union(*(vocabulary.terms.get(w, set()) for w in exact))
    terms_near = set() if typing else set().union(*(vocabulary.terms.get(w, set()) for w in near)) - terms_exact
    areas = set().union(*(vocabulary.areas.get(w, set()) for w in exact))
    return _Word(exact, near, terms_exact, terms_near, areas)


def _word_scores(plan: _Word, within: set[int] | None) -> dict[int, int]:
    """Authority id -> score for one query word; ``within`` restricts the lookups to the
    candidates left by the words already matched (much cheaper for broad words)."""

    def restrict(qs):
        return qs.filter(authority_id__in=within) if within is not None else qs

    kinds: dict[int, set[str]] = {}
    for authority_id, matched, kind in restrict(
        SearchEntry.objects.filter(word__in=plan.exact | plan.near)
    ).values_list("authority_id", "word", "field"):
        kinds.setdefault(authority_id, set()).add(kind if matched in plan.exact else "near")
    through = Authority.competences.through
    for terms, kind in ((plan.terms_exact, "competence"), (plan.terms_near, "competence_near")):
        if terms:
            for authority_id in restrict(through.objects.filter(term_id__in=terms)).values_list(
                "authority_id", flat=True
            ):
                kinds.setdefault(authority_id, set()).add(kind)
    if plan.areas:
        for authority_id in restrict(AuthorityArea.objects.filter(legal_area_id__in=plan.areas)).values_list(
            "authority_id", flat=True
        ):
            kinds.setdefault(authority_id, set()).add("area")
    return {authority_id: sum(WEIGHTS[k] for k in found) for authority_id, found in kinds.items()}


RESTRICT_BELOW = 5000  # look broad words up only among this many candidates or fewer


def search(
    base: QuerySet,
    filters: SearchFilters,
    *,
    language: str | None = None,
    autocomplete: bool = False,
    read_countries: bool = False,
    prefer_country: str = "",
) -> SearchResult:
    """Rank ``base`` (already limited to what the user may see) by how well each authority
    matches every word of the query. Every word must match something.

    ``read_countries``: a country named in the query becomes the country filter (see
    :func:`read_country`). ``prefer_country``: among equally good matches, that country's
    authorities come first (the user's habit; it never hides anything).

    Candidates and scores are computed from the word index with plain indexed lookups, then
    the database applies the filters and what the user may see, and orders the best first."""
    reading, vocabulary = None, None
    if read_countries and normalise(filters.q):
        vocabulary = VOCABULARY.current()
        reading = read_country(filters.q, vocabulary, chosen=filters.country.upper())
        if reading.country:
            filters = dataclasses.replace(filters, q=reading.rest, country=reading.country)
    qs = _filtered_base(base, filters)
    home: list = []
    if prefer_country and not filters.country:
        home = [
            Case(When(country_id=prefer_country, then=Value(1)), default=Value(0), output_field=IntegerField()).desc()
        ]
    words = normalise(filters.q)[:MAX_WORDS]
    if not words:
        return SearchResult(qs.order_by(*home, "official_name", "pk"), words=[], country=reading)
    vocabulary = vocabulary or VOCABULARY.current()
    # Narrow words (names, places) first, so broad ones (competences) are looked up only
    # among the candidates that are left.
    last = len(words) - 1
    plans = sorted(
        (_plan(word, language, vocabulary, typing=autocomplete and i == last) for i, word in enumerate(words)),
        key=lambda p: p.broad,
    )
    scores: dict[int, int] | None = None
    for plan in plans:
        within = set(scores) if scores is not None and len(scores) <= RESTRICT_BELOW else None
        word_scores = _word_scores(plan, within)
        if scores is None:
            scores = word_scores
        else:
            scores = {pk: score + word_scores[pk] for pk, score in scores.items() if pk in word_scores}
        if not scores:
            break
    found = scores or {}
    if home and found:
        # Equally good matches: the preferred country's first (one indexed lookup by country).
        local = set(Authority.objects.filter(country_id=prefer_country).values_list("pk", flat=True))
        best = sorted(found, key=lambda pk: (-found[pk], pk not in local))[:MAX_CANDIDATES]
    else:
        best = sorted(found, key=lambda pk: -found[pk])[:MAX_CANDIDATES]
    ranked_ids = best[:RANKED]
    rank = Case(
        *[When(pk=pk, then=Value(RANKED - i)) for i, pk in enumerate(ranked_ids)],
        default=Value(0),
        output_field=IntegerField(),
    )
    ranked = qs.filter(pk__in=best).annotate(score=rank).order_by("-score", *home, "official_name", "pk")
    return SearchResult(ranked, words=words, country=reading)


def facets(qs: QuerySet, *, limit: int = 30) -> dict[str, list[tuple[str, int]]]:
    """Counts per country, legal area, type, region and competence of the matching set."""
    ids = qs.order_by().values("pk")
    grouped = Authority.objects.filter(pk__in=ids).order_by()
    return {
        "country": list(grouped.values_list("country_id").annotate(n=Count("pk")).order_by("-n")[:limit]),
        "kind": list(grouped.values_list("kind").annotate(n=Count("pk")).order_by("-n")[:limit]),
        "region": list(
            grouped.exclude(region__isnull=True).values_list("region_id").annotate(n=Count("pk")).order_by("-n")[:limit]
        ),
        "legal_area": list(
            AuthorityArea.objects.filter(authority_id__in=ids)
            .values_list("legal_area_id")
            .annotate(n=Count("pk"))
            .order_by("-n")[:limit]
        ),
        "competence": list(
            Authority.competences.through.objects.filter(authority_id__in=ids)
            .values_list("term_id")
            .annotate(n=Count("pk"))
            .order_by("-n")[:limit]
        ),
    }
