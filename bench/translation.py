"""Machine translation through OpenIMI against Apertium itself, in the same run:

- throughput in words per second: OpenIMI's service (router, token protection, APy over
  HTTP, cache bypassed) versus the Apertium pipeline called directly (`apertium -u spa-eng`
  on the same text), and the overhead ratio;
- latency of translating a 200-word message, cold (not cached) and cached;
- coverage: which of the 26x25 directed pairs are served directly, through pivots, or not at all.

Needs apertium-apy (bin/ensure-apertium).   .venv/bin/python bench/translation.py [--rounds R]
"""

import argparse
import shutil
import socket
import statistics
import subprocess
import time
import urllib.request

from _setup import django_with_fresh_database

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=20)
args = parser.parse_args()
if not shutil.which("apertium-apy"):
    raise SystemExit("apertium-apy is not installed: run bin/ensure-apertium")
django_with_fresh_database()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from openimi.translation.models import CachedTranslation  # noqa: E402
from openimi.translation.services import available_pairs, configured_engines, find_route, translate  # noqa: E402

call_command("migrate", verbosity=0)
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
apy = subprocess.Popen(
    ["apertium-apy", "-p", str(port), "/usr/share/apertium/modes"],  # noqa: S603, S607
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
url = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        urllib.request.urlopen(url + "/listPairs", timeout=1)  # noqa: S310 - loopback
        break
    except OSError:
        time.sleep(0.1)
settings.TRANSLATION_ENGINES = [{"class": "openimi.translation.engines.ApertiumEngine", "url": url, "timeout": 30}]

SENTENCES = [
    "La autoridad competente ha verificado el registro del prestador de servicios.",
    "Le rogamos que confirme si el profesional está inscrito en el colegio desde 2015.",
    "El certificado fue expedido el 12 de marzo y sigue siendo válido.",
    "No se han impuesto sanciones disciplinarias ni penales relacionadas con la actividad.",
    "Adjuntamos una copia del diploma y del seguro de responsabilidad profesional.",
]
words_200 = []
while len(words_200) < 200:
    for sentence in SENTENCES:
        words_200 += sentence.split()
text_200 = " ".join(words_200[:200])
big = "\n".join([text_200] * 10)  # ~2,000 words for throughput
big_words = len(big.split())

try:
    # Warm both paths once (APy starts its pipeline on first use).
    translate(text_200, "es", "en")
    CachedTranslation.objects.all().delete()
    subprocess.run(["apertium", "-u", "spa-eng"], input=text_200, text=True, capture_output=True, check=True)  # noqa: S603, S607

    direct, service = [], []
    for i in range(args.rounds):
        variant = f"{big} {i}"
        start = time.perf_counter()
        subprocess.run(["apertium", "-u", "spa-eng"], input=variant, text=True, capture_output=True, check=True)  # noqa: S603, S607
        direct.append(big_words / (time.perf_counter() - start))
        start = time.perf_counter()
        result = translate(variant, "es", "en")
        service.append(big_words / (time.perf_counter() - start))
        if not result.ok:
            raise SystemExit(result.error)
    print(f"Throughput over {args.rounds} rounds of {big_words:,} words (es→en):")
    print(f"  apertium pipeline directly   median {statistics.median(direct):8.0f} words/s")
    print(f"  OpenIMI translation service  median {statistics.median(service):8.0f} words/s")
    print(f"  overhead ratio (direct / service) {statistics.median(direct) / statistics.median(service):.2f}")

    cold, cached = [], []
    for i in range(args.rounds):
        variant = f"{text_200} ({i})"
        start = time.perf_counter()
        translate(variant, "es", "en")
        cold.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        hit = translate(variant, "es", "en")
        cached.append((time.perf_counter() - start) * 1000)
        assert hit.cached  # noqa: S101
    print("200-word message es→en:")
    print(f"  cold    median {statistics.median(cold):7.1f} ms   max {max(cold):7.1f} ms")
    print(f"  cached  median {statistics.median(cached):7.2f} ms   max {max(cached):7.2f} ms")

    languages = [code for code, _name in settings.LANGUAGES]
    pairs = available_pairs(configured_engines())
    table = {}
    for source in languages:
        for target in languages:
            if source != target:
                route = find_route(source, target, pairs)
                table[(source, target)] = "-" if route is None else str(len(route) - 1)
    counts = {k: sum(1 for v in table.values() if v == k) for k in ("0", "1", "2", "-")}
    print(
        f"Coverage of the {len(table)} directed pairs with the engines installed: {counts['0']} direct, "
        f"{counts['1']} through one pivot, {counts['2']} through two pivots, {counts['-']} not served."
    )
    print("Rows: source; columns: target; 0 = direct, 1/2 = pivots, - = none.")
    print("     " + " ".join(f"{t:>2}" for t in languages))
    for source in languages:
        print(f"  {source} " + " ".join(f"{(table.get((source, t), ' ')):>2}" for t in languages))
finally:
    apy.terminate()
