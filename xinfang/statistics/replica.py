"""Where the statistics read their rollups: the streaming replica when one is configured.

``DATABASE_REPLICA_URL`` adds the ``replica`` database (settings). The analysts' pages, the
worker's statistics exports and the periodic reports read the counted figures — ``Rollup``,
``SubtreeRollup`` and the count's watermark — there, so their long reads stay off the primary.
Those rows change only when the worker counts (every few minutes), so a replica's lag of seconds
changes nothing anyone sees. Everything else stays on the primary: every write, the worker's own
reads while it counts, the live figures (letters overdue now), and the people and units a page
names. docs/scaling.md §5.
"""

from __future__ import annotations

from django.db import connections

REPLICA = "replica"


def rollup_db() -> str:
    """The database alias the statistics read counted figures from."""
    return REPLICA if REPLICA in connections.settings else "default"
