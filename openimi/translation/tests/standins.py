"""Local stand-ins that speak the published protocols of LibreTranslate and DeepL on
loopback, so the engines are tested over real HTTP. They "translate" by tagging the text with
the target language, and record what they received so tests can check the requests."""

import hashlib
import json
import re
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    server_version = "standin"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _json(self, status: int, body) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")


class LibreTranslateHandler(_Handler):
    def do_GET(self):
        if self.path.startswith("/languages"):
            return self._json(
                200,
                [
                    {"code": "de", "name": "German", "targets": ["en", "pl"]},
                    {"code": "pl", "name": "Polish", "targets": ["de"]},
                    {"code": "en", "name": "English", "targets": ["de"]},
                ],
            )
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        body = self._body()
        self.server.received.append(body)
        if self.path != "/translate" or (self.server.api_key and body.get("api_key") != self.server.api_key):
            return self._json(403, {"error": "Invalid API key"})
        texts = body["q"] if isinstance(body["q"], list) else [body["q"]]
        translated = [f"[{body['target']}] {t}" for t in texts]
        return self._json(200, {"translatedText": translated if isinstance(body["q"], list) else translated[0]})


class DeepLHandler(_Handler):
    def _authorised(self) -> bool:
        return self.headers.get("Authorization") == f"DeepL-Auth-Key {self.server.api_key}"

    def do_GET(self):
        if not self._authorised():
            return self._json(403, {"message": "Wrong auth key"})
        if self.path.startswith("/v2/languages?type=source"):
            return self._json(200, [{"language": "DE", "name": "German"}, {"language": "ET", "name": "Estonian"}])
        if self.path.startswith("/v2/languages?type=target"):
            return self._json(
                200,
                [
                    {"language": "EN-GB", "name": "English (British)"},
                    {"language": "ET", "name": "Estonian"},
                    {"language": "DE", "name": "German"},
                ],
            )
        return self._json(404, {"message": "not found"})

    def do_POST(self):
        body = self._body()
        self.server.received.append(body)
        if not self._authorised():
            return self._json(403, {"message": "Wrong auth key"})
        return self._json(
            200,
            {
                "translations": [
                    {"detected_source_language": body.get("source_lang", "DE"), "text": f"[{body['target_lang']}] {t}"}
                    for t in body["text"]
                ]
            },
        )


class StandIn:
    def __init__(self, handler, api_key: str = ""):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.received = []
        self.server.callbacks = []
        self.server.api_key = api_key
        self.server.application = "openimi-test"
        self.server.auto_callback = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def received(self) -> list:
        return self.server.received

    @property
    def callbacks(self) -> list:
        return self.server.callbacks

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class ETranslationHandler(_Handler):
    """eTranslation's REST entry point: HTTP Digest authentication, a JSON request, a request
    id as the answer, then the translation POSTed (form-encoded) to the requester's callback."""

    realm = "eTranslation"
    nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]+)"?', header))
        md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731, S324 - the protocol's own hash
        ha1 = md5(f"{self.server.application}:{self.realm}:{self.server.api_key}")
        ha2 = md5(f"POST:{fields.get('uri', '')}")
        expected = md5(
            f"{ha1}:{fields.get('nonce')}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}"
        )
        return fields.get("username") == self.server.application and fields.get("response") == expected

    def do_POST(self):
        body = self._body()
        if not self._authorised():
            self.send_response(401)
            self.send_header("WWW-Authenticate", f'Digest realm="{self.realm}", nonce="{self.nonce}", qop="auth"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.server.received.append(body)
        request_id = str(1000 + len(self.server.received))
        data = request_id.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if self.server.auto_callback:
            threading.Thread(target=self._call_back, args=(body, request_id), daemon=True).start()

    def _call_back(self, body: dict, request_id: str) -> None:
        form = urllib.parse.urlencode(
            {
                "request-id": request_id,
                "target-language": body["targetLanguages"][0],
                "translated-text": f"[{body['targetLanguages'][0]}] {body['textToTranslate']}",
                "external-reference": body["externalReference"],
            }
        ).encode()
        try:
            urllib.request.urlopen(body["requesterCallback"], data=form, timeout=10)  # noqa: S310 - test server
            self.server.callbacks.append("ok")
        except OSError as exc:
            self.server.callbacks.append(str(exc))
