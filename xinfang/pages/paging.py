"""Paging long lists without counting them: a page says "more than N" instead of an exact total.

Counting every row a provincial inspector or a busy inbox holds cost more than the rest of the
page at 10,000,000 letters (docs/benchmarks.md, issue 17 §3): the count reads and checks every
row, while the page itself reads 25 from an index.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

COUNT_CAP = 1000  # rows counted at most; a multiple of the page sizes (25, 50) so that pages end evenly


class CappedPaginator(Paginator[Any]):
    """A paginator that counts at most ``COUNT_CAP`` rows (one ``LIMIT`` query).

    Past the cap, ``count`` is the cap, ``capped`` is true and the pages reach the first
    ``COUNT_CAP`` rows: the reader narrows the list with its filters to go further.
    """

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        if isinstance(self.object_list, QuerySet):  # unordered: any cap + 1 rows will do, no sort
            return self.object_list.order_by()[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap


def capped_page(items: QuerySet[Any] | list[Any], size: int, number: Any) -> Page[Any]:
    """The page ``number`` (as given in the request; bad values give the first or last page)."""
    return CappedPaginator(items, size).get_page(number)
