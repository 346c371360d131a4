"""Letters follow changes to the unit tree and to the holiday calendar."""

from __future__ import annotations

from collections.abc import Mapping

from xinfang.accounts.models import User
from xinfang.letters import due_dates
from xinfang.letters.lifecycle import Action, apply
from xinfang.letters.models import (
    Letter,
)
from xinfang.letters.services._common import S
from xinfang.orgs.models import Unit


def letters_follow_merged_unit(*, mapping: Mapping[int, Unit], actor: User, reason: str) -> int:
    """Open letters held by merged units move to their counterparts, each with a timeline row."""
    moved = 0
    open_letters = Letter.objects.filter(state__in=S.open_states())
    for letter in open_letters.filter(handling_unit_id__in=list(mapping)).select_related("mailbox"):
        new_unit = mapping[letter.handling_unit_id]  # type: ignore[index]
        apply(letter, Action.FOLLOW_MERGED_UNIT, actor=None, reason=reason,
              changes={"handling_unit": new_unit}, data={"unit": new_unit.code, "by": actor.pk})  # fmt: skip
        moved += 1
    for field in ("intake_unit", "review_unit", "reexam_unit", "owing_unit"):
        for old_id, new_unit in mapping.items():
            open_letters.filter(**{f"{field}_id": old_id}).update(**{field: new_unit})
    return moved


def letters_recompute_provisional_due_dates(*, year: int) -> int:
    """After a year's holidays are loaded, recompute every provisional due date; returns how many changed."""
    changed = 0
    for letter in Letter.objects.filter(due_provisional=True).select_related("mailbox").iterator():
        values = due_dates.compute(letter).as_changes(letter.state)
        if any(getattr(letter, name) != value for name, value in values.items()):
            Letter.objects.filter(pk=letter.pk).update(**values)
            changed += 1
    return changed
