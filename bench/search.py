"""Search quality and speed over the demo data.

Relevance: a labelled set of queries built from the demo data without reusing the generated
official names: competence labels in a language other than the authority's own, city and
region names, typos, shuffled word order, accents and case dropped. Each query's relevant set
is every listed authority that has the competence in that place. Scored as recall@10 and mean
reciprocal rank.

Speed: median and 95th percentile of a search (count + first page) and of autocomplete, as a
ratio to a primary-key lookup measured in the same run.

    .venv/bin/python bench/search.py [--authorities N] [--postgres URL] [--queries 240] [--skip-relevance]
        [--read-countries]
"""

import argparse
import random
import statistics
import time
import unicodedata

from _setup import django_with_fresh_database, reset_postgres_database

parser = argparse.ArgumentParser()
parser.add_argument("--authorities", type=int, default=12_600)
parser.add_argument("--postgres")
parser.add_argument("--queries", type=int, default=240)
parser.add_argument("--skip-relevance", action="store_true")
parser.add_argument(
    "--read-countries", action="store_true", help="as the search page does: a country named in the query filters"
)
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--existing", help="database URL already holding the demo data (skips generation)")
args = parser.parse_args()
if args.postgres and not args.existing:
    reset_postgres_database(args.postgres)
url = django_with_fresh_database(args.existing or args.postgres)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from openimi.directory.models import Authority  # noqa: E402
from openimi.directory.search import SearchFilters, search  # noqa: E402

call_command("migrate", verbosity=0)
started = time.monotonic()
if not args.existing:
    call_command(
        "generate_demo_data", authorities=args.authorities, requests=0, verbosity=0, stdout=open("/dev/null", "w")
    )  # noqa: SIM115
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
rng = random.Random(args.seed)
print(f"{Authority.objects.count():,} authorities on {connection.vendor} (set-up {time.monotonic() - started:.0f} s)")

LANGUAGES = "bg cs da de el en es et fi fr ga hr hu is it lt lv mt nb nl pl pt ro sk sl sv".split()


def typo(word: str) -> str:
    if len(word) < 6:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def build_queries(n: int) -> list[tuple[str, str, set[int]]]:
    """(query, searcher's language, relevant ids)."""
    through = Authority.competences.through
    rows = list(
        through.objects.filter(authority__status="active").values_list(
            "authority_id",
            "term_id",
            "term__labels",
            "authority__city",
            "authority__region__name",
            "authority__official_language_id",
        )
    )
    by_key: dict[tuple[str, str], set[int]] = {}
    by_region: dict[tuple[str, str], set[int]] = {}
    for authority_id, term, _labels, city, region, _lang in rows:
        by_key.setdefault((term, city), set()).add(authority_id)
        if region:
            by_region.setdefault((term, region), set()).add(authority_id)
    queries = []
    kinds = ["label+city", "shuffled", "typo", "region", "plain"]
    while len(queries) < n:
        authority_id, term, labels, city, region, own = rng.choice(rows)
        language = rng.choice([lang for lang in LANGUAGES if lang != own and labels.get(lang)])
        label = labels[language]
        kind = kinds[len(queries) % len(kinds)]
        if kind == "region" and region:
            queries.append((f"{label} {region}", language, by_region[(term, region)]))
            continue
        words = f"{label} {city}".split()
        if kind == "shuffled":
            rng.shuffle(words)
        elif kind == "typo":
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = typo(words[longest])
        elif kind == "plain":
            words = [plain(w) for w in words]
        queries.append((" ".join(words), language, by_key[(term, city)]))
    return queries


queries = build_queries(args.queries)
base = Authority.objects.filter(status="active")

if not args.skip_relevance:
    recalls, reciprocal = [], []
    per_kind: dict[int, list[float]] = {}
    for i, (q, language, relevant) in enumerate(queries):
        top = list(
            search(
                base, SearchFilters(q=q), language=language, read_countries=args.read_countries
            ).queryset.values_list("pk", flat=True)[:10]
        )
        hits = [rank for rank, pk in enumerate(top, start=1) if pk in relevant]
        recalls.append(len(hits) / min(len(relevant), 10))
        reciprocal.append(1 / hits[0] if hits else 0.0)
        per_kind.setdefault(i % 5, []).append(recalls[-1])
    print(
        f"Relevance over {len(queries)} queries (competence labels in another language, places, typos, "
        "shuffled, unaccented):"
    )
    print(f"  recall@10 {statistics.mean(recalls):.3f}   MRR {statistics.mean(reciprocal):.3f}")
    names = ["label+city", "shuffled", "typo", "region+label", "unaccented"]
    by_kind = ", ".join(f"{names[k]} {statistics.mean(v):.2f}" for k, v in sorted(per_kind.items()))
    print(f"  recall@10 by kind: {by_kind}")
    print("  examples: " + " | ".join(q for q, _l, _r in queries[:5]))

ids = list(base.values_list("pk", flat=True)[:1000])


def measure(fn, rounds=60):
    for i in range(5):
        fn(i)
    samples = []
    for i in range(rounds):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def run_search(i):
    q, language, _relevant = queries[i % len(queries)]
    result = search(base, SearchFilters(q=q), language=language, read_countries=args.read_countries).queryset
    result.count()
    list(result[:25])


def run_suggest(i):
    q, language, _relevant = queries[i % len(queries)]
    typed = q[: max(3, len(q) // 2)]
    found = search(base, SearchFilters(q=typed), language=language, autocomplete=True).queryset
    list(found.values_list("official_name", flat=True)[:8])


baseline, _p = measure(lambda i: Authority.objects.get(pk=ids[i % len(ids)]))
print(f"Latency on {connection.vendor} with {Authority.objects.count():,} authorities:")
print(f"  pk lookup      median {baseline:7.2f} ms")
for name, fn in (("search", run_search), ("autocomplete", run_suggest)):
    median, p95 = measure(fn)
    ratios = f"x{median / baseline:6.1f} / x{p95 / baseline:6.1f}"
    print(f"  {name:14s} median {median:7.2f} ms  p95 {p95:7.2f} ms   {ratios} of pk lookup (median / p95)")
