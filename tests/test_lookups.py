"""``any_of`` (xinfang/lookups.py) finds exactly the rows ``__in`` finds, on both databases.

The unit-id filters of the access policy use it: a row it missed would hide a letter from those
who may see it, a row too many would show one across recusal."""

from __future__ import annotations

import pytest

from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.django_db


def _pks(rows: object) -> list[int]:
    return sorted(rows.values_list("pk", flat=True))  # type: ignore[attr-defined]


def test_any_of_finds_what_in_finds_for_keys_and_foreign_keys(tree: None) -> None:
    ids = sorted(Unit.objects.filter(division_code__startswith="44").values_list("pk", flat=True))
    owners = ids[::3]
    assert len(ids) > 20
    assert _pks(Unit.objects.filter(pk__any_of=ids)) == ids
    by_column = _pks(Mailbox.objects.filter(owner_id__any_of=owners))
    assert by_column == _pks(Mailbox.objects.filter(owner_id__in=owners))
    assert by_column == _pks(Mailbox.objects.filter(owner__any_of=owners))
    assert _pks(Mailbox.objects.filter(owner_id__any_of=ids)) == _pks(Mailbox.objects.filter(owner_id__in=ids)) != []


def test_excluding_keeps_the_rows_whose_key_is_empty(tree: None) -> None:
    """``exclude(accused_unit_id__in=…)`` keeps letters that accuse nobody; so must ``any_of``."""
    some = list(
        Unit.objects.filter(bureau_of_department__isnull=False).values_list("bureau_of_department_id", flat=True)[:5]
    )
    kept = _pks(Unit.objects.exclude(bureau_of_department_id__any_of=some))
    assert kept == _pks(Unit.objects.exclude(bureau_of_department_id__in=some))
    assert Unit.objects.filter(bureau_of_department__isnull=True, pk__in=kept).exists()


def test_an_empty_list_matches_nothing_and_excludes_nothing(tree: None) -> None:
    assert not Unit.objects.filter(pk__any_of=[]).exists()
    assert Unit.objects.exclude(pk__any_of=[]).count() == Unit.objects.count()
