"""``manage.py mail_in`` that kills itself (SIGKILL) right after a message is stored, before it answers.

Run by ``test_crash.py`` as ``python -m tests.mailin.dying_server PORT``: the moment between the
spool's commit and the 250 cannot be hit from outside by timing, so the process dies there itself.
"""

from __future__ import annotations

import os
import signal
import sys

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    from xinfang.mailin import smtp

    store = smtp.message_spool

    def store_then_die(**kwargs: object) -> object:
        store(**kwargs)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGKILL)
        raise AssertionError("unreachable")

    smtp.message_spool = store_then_die  # type: ignore[assignment]
    call_command("mail_in", "--host", "127.0.0.1", "--port", sys.argv[1])


if __name__ == "__main__":
    main()
