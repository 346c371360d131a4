"""``field__any_of=ids``: the column is one of a list of integer keys, sent as ONE parameter.

Django's ``__in`` prepares every value on its own and sends one placeholder per value: a province's
~2,000 unit ids, four times in the letters a province's staff may see, cost ~20 ms of Python to
build the filter and as much again to bind and parse, on every console page (docs/benchmarks.md,
session 10). ``any_of`` sends the list as one array: ``col = ANY(%s::bigint[])`` on PostgreSQL,
which the planner treats exactly as ``IN (…)`` (same index scans), and ``col IN (SELECT value
FROM json_each(%s))`` on SQLite. Only for integer keys (ids), which is all it is used for.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup[Any]):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(value) for value in self.rhs]

    # ``lhs`` is the compiled column reference; the values travel as one bound parameter.
    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608  # nosec B608
        return sql, (*lhs_params, json.dumps(self.rhs))


# A foreign key reads only the lookups registered on ForeignObject and its subclasses.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
