"""Keyset paging over a large queryset (``xinfang.batches.by_pk``), used by the sweeps and retention."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.batches import by_pk
from xinfang.orgs.choices import UnitLevel
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db


def test_every_row_once_in_key_order_across_batches(tree: None) -> None:
    counties = Unit.objects.filter(level=UnitLevel.COUNTY, division_code__startswith="44").select_related("merged_into")
    expected = list(counties.order_by("pk").values_list("pk", flat=True))
    assert len(expected) > 100

    walked = [unit.pk for unit in by_pk(counties, 37)]

    assert walked == expected


def test_nothing_found_costs_one_narrow_query(tree: None) -> None:
    nothing = Unit.objects.filter(code="no-such-unit").select_related("merged_into")
    with CaptureQueriesContext(connection) as queries:
        assert list(by_pk(nothing, 500)) == []
    assert len(queries) == 1
    assert "merged_into" not in queries[0]["sql"].lower()
