"""Print the current authenticator code of a demo staff account (never in production).

For trying the product without a phone: ``manage.py demo_totp gd-acceptor`` prints the code the
account's authenticator would show now, for an enrolled authenticator or for the one on the
enrolment page that is waiting for its first code.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp

from xinfang.accounts.demo import demo_cast
from xinfang.accounts.models import User
from xinfang.signin.selectors import authenticator_or_enrolment


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account's authenticator (refused when XINFANG_PRODUCTION=1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="a demo account from docs/demo.md, e.g. gd-acceptor")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo_totp is for demonstrations and is refused when XINFANG_PRODUCTION=1.")
        username: str = options["username"]
        if username not in {person.username for person, _ in demo_cast()}:
            raise CommandError(f"{username!r} is not a demo account (see docs/demo.md).")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"{username!r} has not been created yet: run `manage.py seed_demo`.")
        device = authenticator_or_enrolment(user)
        if device is None:
            raise CommandError(f"{username} has no authenticator yet: sign in with the password first.")
        # What a phone with an exact clock shows; the device's recorded drift is for the server's side.
        code = str(totp(device.bin_key, device.step, device.t0, device.digits)).zfill(device.digits)
        seconds_left = device.step - int(time.time() - device.t0) % device.step
        state = "enrolled" if device.confirmed else "waiting for enrolment"
        self.stdout.write(f"{code}  ({username}, authenticator {state}; valid for {seconds_left} more seconds)")
