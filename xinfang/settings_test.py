"""Test settings: the real settings with a fast password hasher, files under a temp dir and keys
made afresh for each test run (no test depends on var/secrets.json or on a key in the code).

The keys are handed down to the processes a test starts (a worker, a second web process) through
the environment, so that they read what the test process wrote."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from xinfang import local_secrets
from xinfang.settings import *  # noqa: F403

_INHERITED = "XINFANG_TEST_KEYS"
if _INHERITED not in os.environ:
    _fresh = local_secrets.fresh()
    os.environ[_INHERITED] = json.dumps(
        {
            "secret_key": _fresh.secret_key,
            "vault_keys": _fresh.vault_keys,
            "lookup_key": _fresh.lookup_key,
            "log_key": local_secrets.fresh_log_key(),
        }
    )
_keys = json.loads(os.environ[_INHERITED])
SECRET_KEY = _keys["secret_key"]
XINFANG_VAULT_KEYS = _keys["vault_keys"]
XINFANG_LOOKUP_KEY = _keys["lookup_key"]
XINFANG_LOG_SIGNING_KEY = _keys["log_key"]
XINFANG_LOG_SINK_DIR = Path(tempfile.mkdtemp(prefix="xinfang-tree-heads-"))

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="xinfang-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SMS_BACKEND = "locmem"
