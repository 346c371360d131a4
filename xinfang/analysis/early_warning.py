"""Early warning (预警): one unit or officer named as accused by several different writers in a short time.

For each mailbox, its :class:`~xinfang.analysis.models.WarningRule` (or the declared defaults: 3
writers in 90 days) says how many different writers within how many days make a warning. The
worker's job (:func:`early_warnings_scan`) counts, per mailbox, accused unit and officer (by badge
number, else by name, as the acceptor confirmed them on the letter), the distinct writers of the
letters received in the window: an account (citizen) or an anonymous caller is one writer; a letter
with neither (a post letter without a name) is not counted, since nobody can tell two apart.

A new warning notifies the inspectors above the unit: inspectors of the bureaus on its path from
the provincial department down (``orgs.selectors.bureau_chain``) that recusal lets see its letters
(so never the accused bureau's own). The warning names the unit, the officer and how many
writers, never who they are; its letters are listed to each inspector only as far as
``letters_visible_to`` lets them see (the console's early-warning page).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from xinfang.accounts.models import Role, User
from xinfang.analysis.models import DEFAULT_DAYS, DEFAULT_WRITERS, EarlyWarning, WarningRule
from xinfang.letters.access import letters_visible_to
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.recusal import accused_ids_recusing, recused
from xinfang.orgs.selectors import bureau_chain, unit_ids_under


@dataclass(frozen=True)
class Rule:
    writers: int
    days: int


def rules() -> dict[int, Rule]:
    """Each mailbox's own rule (mailboxes without one use the defaults, see :func:`rule_for`)."""
    return {r.mailbox_id: Rule(r.writers, r.days) for r in WarningRule.objects.filter(enabled=True)} | {
        r.mailbox_id: Rule(0, 0) for r in WarningRule.objects.filter(enabled=False)
    }


def rule_for(mailbox_id: int, own: dict[int, Rule]) -> Rule:
    return own.get(mailbox_id, Rule(DEFAULT_WRITERS, DEFAULT_DAYS))


@dataclass
class Group:
    letters: list[int] = field(default_factory=list)
    writers: set[str] = field(default_factory=set)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    officer: str = ""


def _subjects(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(officer_key, officer label) pairs a letter counts for: the unit itself, and its officer if named."""
    subjects = [("", "")]
    badge = str(row["accused_badge_number"] or "").strip()
    name = str(row["accused_officer_name"] or "").strip()
    if badge:
        subjects.append((f"badge:{badge}", f"{name} {badge}".strip()))
    elif len(name) >= 2 and not name.endswith("某"):
        subjects.append((f"name:{name}", name))
    return subjects


def early_warnings_scan(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Raise (and keep up to date) the warnings due now; notify inspectors of the new ones."""
    now = now or timezone.now()
    own = rules()
    longest = max([DEFAULT_DAYS, *(r.days for r in own.values())])
    rows = (
        Letter.objects.filter(received_at__gte=now - dt.timedelta(days=longest), accused_unit__isnull=False)
        .filter(Q(citizen__isnull=False) | Q(anonymous_caller__isnull=False))
        .values("pk", "mailbox_id", "accused_unit_id", "accused_badge_number", "accused_officer_name",
                "citizen_id", "anonymous_caller_id", "received_at")
        .order_by("received_at")
    )  # fmt: skip
    groups: dict[tuple[int, int, str], Group] = defaultdict(Group)
    for row in rows:
        rule = rule_for(int(row["mailbox_id"]), own)
        if not rule.writers or row["received_at"] < now - dt.timedelta(days=rule.days):
            continue
        writer = f"citizen:{row['citizen_id']}" if row["citizen_id"] else f"caller:{row['anonymous_caller_id']}"
        for key, label in _subjects(row):
            group = groups[(row["mailbox_id"], row["accused_unit_id"], key)]
            group.letters.append(row["pk"])
            group.writers.add(writer)
            group.first = group.first or row["received_at"]
            group.last = row["received_at"]
            group.officer = group.officer or label
    raised = updated = 0
    for (mailbox_id, unit_id, key), group in groups.items():
        rule = rule_for(mailbox_id, own)
        if len(group.writers) < rule.writers:
            continue
        warning, created = _save(mailbox_id, unit_id, key, group, rule, now)
        if created:
            raised += 1
            _notify(warning)
        else:
            updated += 1
    return {"raised": raised, "updated": updated}


def _save(
    mailbox_id: int, unit_id: int, key: str, group: Group, rule: Rule, now: dt.datetime
) -> tuple[EarlyWarning, bool]:
    with transaction.atomic():
        warning = (
            EarlyWarning.objects.select_for_update()
            .filter(mailbox_id=mailbox_id, accused_unit_id=unit_id, officer_key=key)
            .first()
        )
        # A warning whose letters all left the window is raised anew (and told anew) when it comes back.
        created = warning is None or (group.first is not None and group.first > warning.last_received_at)
        if warning is None:
            warning = EarlyWarning(mailbox_id=mailbox_id, accused_unit_id=unit_id, officer_key=key)
        warning.officer = group.officer
        warning.writers = len(group.writers)
        warning.days = rule.days
        assert group.first is not None and group.last is not None
        warning.first_received_at, warning.last_received_at = group.first, group.last
        if created:
            warning.raised_at = now
        warning.save()
        warning.letters.set(group.letters)
    return warning, created


def inspectors_above(unit: Unit) -> list[User]:
    """Active inspectors of the bureaus above ``unit`` (and of their departments) that may see its letters."""
    bureaus = [b for b in bureau_chain(unit) if not recused(b, unit)]
    if not bureaus:
        return []
    people = (
        User.objects.filter(is_active=True, kind=User.Kind.STAFF, role_grants__role=Role.INSPECTOR)
        .filter(Q(unit__in=bureaus) | Q(unit__bureau_of_department__in=bureaus))
        .select_related("unit")
        .distinct()
        .order_by("pk")
    )
    return [p for p in people if p.unit is not None and not recused(p.unit, unit)]


def _notify(warning: EarlyWarning) -> None:
    from xinfang.notifications.models import Kind
    from xinfang.notifications.recipients import Plan
    from xinfang.notifications.services import notify

    unit = Unit.objects.get(pk=warning.accused_unit_id)
    inspectors = tuple(inspectors_above(unit))
    if not inspectors:
        return
    name = f"{unit.name}{warning.officer and ' ' + warning.officer}"
    values = {"unit": name, "days": warning.days, "writers": warning.writers}
    source = f"warning:{warning.pk}:{warning.raised_at:%Y%m%d%H%M%S}"
    notify(plan=Plan(Kind.EARLY_WARNING, staff=inspectors, values=values), letter=None, source=source)


def warnings_for(user: User) -> QuerySet[EarlyWarning]:
    """The warnings an inspector follows: about units under their bureau that recusal lets them see."""
    if not user.is_active or user.is_citizen or user.unit is None or not user.has_role(Role.INSPECTOR):
        return EarlyWarning.objects.none()
    under = unit_ids_under(user.unit.bureau)
    warnings = EarlyWarning.objects.exclude(accused_unit_id__any_of=accused_ids_recusing(user.unit))
    if under is not None:
        warnings = warnings.filter(accused_unit_id__any_of=under)
    return warnings.select_related("accused_unit", "mailbox")


def visible_letters(warning: EarlyWarning, user: User) -> QuerySet[Letter]:
    """The warning's letters that ``user`` may open (the rest are counted, never shown)."""
    return letters_visible_to(user).filter(pk__in=warning.letters.values("pk")).order_by("-received_at")


def mailbox_rule(mailbox: Mailbox) -> Rule:
    return rule_for(mailbox.pk, rules())
