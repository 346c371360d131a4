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
    """
    last = 0
    while batch := list(rows.filter(pk__gt=last).order_by("pk")[:size]):
        yield from batch
        if len(batch) < size:
            return
        last = batch[-1].pk
