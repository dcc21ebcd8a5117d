"""Django settings: the only module that reads the environment (through backend.env)."""

import hashlib
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from botocore.config import Config as BotoConfig
from celery.schedules import crontab
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from backend.env import env_bool, env_int, env_list, env_pairs, env_str
from conseillers.activity.beat import BEAT_SCHEDULE as ACTIVITY_BEAT_SCHEDULE
from conseillers.activity.stats.beat import BEAT_SCHEDULE as ACTIVITY_FIGURES_BEAT_SCHEDULE
from conseillers.beat import BEAT_SCHEDULE as CONSEILLERS_BEAT_SCHEDULE
from conseillers.subsidy.beat import BEAT_SCHEDULE as SUBSIDY_BEAT_SCHEDULE
from mandats.beat import BEAT_SCHEDULE as MANDATS_BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The embedded demo (`make run`): demo keys and hosts, the mock FranceConnect, a broker made of
# files. A developer's DEBUG=1 implies it; `make run` sets DEMO=1 with DEBUG off, so that people
# trying the demo see the product's own error pages, not Django's debug pages.
DEMO = env_bool("DEMO", DEBUG)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEMO:
        raise ImproperlyConfigured(
            "SECRET_KEY est vide : une clé secrète longue et aléatoire est obligatoire hors du "
            "mode démonstration (DEMO=1). Générez-en une avec "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    SECRET_KEY = "demo-insecure-key-never-use-in-production"  # noqa: S105 - demo only
if not DEMO and (len(SECRET_KEY) < 32 or SECRET_KEY.startswith("demo-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY est trop courte ou est la clé de démonstration : en production, "
        "utilisez au moins 32 caractères aléatoires."
    )

# The embedded demo's address as people reach it (`make run` passes http://$(HOST)): the mock
# FranceConnect's discovery, the demo's OpenID clients and the address load_demo prints follow it.
DEMO_BASE_URL = env_str("DEMO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_DEMO_HOST = urlsplit(DEMO_BASE_URL).hostname or "127.0.0.1"
_DEMO_HOSTS = list(dict.fromkeys(["127.0.0.1", "localhost", _DEMO_HOST]))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _DEMO_HOSTS if DEMO else [])
if not DEMO and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS est vide : indiquez le ou les noms de domaine servis (séparés par des "
        "virgules)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# A form sent without its token (or an expired one) gets the product's page, in French.
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"
# The address of the site as people reach it, for the links in emails sent by workers.
SITE_URL = env_str("SITE_URL", DEMO_BASE_URL)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "widget_tweaks",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dsfr",
    "core",
    "conseillers",
    "conseillers.subsidy",
    "conseillers.coordination",
    "conseillers.activity",
    "conseillers.activity.stats",
    "conseillers.extensions",
    "conseillers.amendments",
    "mandats",
    "lieux",
    # The mock FranceConnect provider is another actor: its own app, mounted only where enabled.
    "franceconnect_mock",
    "idp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database that cannot be reached answers 503 with Retry-After (core/database_outage.py).
    "core.database_outage.DatabaseOutageMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses an oversized body from its Content-Length before anything reads it (CSRF's check
    # reads the form, but only in process_view, after every middleware's request phase).
    "core.request_size.RequestSizeLimitMiddleware",
    # After authentication: turns a lockout on any other login door (the admin's) into the
    # login policy's 429 page.
    "axes.middleware.AxesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mandats.middleware.AidantOTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site_config",
                "core.context_processors.navigation",
                "core.context_processors.csp_nonce",
                "mandats.context_processors.current_organisation",
                "mandats.context_processors.current_usager",
            ],
        },
    },
]

# Databases: PostgreSQL in production and CI, an SQLite file for the embedded demo.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# The demo's web server, worker and beat write one SQLite file: a transaction takes the write lock
# when it begins and waits for it, instead of failing at once ("database is locked") on an upgrade.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
# Django binds parameters on the client and prepares nothing; the journal's append binds on the
# server and asks for its statement to be prepared (mandats.models._journal_cursor: 45 % less of
# the database's time per entry), which psycopg does only when a threshold is set. Off behind a
# pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21).
# Added to the options DATABASE_URL may carry (sslmode=require…), not in their place.
elif env_bool("DATABASE_PREPARED_STATEMENTS", True):
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache in production (DRF's request-rate throttles count across every web worker); the
# demo and the tests keep the in-process one. The login policy does not use it: its state is in
# the database.
CACHE_URL = env_str("CACHE_URL")
# Redis down, the cache reads as empty and drops writes (core.cache): nothing a person does needs
# it. Its sockets give up after CACHE_SOCKET_TIMEOUT_MS, so a hung Redis costs little per request.
CACHE_SOCKET_TIMEOUT = env_int("CACHE_SOCKET_TIMEOUT_MS", 500) / 1000
CACHES = {
    "default": {
        "BACKEND": "core.cache.DegradingRedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {
            "socket_connect_timeout": CACHE_SOCKET_TIMEOUT,
            "socket_timeout": CACHE_SOCKET_TIMEOUT,
        },
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_USER_MODEL = "core.User"
# The login policy's backend refuses any attempt while a lock holds, then Django's checks the
# password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files (CVs, justification documents) live in storages["uploads"] and are never served
# from a URL of their own, even in the demo: each one goes out through a view that checks the
# reader's right and streams it from the storage (core/files.py). With UPLOADS_S3_BUCKET they go
# to S3-compatible object storage that every web server shares (django-storages); otherwise to
# MEDIA_ROOT on this machine's disk (the demo, a single server). MEDIA_URL is kept only because
# the local storage needs one.
MEDIA_URL = "/fichiers-non-servis/"
MEDIA_ROOT = VAR_DIR / "media"
UPLOADS_S3_BUCKET = env_str("UPLOADS_S3_BUCKET")
# The object storage's connection. No endpoint: AWS itself. No keys: boto3's own chain (the
# AWS_* variables, an instance role).
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
S3_REGION = env_str("S3_REGION")
S3_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID")
S3_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY")
# Where the signed checkpoints of the Aidants Connect journal's head are written: outside the
# database, where its owner cannot reach. Production points storages["journal_anchors"] at a
# write-once store (a bucket with object lock, a directory of another host); verify_journal reads
# it back.
JOURNAL_ANCHOR_DIR = Path(env_str("JOURNAL_ANCHOR_DIR", str(VAR_DIR / "journal-anchors")))
# Or a bucket of the object storage (the S3_* connection above), which must have Object Lock with
# a default retention in compliance mode, and keys that may put, get and list only: a checkpoint
# can then be neither changed nor deleted, not even by whoever holds the application's keys.
JOURNAL_ANCHOR_S3_BUCKET = env_str("JOURNAL_ANCHOR_S3_BUCKET")

# The size of what a person may send. One uploaded file (a CV, a justification document):
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 10)
# One request: a justification carries up to three documents, plus the form's other fields. A
# larger Content-Length is refused with 413 before the body is read (core/request_size.py); the
# reverse proxy refuses it earlier with the same value (client_max_body_size, see the README).
MAX_REQUEST_MB = env_int("MAX_REQUEST_MB", 3 * MAX_UPLOAD_MB + 1)
# Django's own ceilings: the fields of a form or a JSON body, read in memory...
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# ... and the size above which an uploaded file goes to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024


def _s3_storage(bucket: str) -> dict:
    """django-storages' S3 backend on `bucket` (core.object_storage), private: no ACL is sent
    (the bucket's own, which must block public access) and the application never asks for an
    object's URL."""
    options: dict = {
        "bucket_name": bucket,
        # Names are random (core.files.random_name); should one ever repeat, the older file is
        # kept rather than silently replaced.
        "file_overwrite": False,
        # A download is read from the store before it is streamed out: beyond this size into a
        # temporary file, so that a worker's memory does not grow with the documents it serves.
        "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        "client_config": BotoConfig(
            # A store that hangs costs a request seconds, never a web worker for minutes.
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 3},
            # Other providers (MinIO, Scaleway, OVHcloud, moto) are reached by the endpoint's own
            # name: the bucket goes in the path, not in a host name nobody declared.
            s3={"addressing_style": "path" if S3_ENDPOINT_URL else "auto"},
        ),
    }
    connection = {
        "endpoint_url": S3_ENDPOINT_URL,
        "region_name": S3_REGION,
        "access_key": S3_ACCESS_KEY_ID,
        "secret_key": S3_SECRET_ACCESS_KEY,
    }
    options.update({key: value for key, value in connection.items() if value})
    return {"BACKEND": "core.object_storage.BucketStorage", "OPTIONS": options}


UPLOADS_STORAGE = (
    _s3_storage(UPLOADS_S3_BUCKET)
    if UPLOADS_S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "uploads": UPLOADS_STORAGE,
    # Whatever a library might write through default_storage lands in the same shared, private
    # place, never on one server's disk.
    "default": UPLOADS_STORAGE,
    # Read-only files: a checkpoint is written once and never changed.
    "journal_anchors": _s3_storage(JOURNAL_ANCHOR_S3_BUCKET)
    if JOURNAL_ANCHOR_S3_BUCKET
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": JOURNAL_ANCHOR_DIR, "file_permissions_mode": 0o444},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEMO
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The demo serves static files straight from the apps (no collectstatic), DEBUG or not.
WHITENOISE_USE_FINDERS = DEMO

# Security headers. In production every cookie is secure and HSTS is on; the demo runs on plain
# http://127.0.0.1, where secure cookies would make logging in impossible.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The client's address: how many reverse proxies of our own stand in front of the application.
# 0 (default): the address of the TCP peer (REMOTE_ADDR); the X-Forwarded-For header, which any
# client can write, is ignored. n: the n-th address from the right of X-Forwarded-For, the one
# the outermost of our n proxies saw. Read only by core.client_address.client_ip.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# One login policy for every door (login page, API token, password reset, admin): see
# core/login_policy.py. Its state is django-axes' tables in the database, so it holds across web
# workers without Redis.
# Failures of one account from one address before that pair is locked:
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env_int("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5)
# Failures from one address, whatever the accounts (a France Services site or a town hall puts
# many people behind one address, hence a higher ceiling):
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
# How long those two locks last after the last failure:
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
# Failures of one account from every address within the window: only past this much higher
# threshold is the account itself locked, for a delay that doubles with each further failure.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 50)
LOGIN_ACCOUNT_WINDOW_HOURS = env_int("LOGIN_ACCOUNT_WINDOW_HOURS", 24)
LOGIN_ACCOUNT_DELAY_MAX_MINUTES = env_int("LOGIN_ACCOUNT_DELAY_MAX_MINUTES", 60)
# How long failure records are kept (a beat task purges older ones).
LOGIN_FAILURE_RETENTION_DAYS = env_int("LOGIN_FAILURE_RETENTION_DAYS", 30)

AXES_HANDLER = "core.login_policy.LoginPolicyHandler"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"
AXES_USERNAME_CALLABLE = "core.login_policy.attempted_email"
AXES_LOCKOUT_CALLABLE = "core.login_policy.lockout_response"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
# A refused attempt is not a failure: counting it would let an attacker keep a lock forever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
# One row per failure: the account-wide count and the address-wide count are read from it.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 1000
# Successful logins are not recorded by axes (its session hash would open a session on every
# API token request).
AXES_DISABLE_ACCESS_LOG = True
# Masked in axes' logs and in the request data it stores.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "email",
    "ip_address",
    "totp",
    "new_password1",
    "new_password2",
]

# API tokens (django-rest-knox): stored as SHA-512 digests, one per person and name, expiring.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 8)
KNOX_TOKEN_MODEL = "core.ApiToken"  # noqa: S105 - a model name, not a secret
# knox's migrations would create its own token table, unused once swapped for core.ApiToken
# (and holding a foreign key to users that PostgreSQL's flush trips on): they are not run.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# Aidants and référents get a token only with a code of their confirmed TOTP device: the three
# functions of the Aidants Connect second factor, named here so that core never imports mandats.
API_TOKEN_SECOND_FACTOR = {
    "required": "mandats.otp.requires_otp",
    "device": "mandats.otp.confirmed_device",
    "check": "mandats.otp.check_code",
}

# FranceConnect (Aidants Connect): the client is configured from discovery, so pointing it at the
# real integration environment is a matter of these variables only.
FRANCECONNECT_DISCOVERY_URL = env_str(
    "FRANCECONNECT_DISCOVERY_URL",
    f"{DEMO_BASE_URL}/mock-franceconnect/api/v2/.well-known/openid-configuration",
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Content Security Policy (django-csp): no inline script without a nonce, nothing from outside.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        # FranceConnect's login and logout are reached through a form posted to our site and a
        # redirect: browsers check form-action on that redirect, so its origin is allowed.
        "form-action": [
            "'self'",
            _origin(FRANCECONNECT_DISCOVERY_URL),
            *env_list("CSP_FORM_ACTION_EXTRA"),
        ],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous API call gets 401 with a WWW-Authenticate header.
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    # JSON only, NUL characters refused (core.api.parsers); an upload action names its own.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.KnownQueryParameters",
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Accept: application/json; version=1 (core.api.versioning); no version means 1.
    "DEFAULT_VERSIONING_CLASS": "core.api.versioning.AcceptHeaderVersioning",
    "DEFAULT_VERSION": "1",
    "ALLOWED_VERSIONS": ["1"],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute", "login": "10/minute"},
    # Our throttles (core.api.throttling) ask core.client_address; a stock DRF throttle, should a
    # view use one, reads the same count of trusted proxies instead of the whole header.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API Inclusion numérique",
    "DESCRIPTION": (
        "API des programmes Conseillers numériques France Services et Aidants Connect. "
        "Authentification par session (pages) ou par jeton : `Authorization: Token <jeton>`, "
        "jeton obtenu par `POST /api/jeton/` (haché en base, expirant, révocable depuis la page "
        "« Mon compte »). Chaque parcours (structure, préfecture, ANCT, données ouvertes) est "
        "décrit requête par requête dans le [guide de l'API](/documentation/api/). Version "
        "dans l'en-tête `Accept: application/json; version=1` (1 par défaut ; une version "
        "inconnue est refusée, 406)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CertificationStatusEnum": "conseillers.models.CertificationStatus",
        "ActivityKindEnum": "conseillers.activity.models.ActivityKind",
        "AmendmentKindEnum": "conseillers.amendments.models.AmendmentKind",
        "GiveBackMotiveEnum": "conseillers.amendments.models.GiveBackMotive",
        # Two choice sets of fields named "motive": each names its own enum.
        "RuptureMotiveEnum": "conseillers.models.RuptureMotive",
        "PostKindEnum": "conseillers.models.PostKind",
    },
}

# Celery: Redis broker. The side effects of writes reach it through the outbox (core.outbox), so
# a broker outage delays them. Only the embedded demo (CELERY_TASK_ALWAYS_EAGER=1) runs tasks in
# the web process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# The demo (DEMO=1) names no broker: kombu's filesystem transport, files under var/, no server.
DEMO_BROKER = "filesystem://" if DEMO else ""
CELERY_BROKER_URL = env_str(
    "CELERY_BROKER_URL", "memory://" if CELERY_TASK_ALWAYS_EAGER else DEMO_BROKER
)
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "CELERY_BROKER_URL est vide : indiquez l'URL du broker Redis (redis://hôte:6379/0), "
        "ou CELERY_TASK_ALWAYS_EAGER=1 pour exécuter les tâches dans le processus (démonstration)."
    )
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message is acknowledged when its task ends, not when it starts (acks_late), and given back to
# the queue when the process running it dies (reject_on_worker_lost): a killed worker's task runs
# again. Every task is idempotent (rows changed under their lock from their current state), so a
# second run finds done what the first committed.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis hands an unacknowledged message to another worker after the visibility timeout: that is
# how the message of a worker killed outright (machine or container gone) comes back. It must
# exceed the longest task, or a task still running would be started twice: the batch tasks
# commit a batch per message and enqueue their continuation (core.batches), so none runs long,
# and the time limits below stop any task before the timeout.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, int | str] = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for expired messages every few seconds (kombu's default sweeps every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 5)),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", CELERY_VISIBILITY_TIMEOUT * 4 // 5)
CELERY_TASK_SOFT_TIME_LIMIT = env_int(
    "CELERY_TASK_SOFT_TIME_LIMIT", CELERY_TASK_TIME_LIMIT * 3 // 4
)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Les limites de durée des tâches doivent respecter 0 < CELERY_TASK_SOFT_TIME_LIMIT < "
        "CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT (en secondes) : sinon Redis "
        "redonnerait à un autre worker une tâche encore en cours."
    )
# A pool process killed mid-task (OOM killer, SIGKILL) is declared lost after this wait, and its
# message given back; it must come before the hard time limit, whose expiry acknowledges it.
CELERY_WORKER_LOST_WAIT = min(10.0, CELERY_TASK_TIME_LIMIT / 2)
# Losing the broker connection loses the acknowledgements to come: the running tasks' messages
# will be redelivered, so they are cancelled rather than left to run a second time alongside.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# The outbox (core.outbox): a published message not delivered after this delay is published again
# (it may have been lost with a broker); a delivery failing this many times is given up and shown
# in the admin; delivered rows are kept this many days.
OUTBOX_REPUBLISH_AFTER_SECONDS = env_int("OUTBOX_REPUBLISH_AFTER_SECONDS", 300)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 10)
OUTBOX_RETENTION_DAYS = env_int("OUTBOX_RETENTION_DAYS", 30)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.record_worker_heartbeat", "schedule": 60.0},
    "login-records-purge": {"task": "core.tasks.purge_login_records", "schedule": 3600.0},
    "outbox-sweep": {"task": "core.tasks.sweep_outbox", "schedule": 60.0},
    "outbox-purge": {"task": "core.tasks.purge_outbox", "schedule": crontab(hour=4, minute=0)},
    **CONSEILLERS_BEAT_SCHEDULE,
    **SUBSIDY_BEAT_SCHEDULE,
    **ACTIVITY_BEAT_SCHEDULE,
    **ACTIVITY_FIGURES_BEAT_SCHEDULE,
    **MANDATS_BEAT_SCHEDULE,
}
# Rows a batch task changes per transaction and per message (core.batches).
TASK_BATCH_SIZE = env_int("TASK_BATCH_SIZE", 500)
if TASK_BATCH_SIZE < 1:
    raise ImproperlyConfigured("TASK_BATCH_SIZE doit être un entier positif.")
# Tests only: a pause inside each batch's transaction, so that a fault test can kill a worker
# while a batch is in progress. Leave it at 0.
TASK_BATCH_PAUSE_MS = env_int("TASK_BATCH_PAUSE_MS", 0)
# The demo's worker and beat (`make run`) on the filesystem transport: messages are files in
# VAR_DIR/celery-broker. The reconciliation runs every minute rather than each morning, so that a
# rupture's recovery appears in the demo without a command.
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_FOLDER = VAR_DIR / "celery-broker"
    (CELERY_BROKER_FOLDER / "messages").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "messages"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "messages"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
    }
    CELERY_BEAT_SCHEDULE["demo-reconcile-subventions"] = {
        "task": "conseillers.tasks.reconcile_subventions",
        "schedule": float(env_int("DEMO_RECONCILE_SECONDS", 60)),
    }

# Renewal of a convention (reconventionnement): the structure answers from this many months before
# the end of its convention (the end of its last post's schedule) until that end, and ANCT opens
# the renewed convention under this regime (a regime's code: régimes are data).
CONSEILLERS_RENEWAL_WINDOW_MONTHS = env_int("CONSEILLERS_RENEWAL_WINDOW_MONTHS", 6)
CONSEILLERS_RENEWAL_REGIME = env_str("CONSEILLERS_RENEWAL_REGIME", "reconventionnement-2023")

# FranceConnect client credentials (the discovery URL is read above, for the CSP).
FRANCECONNECT_CLIENT_ID = env_str("FRANCECONNECT_CLIENT_ID", "aidants-connect-demo")
# The demo's secret for the mock provider (public: see franceconnect_mock/demo.py); a real
# deployment sets its own, and the client refuses to start a login without one.
FRANCECONNECT_CLIENT_SECRET = env_str(
    "FRANCECONNECT_CLIENT_SECRET", "demo-franceconnect-secret-0123456789abcdef" if DEMO else ""
)
# Aidants Connect: the key of the salted hashes of FranceConnect `sub` (usager lookup) and of the
# journal's pseudonymous references. Set a dedicated key in production: rotating SECRET_KEY would
# otherwise make every usager unfindable.
AIDANTS_CONNECT_HASH_KEY = env_str("AIDANTS_CONNECT_HASH_KEY", SECRET_KEY)
# The keys that seal the Aidants Connect journal (HMAC-SHA256), `id:secret` pairs: the first seals
# new entries, the others still verify the entries they sealed (rotation: put the new pair first,
# keep the old ones). Never stored in the database, so whoever owns the journal's table cannot
# re-seal a forged entry. The demo derives one from SECRET_KEY; production refuses to start without.
JOURNAL_SEAL_KEYS = env_pairs("JOURNAL_SEAL_KEYS")
if not JOURNAL_SEAL_KEYS:
    if not DEMO:
        raise ImproperlyConfigured(
            "JOURNAL_SEAL_KEYS est vide : la clé de scellement du journal Aidants Connect est "
            "obligatoire hors du mode démonstration (DEMO=1), sous la forme identifiant:secret "
            "(secret d'au moins 32 caractères, distinct de SECRET_KEY)."
        )
    JOURNAL_SEAL_KEYS = {"demo": hashlib.sha256(f"journal-seal:{SECRET_KEY}".encode()).hexdigest()}
if not DEMO and any(len(secret) < 32 for secret in JOURNAL_SEAL_KEYS.values()):
    raise ImproperlyConfigured(
        "JOURNAL_SEAL_KEYS contient un secret trop court : 32 caractères au moins en production."
    )
# The key encrypting the seeds of the physical TOTP cards: a Fernet key (32 random bytes in
# url-safe base64), e.g. `python -c "from cryptography.fernet import Fernet as F;
# print(F.generate_key().decode())"`.
# The demo derives one from SECRET_KEY; without it, production refuses to load cards. Changing it
# makes the cards already loaded unreadable.
AIDANTS_CONNECT_CARD_SEED_KEY = env_str("AIDANTS_CONNECT_CARD_SEED_KEY")
# The wording new mandates are signed with: a template mandats/attestation/legal_text/<version>.html
# must exist (checked at startup). Signed mandates keep the version they were signed with.
AIDANTS_CONNECT_MANDAT_TEXT_VERSION = env_str("AIDANTS_CONNECT_MANDAT_TEXT_VERSION", "2025-01")
OTP_TOTP_ISSUER = "Aidants Connect"
# The public organisation request (no account): limits per client address and per email address
# on the requests sent and on the confirmation links emailed (counted in the shared cache, see
# mandats.request_limits), unconfirmed requests open per address (counted in the database), and
# the days after which an unconfirmed request expires (its personal data erased by a daily task).
ORGANISATION_REQUESTS_PER_CLIENT_PER_HOUR = env_int("ORGANISATION_REQUESTS_PER_CLIENT_PER_HOUR", 5)
ORGANISATION_REQUESTS_PER_EMAIL_PER_DAY = env_int("ORGANISATION_REQUESTS_PER_EMAIL_PER_DAY", 3)
ORGANISATION_REQUEST_LINKS_PER_CLIENT_PER_HOUR = env_int(
    "ORGANISATION_REQUEST_LINKS_PER_CLIENT_PER_HOUR", 10
)
ORGANISATION_REQUEST_LINKS_PER_EMAIL_PER_DAY = env_int(
    "ORGANISATION_REQUEST_LINKS_PER_EMAIL_PER_DAY", 5
)
ORGANISATION_REQUESTS_UNCONFIRMED_PER_EMAIL = env_int(
    "ORGANISATION_REQUESTS_UNCONFIRMED_PER_EMAIL", 3
)
ORGANISATION_REQUEST_UNCONFIRMED_DAYS = env_int("ORGANISATION_REQUEST_UNCONFIRMED_DAYS", 7)
# A physical TOTP card's association: wrong codes typed for one card before its association is
# locked (until the ANCT unlocks it), and wrong codes or serial numbers one référent may type
# per hour, whatever the cards.
AIDANTS_CONNECT_CARD_FAILURES_BEFORE_LOCK = env_int("AIDANTS_CONNECT_CARD_FAILURES_BEFORE_LOCK", 5)
AIDANTS_CONNECT_CARD_FAILURES_PER_REFERENT_PER_HOUR = env_int(
    "AIDANTS_CONNECT_CARD_FAILURES_PER_REFERENT_PER_HOUR", 10
)
# The mock provider answers under /mock-franceconnect/ in the demo and in tests; production leaves
# it off (FRANCECONNECT_MOCK_ENABLED=0) and points the client at the real FranceConnect.
FRANCECONNECT_MOCK_ENABLED = env_bool("FRANCECONNECT_MOCK_ENABLED", DEMO)
# When the mock runs as its own service, browsers and servers may reach it at different
# addresses: its issuer is then pinned here (empty: derived from the request).
FRANCECONNECT_MOCK_ISSUER = env_str("FRANCECONNECT_MOCK_ISSUER")
# Aidants Connect as an identity provider: its issuer, pinned behind a proxy where the request's
# host would mislead (empty: the site root as the request reaches it).
IDP_ISSUER = env_str("IDP_ISSUER")
# Who the demo's FranceConnect identifies to the demo client (claims and sub, by login), so that
# the demo usagers are those people: the mock, named here rather than imported by the product.
FRANCECONNECT_DEMO_IDENTITIES = "franceconnect_mock.demo.identities"

# What the footer's documents (legal notice, personal data, accessibility) name: each deployment
# writes its own; the defaults say what is missing rather than invent it.
LEGAL_PUBLICATION_DIRECTOR = env_str(
    "LEGAL_PUBLICATION_DIRECTOR",
    "le directeur général de l'Agence nationale de la cohésion des territoires",
)
LEGAL_HOSTING = env_str(
    "LEGAL_HOSTING",
    "à préciser par l'exploitant (raison sociale, adresse et téléphone de l'hébergeur)",
)
DPO_CONTACT = env_str("DPO_CONTACT", "à préciser par l'exploitant (adresse du délégué)")
SUPPORT_CONTACT = env_str("SUPPORT_CONTACT", "à préciser par l'exploitant (adresse de contact)")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ne-pas-repondre@inclusion-numerique.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Records about a request (django.request, django.security…) carry the client's address as
    # core.client_address decides it, not the proxy's.
    "filters": {"client_ip": {"()": "core.client_address.ClientAddressLogFilter"}},
    "formatters": {"with_client": {"format": "%(levelname)s %(name)s [%(client_ip)s] %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["client_ip"],
            "formatter": "with_client",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes tells of every attempt at INFO; its warnings (failures, lockouts) are enough.
    "loggers": {
        "axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")},
        # Seven progress lines per PDF at INFO: only its warnings (a missing glyph) matter.
        "weasyprint": {"level": "WARNING"},
    },
}

DSFR_USE_INTEGRITY_CHECKSUMS = True
# Mark optional fields rather than required ones, as the DSFR now advises.
DSFR_MARK_OPTIONAL_FIELDS = True
