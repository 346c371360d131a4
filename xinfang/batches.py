"""Walking a large queryset in primary-key order, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


def by_pk(rows: QuerySet[M], size: int) -> Iterator[M]:
    """Every row of ``rows`` in primary-key order, ``size`` at a time (keyset paging).

    Memory stays flat at any size and no cursor stays open between batches, so the caller may
    write (and commit) as it goes; a short batch is the last, so the end costs no extra query.
    Each batch's keys are read first, then its rows: a query that finds nothing (the usual case
    for a sweep run often) costs one narrow query, not the compiling of every joined column.
    """
    keys = rows.order_by("pk").values_list("pk", flat=True)
    last = None
    while batch := list((keys if last is None else keys.filter(pk__gt=last))[:size]):
        yield from rows.filter(pk__in=batch).order_by("pk")
        if len(batch) < size:
            return
        last = batch[-1]
