"""Machine-translation engines behind one small interface.

An engine says which directed pairs it serves (in OpenIMI's two-letter codes) and translates
a list of texts for one pair. Every call has a bounded timeout; any failure becomes
:class:`EngineUnavailable`, which the router turns into a clear message, never a crash."""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol


class EngineUnavailable(Exception):
    """The engine did not answer (down, slow, refused, or answered nonsense)."""


class Engine(Protocol):
    """What the translation service asks of every engine (asynchronous ones also ``submit``)."""

    name: str

    def pairs(self) -> set[tuple[str, str]]: ...

    def translate(self, texts: list[str], source: str, target: str) -> list[str]: ...


def _http(
    url: str, *, data: dict | None = None, body: dict | None = None, headers: dict | None = None, timeout: float
) -> dict:
    payload, content_type = None, None
    if body is not None:
        payload, content_type = json.dumps(body).encode(), "application/json"
    elif data is not None:
        payload, content_type = urllib.parse.urlencode(data, doseq=True).encode(), "application/x-www-form-urlencoded"
    request = urllib.request.Request(url, data=payload, method="POST" if payload is not None else "GET")  # noqa: S310 - URL from settings
    if content_type:
        request.add_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError, urllib.error.URLError) as exc:
        raise EngineUnavailable(str(exc)[:200]) from exc


# Apertium names languages with ISO 639-3 codes (and variants); ours are the interface codes.
APERTIUM_CODES = {
    "en": ("eng",),
    "es": ("spa",),
    "fr": ("fra",),
    "pt": ("por",),
    "ro": ("ron",),
    "it": ("ita",),
    "hr": ("hbs_HR", "hbs"),
    "sl": ("slv",),
    "is": ("isl",),
    "sv": ("swe",),
    "da": ("dan",),
    "nb": ("nob",),
    "ca": ("cat",),  # not an interface language, but a useful pivot
}


@dataclass
class ApertiumEngine:
    """The local engine: Apertium's APy server on loopback, which keeps pipelines warm."""

    url: str
    timeout: float = 10.0
    name: str = "apertium"
    _pairs: dict = field(default_factory=dict)
    _pairs_at: float = 0.0

    def _apertium_pairs(self) -> dict[tuple[str, str], str]:
        if self._pairs and time.monotonic() - self._pairs_at < 300:
            return self._pairs
        data = _http(f"{self.url.rstrip('/')}/listPairs", timeout=self.timeout)
        offered = {(p["sourceLanguage"], p["targetLanguage"]) for p in data.get("responseData", [])}
        pairs = {}
        for source, source_codes in APERTIUM_CODES.items():
            for target, target_codes in APERTIUM_CODES.items():
                for s in source_codes:
                    for t in target_codes:
                        if source != target and (s, t) in offered and (source, target) not in pairs:
                            pairs[(source, target)] = f"{s}|{t}"
        self._pairs, self._pairs_at = pairs, time.monotonic()
        return pairs

    def pairs(self) -> set[tuple[str, str]]:
        return set(self._apertium_pairs())

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        langpair = self._apertium_pairs().get((source, target))
        if langpair is None:
            raise EngineUnavailable(f"no pair {source}-{target}")
        out = []
        for text in texts:
            data = _http(
                f"{self.url.rstrip('/')}/translate",
                data={"q": text, "langpair": langpair, "markUnknown": "no"},
                timeout=self.timeout,
            )
            if data.get("responseStatus") != 200:
                raise EngineUnavailable(str(data.get("responseDetails"))[:200])
            out.append(data["responseData"]["translatedText"])
        return out


@dataclass
class LibreTranslateEngine:
    """A LibreTranslate server (https://libretranslate.com/docs)."""

    url: str
    api_key: str = ""
    timeout: float = 10.0
    name: str = "libretranslate"

    def pairs(self) -> set[tuple[str, str]]:
        languages = _http(f"{self.url.rstrip('/')}/languages", timeout=self.timeout)
        return {
            (lang["code"], target) for lang in languages for target in lang.get("targets", []) if target != lang["code"]
        }

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        body = {"q": texts, "source": source, "target": target, "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        data = _http(f"{self.url.rstrip('/')}/translate", body=body, timeout=self.timeout)
        translated = data.get("translatedText")
        if not isinstance(translated, list) or len(translated) != len(texts):
            raise EngineUnavailable("unexpected answer")
        return translated


DEEPL_CODES = {"en": "EN-GB", "pt": "PT-PT", "nb": "NB"}


@dataclass
class DeepLEngine:
    """DeepL's API v2 (https://developers.deepl.com/docs)."""

    url: str
    auth_key: str
    timeout: float = 10.0
    name: str = "deepl"

    def _headers(self) -> dict:
        return {"Authorization": f"DeepL-Auth-Key {self.auth_key}"}

    def pairs(self) -> set[tuple[str, str]]:
        base = self.url.rstrip("/")
        sources = {
            lang["language"].lower()
            for lang in _http(f"{base}/v2/languages?type=source", headers=self._headers(), timeout=self.timeout)
        }
        targets = {
            lang["language"].lower().split("-")[0]
            for lang in _http(f"{base}/v2/languages?type=target", headers=self._headers(), timeout=self.timeout)
        }
        return {(s, t) for s in sources for t in targets if s != t}

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        body = {
            "text": texts,
            "source_lang": source.upper(),
            "target_lang": DEEPL_CODES.get(target, target.upper()),
            "preserve_formatting": True,
        }
        data = _http(f"{self.url.rstrip('/')}/v2/translate", body=body, headers=self._headers(), timeout=self.timeout)
        translations = data.get("translations")
        if not isinstance(translations, list) or len(translations) != len(texts):
            raise EngineUnavailable("unexpected answer")
        return [t["text"] for t in translations]


# eTranslation knows the EU official languages plus Icelandic and Norwegian (Bokmål).
ETRANSLATION_LANGUAGES = "bg cs da de el en es et fi fr ga hr hu is it lt lv mt nb nl pl pt ro sk sl sv".split()


@dataclass
class ETranslationEngine:
    """The European Commission's eTranslation: asynchronous. A request is submitted with
    callback addresses; the translation arrives later as a form POST to the callback
    (``request-id``, ``target-language``, ``translated-text``, ``external-reference``).
    Authentication is HTTP Digest with the application name and password."""

    url: str
    application: str
    password: str
    callback_url: str  # absolute base, e.g. https://openimi.example.eu/translation/etranslation/
    username: str = "openimi"
    domain: str = "GEN"
    timeout: float = 10.0
    name: str = "etranslation"
    asynchronous: bool = True

    def pairs(self) -> set[tuple[str, str]]:
        return {(s, t) for s in ETRANSLATION_LANGUAGES for t in ETRANSLATION_LANGUAGES if s != t}

    def translate(self, texts, source, target):  # pragma: no cover - asynchronous engines use submit()
        raise EngineUnavailable("eTranslation answers asynchronously")

    def submit(self, text: str, source: str, target: str, token: str) -> str:
        """Send one text; returns eTranslation's request id (a positive number)."""
        body = {
            "priority": 0,
            "externalReference": token,
            "callerInformation": {"application": self.application, "username": self.username},
            "textToTranslate": text,
            "sourceLanguage": source.upper(),
            "targetLanguages": [target.upper()],
            "domain": self.domain,
            "requesterCallback": f"{self.callback_url.rstrip('/')}/{token}/done",
            "errorCallback": f"{self.callback_url.rstrip('/')}/{token}/error",
        }
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, self.url, self.application, self.password)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(manager))
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), method="POST")  # noqa: S310
        request.add_header("Content-Type", "application/json")
        try:
            with opener.open(request, timeout=self.timeout) as response:
                answer = response.read().decode().strip()
        except (OSError, urllib.error.URLError) as exc:
            raise EngineUnavailable(str(exc)[:200]) from exc
        if not answer.lstrip("-").isdigit() or int(answer) < 0:
            raise EngineUnavailable(f"eTranslation refused the request ({answer[:50]})")
        return answer
