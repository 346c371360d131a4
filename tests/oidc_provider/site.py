"""Settings and residents of the test identity provider (a separate Django project).

The provider's database is SQLite in memory; its address is ``OIDC_TEST_SITE_URL``, set by
``serve`` before Django starts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

SITE_URL = os.environ.get("OIDC_TEST_SITE_URL", "http://127.0.0.1")

SECRET_KEY = "test-identity-provider-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_provider.urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
# In memory, shared by the server's threads: the main thread's connection keeps it alive.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "file:oidc-provider?mode=memory&cache=shared"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast: a test server
LOGIN_URL = "/accounts/login/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The claims go into the ID token itself (signed RS256), as a provincial platform's do.
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
OIDC_USERINFO = "tests.oidc_provider.site.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.oidc_provider.claims.IdCardScopeClaims"

PASSWORD = "provider-pass-1"
# Residents of the test platform: username → (name, resident ID number, mobile number).
RESIDENTS = {
    "zhangsan": ("张三", "110101199003074514", "13800138000"),
    "wangfang": ("王芳", "44010619850101231X", "13900139000"),
}


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    name, _id_number, phone = RESIDENTS[user.username]
    claims.update(name=name, phone_number=phone, phone_number_verified=True)
    return claims


def id_number_of(user: Any) -> str:
    return RESIDENTS[user.username][1]


# Cookies are per host, not per port: on 127.0.0.1 beside the product, the provider's own names
# keep its session from replacing the product's (which holds the sign-in's state and nonce).
SESSION_COOKIE_NAME = "provider_sessionid"
CSRF_COOKIE_NAME = "provider_csrftoken"
