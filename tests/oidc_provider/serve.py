"""Run the test identity provider: ``python -m tests.oidc_provider.serve REDIRECT_URI...``.

1. Bind a threaded WSGI server to a free loopback port (so the issuer address is known).
2. Set up the provider's database (in memory): tables, one RS256 signing key, the residents, and the
   confidential client ``xinfang-portal`` allowed to return to each REDIRECT_URI.
3. Print ``READY <port>`` on one line and serve until killed.
"""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

CLIENT_ID = "xinfang-portal"
CLIENT_SECRET = "xinfang-portal-test-secret"


class Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _set_up(redirect_uris: list[str]) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType, RSAKey

    from tests.oidc_provider.site import PASSWORD, RESIDENTS

    call_command("migrate", verbosity=0, interactive=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    RSAKey.objects.create(key=pem.decode())
    for username in RESIDENTS:
        User.objects.create_user(username=username, password=PASSWORD)
    client = Client.objects.create(
        name="公安信访",
        client_type="confidential",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        jwt_alg="RS256",
        require_consent=True,
        reuse_consent=False,
        _redirect_uris="\n".join(redirect_uris),
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


def main(redirect_uris: list[str]) -> None:
    server = Server(("127.0.0.1", 0), QuietHandler)
    port = server.server_address[1]
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tests.oidc_provider.site",
        OIDC_TEST_SITE_URL=f"http://127.0.0.1:{port}",
    )
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    _set_up(redirect_uris)
    server.set_app(get_wsgi_application())
    print(f"READY {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
