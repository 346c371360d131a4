"""Production settings pass Django's deployment checklist (``manage.py check --deploy``) with no warning.

The environment is what a production start needs: a strong secret key, the host name, the
identity vault's keys and the transparency log's signing key (start-up refuses production without them),
and the identity platform that verifies citizens' real names (accounts.verification).
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="xinfang.settings",
        XINFANG_PRODUCTION="1",
        XINFANG_SECRET_KEY=secrets.token_urlsafe(64),
        XINFANG_ALLOWED_HOSTS="xinfang.example.gov.cn",
        XINFANG_VAULT_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        XINFANG_LOOKUP_KEY=secrets.token_urlsafe(48),
        XINFANG_LOG_SIGNING_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        XINFANG_VAR_DIR=str(tmp_path),
        XINFANG_OIDC_ISSUER="https://ids.example.gov.cn/openid",
        XINFANG_OIDC_CLIENT_ID="xinfang",
        XINFANG_OIDC_CLIENT_SECRET=secrets.token_urlsafe(32),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
