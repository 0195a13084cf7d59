"""OpenIMI settings, read from the environment. See `.env.example` for every variable."""

from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from openimi.lib.env import envbool, envint, envlist, envrate, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("OPENIMI_VAR_DIR", str(BASE_DIR / "var")))

# "development" (default: safe local defaults), "demo" (training install) or "production".
# The demo runs as production does (no DEBUG, static files from WhiteNoise, its own secret
# key) except that it is plain http on 127.0.0.1: no secure cookies, HSTS or SSL redirect.
ENVIRONMENT = envstr("OPENIMI_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEVELOPMENT = ENVIRONMENT == "development"
DEBUG = envbool("DEBUG", default=DEVELOPMENT)

SECRET_KEY = envstr("SECRET_KEY", "dev-insecure-key-change-me-" + "x" * 40 if DEVELOPMENT else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set in production and in the demo (bin/demo makes one in var/)")
ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS",
    "" if PRODUCTION else "127.0.0.1,localhost" if ENVIRONMENT == "demo" else "127.0.0.1,localhost,testserver",
)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Demo mode relaxes the second factor for accounts flagged as demo accounts only; every page
# then shows a banner saying so. Never enable on a real installation.
DEMO_MODE = envbool("OPENIMI_DEMO_MODE", default=False)

INSTALLED_APPS = [
    "openimi.web.apps.BreakGlassAdminConfig",  # break-glass only, see openimi/web/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "openimi.core",
    "openimi.accounts",
    "openimi.directory",
    "openimi.questionnaires",
    "openimi.exchanges",
    "openimi.alerts",
    "openimi.notifications",
    "openimi.translation",
    "openimi.privacy",
    "openimi.operator",
    "openimi.statistics",
    "openimi.api",
    "openimi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "openimi.accounts.middleware.SignInRateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openimi.directory.permissions.AccessMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "openimi.accounts.middleware.UserLanguageMiddleware",
    "openimi.accounts.middleware.SecondFactorRequiredMiddleware",
    "csp.middleware.CSPMiddleware",
    "openimi.privacy.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "openimi.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not DEVELOPMENT:
    # Static files straight from the application server, compressed and cache-busted; only
    # the files collected into STATIC_ROOT, so no path can reach anything else.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "openimi.urls"
WSGI_APPLICATION = "openimi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openimi.web.context_processors.openimi",
            ],
        },
    }
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'openimi.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers queue on the busy
    # timeout instead of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory database shares one cache whose table locks ignore
    # the busy timeout, so concurrent writers would fail instead of queueing as they do in use.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_openimi.sqlite3")}
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = envstr("TEST_DATABASE_NAME", "test_openimi")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

# Lockout (django-axes): failures are counted per account and address; wrong second-factor
# codes count as failures too (see accounts.views).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "openimi.accounts.views.locked_out"
# Behind the TLS proxy the address that proxy saw, as for the rate limits and the audit log.
AXES_CLIENT_IP_CALLABLE = "openimi.lib.ratelimit.request_address"
AXES_VERBOSE = False

# Request rates (lib/ratelimit.py): per API token, and per address for POSTs to the sign-in,
# second-factor and password-reset pages. Beyond them: 429 with Retry-After. Empty: no limit.
API_RATE_LIMIT = envrate("API_RATE_LIMIT", "600/m")
SIGN_IN_RATE_LIMIT = envrate("SIGN_IN_RATE_LIMIT", "20/m")
# The counters must be shared by every web process, so they live in the database (table
# openimi_rate_counter, made by migrate); the default cache stays per process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

OTP_TOTP_ISSUER = envstr("OTP_TOTP_ISSUER", "OpenIMI")


def _webauthn_site() -> tuple[str, str]:
    """Default relying-party id and origin for security keys: those of SITE_URL. Browsers allow
    keys only on https or http://localhost, never on an IP address, so any other SITE_URL (the
    development default http://127.0.0.1:8000 among them) falls back to localhost."""
    site = urlsplit(SITE_URL)
    host, port = site.hostname or "", f":{site.port}" if site.port else ""
    try:
        ip_address(host)
    except ValueError:
        if site.scheme == "https" and host:
            return host, f"https://{host}{port}"
    return "localhost", f"http://localhost{port}"


# Security keys (WebAuthn, django-otp-webauthn) as a second factor after the password, never
# instead of it. Keys are bound to the relying-party id: changing it orphans every key.
OTP_WEBAUTHN_RP_ID = envstr("OTP_WEBAUTHN_RP_ID", _webauthn_site()[0])
OTP_WEBAUTHN_RP_NAME = envstr("OTP_WEBAUTHN_RP_NAME", "OpenIMI")
OTP_WEBAUTHN_ALLOWED_ORIGINS = envlist("OTP_WEBAUTHN_ALLOWED_ORIGINS", _webauthn_site()[1])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
# A refused form (missing or foreign CSRF token) gets our own page in the reader's language;
# Django logs the reason on the django.security.csrf logger before calling it.
CSRF_FAILURE_VIEW = "openimi.web.views.csrf_failure"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A strict Content Security Policy: no inline script or style anywhere, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Signed-in sessions end after this many seconds without activity (and at SESSION_COOKIE_AGE).
SESSION_IDLE_SECONDS = envint("SESSION_IDLE_SECONDS", 30 * 60)

# The 26 interface languages: the 24 official EU languages, Icelandic and Norwegian (Bokmål,
# Django's "nb", whose own catalogues we reuse).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("bg", "български"),
    ("cs", "čeština"),
    ("da", "dansk"),
    ("de", "Deutsch"),
    ("el", "ελληνικά"),
    ("en", "English"),
    ("es", "español"),
    ("et", "eesti"),
    ("fi", "suomi"),
    ("fr", "français"),
    ("ga", "Gaeilge"),
    ("hr", "hrvatski"),
    ("hu", "magyar"),
    ("is", "íslenska"),
    ("it", "italiano"),
    ("lt", "lietuvių"),
    ("lv", "latviešu"),
    ("mt", "Malti"),
    ("nb", "norsk"),
    ("nl", "Nederlands"),
    ("pl", "polski"),
    ("pt", "português"),
    ("ro", "română"),
    ("sk", "slovenčina"),
    ("sl", "slovenščina"),
    ("sv", "svenska"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django ships no Maltese locale; declare it so language names and switching work.
LANG_INFO.setdefault("mt", {"bidi": False, "code": "mt", "name": "Maltese", "name_local": "Malti"})
USE_I18N = True
# British English and Maltese formats for what Django formats itself; pages use openimi.lib.formats.
FORMAT_MODULE_PATH = ["openimi.core.formats"]
USE_TZ = True
TIME_ZONE = envstr("TIME_ZONE", "Europe/Brussels")

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT
        else "openimi.web.storage.StaticFilesStorage"
    },
}

EMAIL_HOST = envstr("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 1025)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "OpenIMI <no-reply@openimi.example>")

TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Attachments: size limit and the content types accepted (checked on the content itself).
ATTACHMENT_MAX_BYTES = envint("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Zip-based documents (docx, xlsx, odt, …): refused when they would expand beyond this many
# bytes or hold more entries (an archive bomb), read from the archive's directory only.
ATTACHMENT_MAX_EXPANDED_BYTES = envint("ATTACHMENT_MAX_EXPANDED_BYTES", 100 * 1024 * 1024)
ATTACHMENT_MAX_ARCHIVE_ENTRIES = envint("ATTACHMENT_MAX_ARCHIVE_ENTRIES", 10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Virus scanning of attachments (openimi/exchanges/scanning.py): ClamAV's clamd when
# CLAMAV_ADDRESS is set (unix:///run/clamav/clamd.ctl or tcp://127.0.0.1:3310), otherwise none.
VIRUS_SCANNER: dict[str, Any] = {"class": "openimi.exchanges.scanning.NoScanner"}  # the class and its options
if envstr("CLAMAV_ADDRESS"):
    VIRUS_SCANNER = {
        "class": "openimi.exchanges.scanning.ClamdScanner",
        "address": envstr("CLAMAV_ADDRESS"),
        "timeout": envint("CLAMAV_TIMEOUT", 30),
    }

# Machine translation engines, in order of preference. The local Apertium APy server is the
# default; DeepL and LibreTranslate are added when configured.
TRANSLATION_TIMEOUT = envint("TRANSLATION_TIMEOUT", 10)
TRANSLATION_ENGINES: list[dict[str, Any]] = [  # the class to load and its keyword arguments
    {
        "class": "openimi.translation.engines.ApertiumEngine",
        "url": envstr("APERTIUM_APY_URL", "http://127.0.0.1:2737"),
        "timeout": TRANSLATION_TIMEOUT,
    },
]
if envstr("DEEPL_AUTH_KEY"):
    TRANSLATION_ENGINES.insert(
        0,
        {
            "class": "openimi.translation.engines.DeepLEngine",
            "url": envstr("DEEPL_URL", "https://api.deepl.com"),
            "auth_key": envstr("DEEPL_AUTH_KEY"),
            "timeout": TRANSLATION_TIMEOUT,
        },
    )
if envstr("ETRANSLATION_APPLICATION"):
    TRANSLATION_ENGINES.insert(
        0,
        {
            "class": "openimi.translation.engines.ETranslationEngine",
            "url": envstr("ETRANSLATION_URL", "https://webgate.ec.europa.eu/etranslation/si/translate"),
            "application": envstr("ETRANSLATION_APPLICATION"),
            "password": envstr("ETRANSLATION_PASSWORD"),
            "callback_url": f"{SITE_URL}/translation/etranslation",
            "timeout": TRANSLATION_TIMEOUT,
        },
    )
if envstr("LIBRETRANSLATE_URL"):
    TRANSLATION_ENGINES.append(
        {
            "class": "openimi.translation.engines.LibreTranslateEngine",
            "url": envstr("LIBRETRANSLATE_URL"),
            "api_key": envstr("LIBRETRANSLATE_API_KEY"),
            "timeout": TRANSLATION_TIMEOUT,
        }
    )

# How long a self-registration invitation stays valid.
INVITATION_VALID_DAYS = envint("INVITATION_VALID_DAYS", 14)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

ADMIN_SITE_HEADER = _("OpenIMI administration")
