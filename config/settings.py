"""SafeCampus settings: one module, driven by environment variables (see README).

SAFECAMPUS_ENV=dev (default) runs on embedded SQLite with development keys;
SAFECAMPUS_ENV=prod requires every secret from the environment and turns on the
transport-security settings that `check --deploy` looks for.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str
from safecampus.api.tags import API_TAGS
from safecampus.core.rules import RULE_DEFAULTS, load_rules

# Regulatory numbers: each names its source; a district may change any of them.
SAFECAMPUS_RULES = load_rules(RULE_DEFAULTS)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SAFECAMPUS_VAR_DIR", str(BASE_DIR / "var")))

SAFECAMPUS_ENV = env_str("SAFECAMPUS_ENV", "dev")
if SAFECAMPUS_ENV not in {"dev", "prod", "test"}:
    raise ImproperlyConfigured("SAFECAMPUS_ENV must be dev, test or prod.")
PROD = SAFECAMPUS_ENV == "prod"
DEBUG = env_bool("DEBUG", default=False)

# Development-only fallbacks. They are printed nowhere and refused in production.
_DEV_SECRET = "dev-only-secret-key-not-for-production-0123456789abcdefghijklmnop"
_DEV_FIELD_KEY = "dev1:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE="
_DEV_HASH_KEY = "dev-only-hash-key-not-for-production"

SECRET_KEY = env_str("SECRET_KEY", None if PROD else _DEV_SECRET)
# "id:base64(32 bytes)" items separated by commas; the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [] if PROD else [_DEV_FIELD_KEY])
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", None if PROD else _DEV_HASH_KEY)
if PROD and (not FIELD_ENCRYPTION_KEYS or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("Production needs SECRET_KEY and FIELD_ENCRYPTION_KEYS.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PROD else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huey.contrib.djhuey",
    "safecampus.core",
    "safecampus.audit",
    "safecampus.organizations",
    "safecampus.accounts",
    "safecampus.notifications",
    "safecampus.attachments",
    "safecampus.cases",
    "safecampus.leads",
    "safecampus.security",
    "safecampus.inspections",
    "safecampus.risk",
    "safecampus.dashboard",
    "safecampus.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safecampus.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safecampus.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safecampus.accounts.middleware.IdleTimeoutMiddleware",
    "safecampus.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safecampus.dashboard.context_processors.shell",
            ],
        },
    }
]

# --- Database: embedded SQLite by default, PostgreSQL through DATABASE_URL ---
VAR_DIR.mkdir(parents=True, exist_ok=True)
_default_db = f"sqlite:///{VAR_DIR / 'safecampus.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_db), conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, worker and stream processes read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when configured (lockout counters, rate limits), else local memory ---
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Renderings of the register (units, schools, roles) are cached under its version key; this
# bounds how long another process's local cache may serve an old one (with Redis: at once).
# Read by organizations.cache and by core's FastSelect, which may not import organizations.
REGISTER_CACHE_SECONDS = 30

# --- Task queue (Huey): SQLite storage by default, Redis in production ---
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", default=False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "safecampus",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "safecampus",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# --- Passwords, login security ---
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 10, minimum=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "safecampus.accounts.validators.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("PASSWORD_MIN_CLASSES", 3, minimum=1)},
    },
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保 level 3 asks for lockout and idle timeout; numbers are district settings.
AXES_FAILURE_LIMIT = SAFECAMPUS_RULES["login_failure_limit"].value
AXES_COOLOFF_TIME = timedelta(minutes=SAFECAMPUS_RULES["login_lockout_minutes"].value)
AXES_LOCKOUT_PARAMETERS = ["username"]  # per account, so a proxy address never locks a school out
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safecampus.accounts.views.lockout_response"
# A user with an authenticator app signs in past the lock with password and code, and the
# lock stays for whoever failed (safecampus/accounts/lockout.py).
AXES_HANDLER = "safecampus.accounts.lockout.LockoutHandler"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_VERBOSE = False
SESSION_IDLE_TIMEOUT = timedelta(minutes=SAFECAMPUS_RULES["session_idle_minutes"].value)
SESSION_COOKIE_AGE = 12 * 3600
# With a shared cache (Redis), sessions are read from it and written through to the database:
# one query less per page. A per-process cache would let one process keep a session another
# has ended, so without Redis sessions stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if REDIS_URL else "db")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the <meta> tag, not the cookie
OTP_TOTP_ISSUER = "SafeCampus"

# --- Transport and browser security ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PROD:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# The live stream may be served by a separate async process on another origin.
STREAM_URL = env_str("STREAM_URL", "")
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'" + (f" {STREAM_URL.rsplit('/', 2)[0]}" if STREAM_URL else ""),
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}

# --- Internationalisation: Chinese first ---
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Development serves straight from static/ (no collectstatic step); production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = not PROD
STATICFILES_DIRS = [BASE_DIR / "static"]
# Fonts embedded (subset) in generated PDFs; `make setup` copies them from the npm package.
PDF_FONT_DIR = Path(env_str("PDF_FONT_DIR", str(BASE_DIR / "build" / "fonts")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PROD
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Attachments live outside the web root and are served only through a checked view.
MEDIA_ROOT = Path(env_str("ATTACHMENT_ROOT", str(VAR_DIR / "attachments")))
MEDIA_URL = "/attachments-are-never-served-directly/"
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Mail ---
# Development writes each message to a file under var/mail/ (nothing leaves the machine and
# the console stays readable); production sends by SMTP. Tests see mail in memory (locmem).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PROD
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "safecampus@localhost")

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safecampus.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every JSON body is an object: one parser refuses lists and bare values (issue 11).
    "DEFAULT_PARSER_CLASSES": [
        "safecampus.api.parsers.JSONObjectParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "safecampus.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "safecampus.api.schema.AccessAwareSchema",
    "EXCEPTION_HANDLER": "safecampus.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SafeCampus API",
    "DESCRIPTION": "平安校园治理平台 — district school-safety governance API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # A tag per module (中文 · English); every operation's error answers, and the device
    # routes (plain views that authenticate devices), added by our hook.
    "TAGS": API_TAGS,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "safecampus.api.schema.document_errors",
    ],
    # Swagger UI from the installed sidecar package: intranets have no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name across apps get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "HazardLevelEnum": "safecampus.inspections.choices.HazardLevel",
        "HazardCategoryEnum": "safecampus.inspections.choices.HazardCategory",
        "HazardStatusEnum": "safecampus.inspections.choices.HazardStatus",
        "InspectionStatusEnum": "safecampus.inspections.choices.InspectionStatus",
        "RectificationStatusEnum": "safecampus.inspections.choices.RectificationStatus",
        "ChecklistKindEnum": "safecampus.inspections.choices.TemplateKind",
        "ChecklistVersionStatusEnum": "safecampus.inspections.choices.VersionStatus",
        "RiskCategoryEnum": "safecampus.risk.choices.RiskCategory",
        "WarningLevelEnum": "safecampus.risk.choices.WarningLevel",
        "WarningNoticeStatusEnum": "safecampus.risk.choices.NoticeStatus",
        "SchoolWarningStatusEnum": "safecampus.risk.choices.SchoolWarningStatus",
    },
}

# --- Device brokers (begin) ---
# Where the web process writes each broker's device logins (from the registry, after every
# registration, rotation, enabling, disabling or deletion) and whom it asks to reload them.
# The defaults are what scripts/brokers.sh uses; a broker on another host reads its own copy
# (`manage.py broker_credentials` there). No broker running: the files are still written.
# Under pytest the default moves aside, so a test never rewrites or reloads the logins of a
# developer's running broker.
_brokers = "brokers-test" if env_str("PYTEST_VERSION", "") else "brokers"
BROKERS_DIR = Path(env_str("BROKERS_DIR", str(VAR_DIR / _brokers)))
NATS_AUTH_FILE = Path(env_str("NATS_AUTH_FILE", str(BROKERS_DIR / "nats" / "auth.conf")))
NATS_PIDFILE = Path(env_str("NATS_PIDFILE", str(BROKERS_DIR / "nats" / "pid")))
MOSQUITTO_PASSWD_FILE = Path(
    env_str("MOSQUITTO_PASSWD_FILE", str(BROKERS_DIR / "mosquitto" / "passwd"))
)
MOSQUITTO_PIDFILE = Path(env_str("MOSQUITTO_PIDFILE", str(BROKERS_DIR / "mosquitto" / "pid")))
# The ingest processes' broker account (safecampus-ingest); scripts/brokers.sh reads the
# same variable with the same development default. Production sets it.
MQTT_INGEST_PASSWORD = env_str("MQTT_INGEST_PASSWORD", "" if PROD else "safecampus-dev-ingest")
# While `manage.py serve` (make run) runs: the URL it serves, so commands in another
# terminal (simulate_devices) post to it whatever PORT was chosen.
SERVED_URL_FILE = VAR_DIR / "served-url"
# --- Device brokers (end) ---

# --- Webhooks (outbound, signed) ---
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)

# The public portal's footer names a number to call. Default: 12355, the national youth
# service hotline (青少年服务台) that also takes bullying calls; a district sets its own.
PORTAL_HOTLINE = env_str("PORTAL_HOTLINE", "12355")

# The offline base map drawn under every map (school intranets have no tile server): the
# district outline, rivers, main roads and place names as GeoJSON. A path under static/ or a
# path on this site ("/…"): the CSP lets pages fetch only from their own origin. The default
# is the fictional demo district; empty draws none.
DISTRICT_BASEMAP = env_str("DISTRICT_BASEMAP", "geo/demo-district.geojson")
if "://" in DISTRICT_BASEMAP or DISTRICT_BASEMAP.startswith("//"):
    raise ImproperlyConfigured("DISTRICT_BASEMAP must be a static path or a path on this site.")

# --- Notifications and the live stream (begin) ---
# Absolute links in e-mails; pages only know their own paths.
SITE_URL = env_str("SITE_URL", "" if PROD else "http://127.0.0.1:8000").rstrip("/")
# Pages whose scripts may read the stream when it runs on another origin (port 8001 in dev).
STREAM_ALLOWED_ORIGINS = env_list(
    "STREAM_ALLOWED_ORIGINS", [] if PROD else ["http://127.0.0.1:8000", "http://localhost:8000"]
)
STREAM_POLL_SECONDS = 2.0  # database broker only: one cheap query per connected user
STREAM_HEARTBEAT_SECONDS = 15.0  # below the idle timeouts of common proxies (nginx: 60 s)
# --- Notifications and the live stream (end) ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {"django.request": {"level": "ERROR"}, "django.security": {"level": "ERROR"}},
}


# Keyed hash of the audit chain: someone who can edit the database cannot re-seal it.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", None if PROD else "dev-only-audit-chain-key")
# The signed chain head, appended by the worker outside the database: a cut at the end that
# rewinds the head can hide at most the rows since the last checkpoint. Best on a file system
# the database's owner cannot rewrite (another host, or `chattr +a`).
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.jsonl"))
)
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 5, minimum=1)
# Lockout is per account on purpose (the issue asks for it): a whole school behind one
# address must not be locked out by one pupil guessing. Address throttling is the proxy's job.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# --- Test-only apps (begin): a case type that proves the case kernel, in cases/tests ---
# pytest-django loads these settings before any conftest runs, so the switch defaults to on
# under pytest (which sets PYTEST_VERSION); SAFECAMPUS_TEST_APPS=1 turns it on for makemigrations.
if not PROD and env_bool("SAFECAMPUS_TEST_APPS", default=bool(env_str("PYTEST_VERSION", ""))):
    INSTALLED_APPS += ["safecampus.cases.tests.casetype"]
# --- Test-only apps (end) ---
