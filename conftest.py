"""Shared personas and real local services for the whole suite.

Personas (healthchecks' alice/bob, zulip's hamlet):
- ``fr_coordinator``: local administrator of France's national coordinator
- ``fr_admin``/``fr_handler``: local administrator / request handler of a French authority
- ``de_admin``/``de_handler``: the same for a German authority
- ``outsider``: signed-in, member of nothing
- ``operator``: runs the installation (OpenIMI's operator pages, not the admin), sees no personal data
"""

import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from email import message_from_bytes, policy
from importlib import import_module
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.core.models import Country
from openimi.exchanges.scanning import ClamdScanner
from openimi.questionnaires.models import Phrasebook, QuestionSet
from openimi.tests.factories import AuthorityFactory, UserFactory, coordinator, member

PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only credential


class _Sink:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def pytest_configure(config):
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite test database lives there


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, sink
    controller.stop()


class Mailbox:
    """Mails delivered over real SMTP to the local test server."""

    def __init__(self, sink):
        self.sink = sink
        sink.messages.clear()

    def wait(self, count: int = 1, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.sink.messages) < count:
            time.sleep(0.02)
        return list(self.sink.messages)

    @property
    def messages(self) -> list:
        return list(self.sink.messages)


@pytest.fixture(autouse=True)
def _test_settings(settings, smtp_server):
    controller, _sink = smtp_server
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
    settings.DEMO_MODE = False
    settings.SITE_URL = "http://testserver"
    # Limits no test reaches by accident (the counters roll back with each test's transaction);
    # the two test_rate_limits.py (api, accounts) set them low on purpose.
    caches["default"].clear()
    settings.API_RATE_LIMIT = settings.SIGN_IN_RATE_LIMIT = "100000/m"
    # Requests activate their user's language in this thread; start every test in English.
    translation.activate("en")


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests (browser, races) flush the database afterwards, reference data
    included (question sets, the phrasebook); load it again from the same data migrations when it is missing."""
    if not Country.objects.exists():
        core = import_module("openimi.core.migrations.0002_load_reference_data")
        core.load_languages_and_countries(apps, None)
        core.load_legal_areas_and_vocabularies(apps, None)
    if not QuestionSet.objects.exists():
        import_module("openimi.questionnaires.migrations.0002_load_question_sets").load(apps, None)
    if not Phrasebook.objects.exists():
        import_module("openimi.questionnaires.migrations.0004_load_phrasebook").load(apps, None)


@pytest.fixture
def mailbox(smtp_server):
    return Mailbox(smtp_server[1])


@pytest.fixture
def fr_coordinator_authority(db):
    authority = AuthorityFactory(
        official_name="Direction générale des entreprises",
        official_language_id="fr",
        country_id="FR",
        city="Paris",
        kind="ministry",
        areas=["services", "professional_qualifications", "posting_of_workers", "general_cooperation"],
    )
    coordinator(authority, "national")
    return authority


@pytest.fixture
def fr_coordinator(fr_coordinator_authority):
    user = UserFactory(email="claire.coordinator@dge.example", full_name="Claire Martin", language="fr")
    member(user, fr_coordinator_authority, "local_admin")
    return user


@pytest.fixture
def fr_authority(db):
    return AuthorityFactory(
        official_name="Ordre des architectes d'Île-de-France",
        official_language_id="fr",
        country_id="FR",
        city="Paris",
        region_id="FR-IDF",
        areas=["professional_qualifications"],
    )


@pytest.fixture
def fr_admin(fr_authority):
    user = UserFactory(email="alice.admin@architectes.example", full_name="Alice Durand", language="fr")
    member(user, fr_authority, "local_admin")
    return user


@pytest.fixture
def fr_handler(fr_authority):
    user = UserFactory(email="francois.handler@architectes.example", full_name="François Petit", language="fr")
    member(user, fr_authority, "request_handler")
    return user


@pytest.fixture
def de_authority(db):
    return AuthorityFactory(
        official_name="Architektenkammer Berlin",
        official_language_id="de",
        country_id="DE",
        city="Berlin",
        region_id="DE-BE",
        areas=["professional_qualifications"],
    )


@pytest.fixture
def de_admin(de_authority):
    user = UserFactory(email="dieter.admin@ak-berlin.example", full_name="Dieter Admin", language="de")
    member(user, de_authority, "local_admin")
    return user


@pytest.fixture
def de_handler(de_authority):
    user = UserFactory(email="hanna.handler@ak-berlin.example", full_name="Hanna Schmidt", language="de")
    member(user, de_authority, "request_handler")
    return user


@pytest.fixture
def de_coordinator(db):
    authority = AuthorityFactory(
        official_name="Bundesministerium für Wirtschaft",
        official_language_id="de",
        country_id="DE",
        city="Berlin",
        kind="ministry",
    )
    coordinator(authority, "national")
    user = UserFactory(email="gerd.coordinator@bmwk.example", full_name="Gerd Koordinator", language="de")
    member(user, authority, "local_admin")
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(email="oscar.outsider@nowhere.example", full_name="Oscar Outsider")


@pytest.fixture
def operator(db):
    return UserFactory(
        email="olga.operator@openimi.example",
        full_name="Olga Operator",
        is_operator=True,
    )


def signed_in(user) -> Client:
    """A test client whose session passed both sign-in factors."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for():
    return signed_in


@pytest.fixture(scope="session")
def apertium_url():
    """A real Apertium APy server on loopback (Debian's apertium-apy with the installed pairs).
    .ci/run installs it and sets OPENIMI_REQUIRE_APERTIUM=1, making its absence a failure."""
    binary = shutil.which("apertium-apy")
    if binary is None or not os.path.isdir("/usr/share/apertium/modes"):
        if os.environ.get("OPENIMI_REQUIRE_APERTIUM") == "1":
            pytest.fail("Apertium is required but apertium-apy is not installed")
        pytest.skip("Apertium not installed (bin/ensure-apertium installs it)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "-p", str(port), "/usr/share/apertium/modes"],  # noqa: S603 - fixed args
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
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def apertium(settings, apertium_url):
    settings.TRANSLATION_ENGINES = [
        {"class": "openimi.translation.engines.ApertiumEngine", "url": apertium_url, "timeout": 10}
    ]
    return apertium_url


CLAMAV_SIGNATURES = Path(__file__).resolve().parent / "clamav"


@pytest.fixture(scope="session")
def clamd_addresses(tmp_path_factory):
    """A real clamd (Debian's clamav-daemon) on a unix socket and on loopback TCP, loading only
    the EICAR signatures shipped in clamav/ (see its README). .ci/run installs it and sets
    OPENIMI_REQUIRE_CLAMAV=1, making its absence a failure."""
    binary = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        if os.environ.get("OPENIMI_REQUIRE_CLAMAV") == "1":
            pytest.fail("ClamAV is required but clamd is not installed")
        pytest.skip("ClamAV not installed (bin/ensure-clamav installs it)")
    run = tmp_path_factory.mktemp("clamd")
    port = _free_port()
    (run / "clamd.conf").write_text(
        f"LocalSocket {run}/clamd.sock\nTCPSocket {port}\nTCPAddr 127.0.0.1\n"
        f"DatabaseDirectory {CLAMAV_SIGNATURES}\nTemporaryDirectory {run}\nPidFile {run}/clamd.pid\n"
        f"Foreground yes\nLogSyslog no\nLogFile {run}/clamd.log\n"
    )
    process = subprocess.Popen(
        [binary, "--config-file", str(run / "clamd.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    addresses = {"unix": f"unix://{run}/clamd.sock", "tcp": f"tcp://127.0.0.1:{port}"}
    deadline = time.monotonic() + 60  # a few tenths of a second with these two signatures
    while not all(ClamdScanner(a, timeout=1).ping() for a in addresses.values()):
        log = run / "clamd.log"
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("clamd did not start: " + (log.read_text()[-2000:] if log.exists() else "no log"))
        time.sleep(0.05)
    yield addresses
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def clamav(settings, clamd_addresses):
    """Attachments are scanned by the real clamd above, over its unix socket."""
    settings.VIRUS_SCANNER = {
        "class": "openimi.exchanges.scanning.ClamdScanner",
        "address": clamd_addresses["unix"],
        "timeout": 10,
    }
    return clamd_addresses["unix"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Give every test that uses the database through a fixture the django_db mark, so that
    pytest-django runs it before the transactional tests, which empty the database."""
    for item in items:
        if item.get_closest_marker("django_db") is None and "db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.django_db)
