"""Machine translation of free text: pick the best configured engine for a pair, or a chain
through pivot languages; cache the result; never fail a page (errors come back as a message).
"""

import hashlib
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from openimi.core.i18n import pick
from openimi.core.models import Language
from openimi.translation.detection import detect_language
from openimi.translation.engines import Engine, EngineUnavailable
from openimi.translation.models import CachedTranslation, PendingTranslation

MAX_CHARS = 50_000
MAX_STEPS = 3  # a direct pair, or a chain through at most two pivot languages
# Pivots tried first: the languages with the most (and best) pairs.
PIVOT_PREFERENCE = ["es", "en", "fr", "ca", "sv", "it", "pt"]
# Never sent to an engine: addresses, links and reference numbers must come back unchanged.
PROTECTED = re.compile(
    r"(https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\b[A-Z]{2}-\d{4}-\d{4,}\b|\b[A-Z]{2,}[-/]?\d[\w/-]*)"
)


@dataclass
class Translation:
    source: str
    target: str
    text: str | None = None
    route: list[tuple[str, str, str]] = field(default_factory=list)  # (engine, from, to)
    cached: bool = False
    error: str = ""
    pending: bool = False  # asked of an asynchronous engine; the answer arrives by callback

    @property
    def ok(self) -> bool:
        return self.text is not None

    @property
    def engines(self) -> list[str]:
        return list(dict.fromkeys(step[0] for step in self.route))

    @property
    def languages(self) -> list[str]:
        return [self.route[0][1], *(step[2] for step in self.route)] if self.route else [self.source, self.target]


def configured_engines() -> list[Engine]:
    """Engines in the operator's order of preference (settings.TRANSLATION_ENGINES)."""
    engines: list[Engine] = []
    for spec in settings.TRANSLATION_ENGINES:
        options = {k: v for k, v in spec.items() if k != "class"}
        engines.append(import_string(spec["class"])(**options))
    return engines


PAIRS_TTL = 300.0  # seconds an engine's list of pairs is trusted
PAIRS_DOWN_TTL = 30.0  # ... and how soon an engine that did not answer is asked again
_pairs_lock = threading.Lock()
_pairs_cache: dict[str, tuple[float, list[Engine], dict[tuple[str, str], Engine], bool]] = {}


def configured_pairs() -> tuple[list[Engine], dict[tuple[str, str], Engine], bool]:
    """The configured engines, the pairs they serve and whether any engine failed to answer,
    kept per process for a few minutes: pages ask this for every text they show, and must not
    call the engines each time (an engine that is down is asked again sooner)."""
    key = repr(settings.TRANSLATION_ENGINES)
    now = time.monotonic()
    with _pairs_lock:
        hit = _pairs_cache.get(key)
        if hit is not None and now < hit[0]:
            return hit[1], hit[2], hit[3]
    engines = configured_engines()
    pairs: dict[tuple[str, str], Engine] = {}
    down = False
    for engine in engines:
        try:
            served = engine.pairs()
        except EngineUnavailable:
            down = True
            continue
        for pair in served:
            pairs.setdefault(pair, engine)
    with _pairs_lock:
        _pairs_cache.clear()  # one configuration at a time (tests change it)
        _pairs_cache[key] = (now + (PAIRS_DOWN_TTL if down else PAIRS_TTL), engines, pairs, down)
    return engines, pairs, down


@dataclass
class Offer:
    """Whether "Show in my language" can be offered for one pair, and if not, why."""

    ok: bool
    reason: str = ""
    hint: str = ""


def _language_label(code: str) -> str:
    """A language's name in the reader's language, from CLDR (which the languages' stored
    names come from): explaining a missing pair costs no query."""
    try:
        return Locale.parse((get_language() or "en").replace("-", "_")).languages.get(code) or code
    except (ValueError, UnknownLocaleError):
        return code


def translation_offers(sources: Iterable[str], target: str) -> dict[str, Offer]:
    """For each source language, whether a configured engine (or a chain of them) can
    translate into ``target``, from the cached pair lists: no engine is called per page."""
    languages = dict(settings.LANGUAGES)
    sources = {s for s in sources if s and s != target and s in languages}
    if not sources or target not in languages:
        return {}
    _engines, pairs, down = configured_pairs()
    offers = {s: Offer(ok=True) for s in sources if find_route(s, target, pairs) is not None}
    missing = sources - set(offers)
    if missing:
        hint = _("Your operator can add this pair by configuring DeepL, eTranslation or LibreTranslate.")
        for source in missing:
            if down and not pairs:
                reason = _("The machine translation service is not available at the moment. Try again later.")
                offers[source] = Offer(ok=False, reason=reason)
                continue
            reason = _("No machine translation is available from %(source)s to %(target)s.") % {
                "source": _language_label(source),
                "target": _language_label(target),
            }
            offers[source] = Offer(ok=False, reason=reason, hint=hint)
    return offers


def available_pairs(engines: Iterable[Engine]) -> dict[tuple[str, str], Engine]:
    """Each directed pair and the first engine (in order of preference) that serves it."""
    pairs: dict[tuple[str, str], Engine] = {}
    for engine in engines:
        try:
            served = engine.pairs()
        except EngineUnavailable:
            continue
        for pair in served:
            pairs.setdefault(pair, engine)
    return pairs


def find_route(source: str, target: str, pairs: dict[tuple[str, str], Engine]) -> list[tuple[Engine, str, str]] | None:
    """The shortest chain of pairs from ``source`` to ``target`` (breadth first)."""
    if source == target:
        return []
    graph: dict[str, list[str]] = {}
    for s, t in pairs:
        graph.setdefault(s, []).append(t)
    queue: deque[tuple[str, list[tuple[Engine, str, str]]]] = deque([(source, [])])
    seen = {source}
    while queue:
        language, path = queue.popleft()
        if len(path) >= MAX_STEPS:
            continue
        for nxt in sorted(graph.get(language, []), key=_preference):
            if nxt in seen:
                continue
            step = path + [(pairs[(language, nxt)], language, nxt)]
            if nxt == target:
                return step
            seen.add(nxt)
            queue.append((nxt, step))
    return None


def _preference(language: str) -> tuple[int, str]:
    rank = PIVOT_PREFERENCE.index(language) if language in PIVOT_PREFERENCE else len(PIVOT_PREFERENCE)
    return rank, language


def _translate_keeping_tokens(engine: Engine, text: str, source: str, target: str) -> str:
    """Translate the prose between protected tokens, and keep the spaces around each piece."""
    pieces = PROTECTED.split(text)
    prose = [(i, piece) for i, piece in enumerate(pieces) if i % 2 == 0 and piece.strip()]
    translated = engine.translate([piece.strip() for _i, piece in prose], source, target) if prose else []
    for (i, piece), new in zip(prose, translated, strict=True):
        lead, trail = piece[: len(piece) - len(piece.lstrip())], piece[len(piece.rstrip()) :]
        pieces[i] = f"{lead}{new}{trail}"
    return "".join(pieces)


def _clean(text: str) -> str:
    """Drop control characters other than line breaks and tabs (engines choke on them)."""
    return "".join(c for c in text if c in "\n\t" or c.isprintable())


def _key(source: str, target: str, text: str, scope: int | None) -> str:
    # The exchange is part of the key: a text typed into one exchange never finds another
    # exchange's translation, so "cached" cannot confirm what someone else wrote.
    return hashlib.sha256(f"{scope or ''}\x1f{source}\x1f{target}\x1f{text}".encode()).hexdigest()


def language_name(code: str) -> str:
    language = Language.objects.filter(code=code).first()
    return pick(language.names) if language else code


def translate(text: str, source: str | None, target: str, *, request=None, engines=None) -> Translation:
    """Translate ``text`` into ``target``. Never raises for bad input or broken engines.

    ``request`` is the exchange the text belongs to: its translations are cached for that
    exchange only and deleted with its personal data (the caller must have checked that the
    reader may see the text)."""
    languages = dict(settings.LANGUAGES)
    text = _clean(text or "")
    if target not in languages:
        return Translation(source or "", target, error=_("Unknown target language."))
    if source not in languages:
        source = detect_language(text) or ""
    result = Translation(source, target)
    if not text.strip():
        result.error = _("There is no text to translate.")
    elif len(text) > MAX_CHARS:
        result.error = _("This text is too long to be translated automatically.")
    elif not source:
        result.error = _("The language of this text could not be recognised.")
    elif source == target:
        result.text = text
    if result.error or result.text is not None:
        return result
    scope = request.pk if request is not None else None
    key = _key(source, target, text, scope)
    hit = CachedTranslation.objects.filter(key=key).first()
    if hit is not None:
        CachedTranslation.objects.filter(pk=hit.pk).update(hits=F("hits") + 1)
        return Translation(source, target, hit.translated, [tuple(step) for step in hit.route], cached=True)
    if engines is None:
        _engines, pairs, _down = configured_pairs()
    else:
        pairs = available_pairs(engines)
    route = find_route(source, target, pairs)
    if route and getattr(route[0][0], "asynchronous", False):
        return _submit_async(route[0][0], text, source, target, key, result, scope)
    if route is None:
        result.error = _("No machine translation is available from %(source)s to %(target)s.") % {
            "source": language_name(source),
            "target": language_name(target),
        }
        return result
    current = text
    try:
        for engine, step_source, step_target in route:
            current = _translate_keeping_tokens(engine, current, step_source, step_target)
    except EngineUnavailable:
        result.error = _("The machine translation service is not available at the moment. Try again later.")
        return result
    result.text, result.route = current, [(engine.name, s, t) for engine, s, t in route]
    try:
        CachedTranslation.objects.create(
            key=key,
            request_id=scope,
            source_language=source,
            target_language=target,
            translated=current,
            route=[list(step) for step in result.route],
        )
    except IntegrityError:
        pass  # another request cached the same text meanwhile
    return result


def _submit_async(
    engine, text: str, source: str, target: str, key: str, result: Translation, scope: int | None
) -> Translation:
    """Ask an asynchronous engine once per text and pair; later calls see it pending until
    the callback stores the answer in the cache."""
    pending = PendingTranslation.objects.filter(key=key).first()
    fresh = pending is not None and pending.created_at > timezone.now() - timedelta(minutes=15)
    if fresh and pending is not None and not pending.error:
        result.pending, result.error = True, _("The translation has been requested and will appear here shortly.")
        return result
    if pending is not None:
        pending.delete()
    token = secrets.token_urlsafe(24)
    try:
        request_id = engine.submit(text, source, target, token)
    except EngineUnavailable:
        result.error = _("The machine translation service is not available at the moment. Try again later.")
        return result
    PendingTranslation.objects.create(
        key=key,
        request_id=scope,
        token=token,
        source_language=source,
        target_language=target,
        engine=engine.name,
        engine_request_id=request_id,
    )
    result.pending, result.error = True, _("The translation has been requested and will appear here shortly.")
    return result


def callback_store(*, token: str, translated: str | None, error: str = "") -> bool:
    """Store what an asynchronous engine sent back for ``token``; False for an unknown token
    (or one already answered: the engine may call back twice, or error and done may race)."""
    pending = PendingTranslation.objects.filter(token=token).first()
    if pending is None:
        return False
    if translated is None:
        return PendingTranslation.objects.filter(pk=pending.pk).update(error=(error or "error")[:300]) > 0
    try:
        CachedTranslation.objects.create(
            key=pending.key,
            request_id=pending.request_id,
            source_language=pending.source_language,
            target_language=pending.target_language,
            translated=_clean(translated),
            route=[[pending.engine, pending.source_language, pending.target_language]],
        )
    except IntegrityError:
        pass
    PendingTranslation.objects.filter(pk=pending.pk).delete()
    return True
