"""Report the pre-dispatch figures on the labelled corpus, per part (dev / held-out).

The accused unit and the routed unit need the unit tree. If this database has none (a fresh
checkout), the command builds a throwaway test database (as the test suite does: migrations, then
``load_units`` and the default mailboxes), measures there, and drops it: about 15 seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection

from xinfang.analysis.dispatch_eval import evaluate, load, part
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import ensure_default_mailboxes, load_units


class Command(BaseCommand):
    help = "Accuracy of the pre-dispatch suggestions and of the unit routing then proposes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--misses", action="store_true", help="list the letters each suggestion got wrong")
        parser.add_argument(
            "--part",
            choices=("dev", "held_out"),
            help="measure one part only (tune on dev misses; read held-out misses only with the code frozen)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with self._tree():
            rows = load()
            for name in (options["part"],) if options["part"] else ("dev", "held_out"):
                chosen = [row for row in rows if part(row) == name]
                self.stdout.write(f"{name}: {len(chosen)} letters")
                for kind, score in evaluate(chosen).items():
                    self.stdout.write(f"  {kind:14} {score.right:3}/{score.total:<3} {score.rate:6.1%}")
                    if options["misses"]:
                        for miss in score.misses:
                            self.stdout.write(f"      {miss}")

    @contextmanager
    def _tree(self) -> Iterator[None]:
        if _tree_loaded():
            yield
            return
        self.stdout.write("the unit tree is not loaded here: measuring in a throwaway test database (about 15 s)")
        name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            load_units()
            ensure_default_mailboxes()
            yield
        finally:
            connection.creation.destroy_test_db(name, verbosity=0)


def _tree_loaded() -> bool:
    try:
        return Unit.objects.exists() and Mailbox.objects.exists()
    except DatabaseError:
        return False
