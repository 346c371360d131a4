"""Report the pre-dispatch figures on the labelled corpus, per part (dev / held-out)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from xinfang.analysis.dispatch_eval import evaluate, load, part
from xinfang.orgs.models import Unit


class Command(BaseCommand):
    help = "Accuracy of the place, police-type, letter-type, accused-unit and officer suggestions."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--misses", action="store_true", help="list the letters each suggestion got wrong")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = load()
        with_units = _tree_loaded()
        if not with_units:
            self.stdout.write("the unit tree is not loaded (manage.py load_units): accused units not measured")
        for name in ("dev", "held_out"):
            chosen = [row for row in rows if part(row) == name]
            self.stdout.write(f"{name}: {len(chosen)} letters")
            for kind, score in evaluate(chosen, with_units=with_units).items():
                self.stdout.write(f"  {kind:12} {score.right:3}/{score.total:<3} {score.rate:6.1%}")
                if options["misses"]:
                    for miss in score.misses:
                        self.stdout.write(f"      {miss}")


def _tree_loaded() -> bool:
    try:
        return Unit.objects.exists()
    except DatabaseError:
        return False
