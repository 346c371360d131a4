"""Reads for the handler, leader and inspector workspaces and the letter page.

Every list starts from ``access.letters_visible_to`` so that recusal (回避) and unit scope are
applied once, in one place, and then narrows by the indexed columns (holding unit, state,
``current_due``). Lists are sorted by the due date the authorities owe, undated last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.accounts.models import User
from xinfang.letters.access import letters_owed_under_visible_to, letters_visible_to
from xinfang.letters.models import Extension, Letter, LetterEvent, LetterState, Message, SupervisionOrder
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import bureau_unit_ids, in_units, unit_ids_under

S = LetterState

# The states in which a handling unit (or a reviewing superior) owes the next step.
WORK_STATES = (S.ASSIGNED, S.IN_HANDLING, S.REPLY_DRAFTED, S.REVIEW_REQUESTED, S.REEXAM_REQUESTED)
LIST_RELATED = ("mailbox", "handling_unit", "intake_unit")


class Light(StrEnum):
    """The traffic light of a letter's current due date."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NONE = "none"

    @property
    def label(self) -> Promise:
        return LIGHT_LABELS[self]


LIGHT_LABELS = {
    Light.ON_TIME: _("正常"),
    Light.DUE_SOON: _("临期"),
    Light.OVERDUE: _("逾期"),
    Light.NONE: _("无期限"),
}


def today() -> dt.date:
    return timezone.localdate()


def due_soon_until(day: dt.date) -> dt.date:
    """The last day that still counts as "due soon" (``XINFANG_DUE_SOON_DAYS`` ahead)."""
    return day + dt.timedelta(days=settings.XINFANG_DUE_SOON_DAYS)


def light_of(due: dt.date | None, *, on: dt.date | None = None) -> Light:
    day = on or today()
    if due is None:
        return Light.NONE
    if due < day:
        return Light.OVERDUE
    if due <= due_soon_until(day):
        return Light.DUE_SOON
    return Light.ON_TIME


def light_filter(light: str, *, on: dt.date | None = None) -> Q:
    """The ``current_due`` condition for one traffic light (the same rule as :func:`light_of`)."""
    day = on or today()
    conditions = {
        Light.OVERDUE: Q(current_due__lt=day),
        Light.DUE_SOON: Q(current_due__gte=day, current_due__lte=due_soon_until(day)),
        Light.ON_TIME: Q(current_due__gt=due_soon_until(day)),
        Light.NONE: Q(current_due__isnull=True),
    }
    return conditions[Light(light)]


def by_due_date(qs: QuerySet[Letter]) -> QuerySet[Letter]:
    return qs.order_by(F("current_due").asc(nulls_last=True), "received_at", "pk")


def _bureau_q(prefix: str, bureau: Unit) -> Q:
    """Rows whose ``prefix`` unit is ``bureau`` itself or one of its departments."""
    return in_units(prefix, bureau_unit_ids(bureau))


# ---------------------------------------------------------------- handler workspace


@dataclass(frozen=True)
class WorkFilters:
    mine: bool = False
    state: str = ""
    letter_type: str = ""
    light: str = ""
    query: str = ""


def unit_work(user: User) -> QuerySet[Letter]:
    """Letters the user's bureau owes work on now: handling, or answering a review / re-examination."""
    if user.unit is None:
        return Letter.objects.none()
    bureau = user.unit.bureau
    owes = (
        (Q(state__in=[S.ASSIGNED, S.IN_HANDLING, S.REPLY_DRAFTED]) & _bureau_q("handling_unit", bureau))
        | (Q(state=S.REVIEW_REQUESTED) & _bureau_q("review_unit", bureau))
        | (Q(state=S.REEXAM_REQUESTED) & _bureau_q("reexam_unit", bureau))
    )
    return letters_visible_to(user).filter(owes)


def worked_on_by(user: User) -> Q:
    """Letters ``user`` has acted on (a timeline step or a message): "my letters".

    Letters have no personal assignee; the person who started handling, drafted, wrote to the
    citizen or left a note is the one who has it in hand. Read from the person's side (their
    steps and messages, each list read once and hashed): a correlated ``EXISTS`` per letter of the
    unit was planned as an index intersection per letter and took 300 ms at 10,000,000 letters
    (docs/benchmarks.md).
    """
    steps = LetterEvent.objects.filter(actor=user).values("letter_id")
    messages = Message.objects.filter(author=user).values("letter_id")
    return Q(pk__in=steps) | Q(pk__in=messages)


def work_queue(user: User, filters: WorkFilters) -> QuerySet[Letter]:
    qs = unit_work(user)
    if filters.mine:
        qs = qs.filter(worked_on_by(user))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.letter_type:
        qs = qs.filter(letter_type=filters.letter_type)
    if filters.light:
        qs = qs.filter(light_filter(filters.light))
    if filters.query:
        term = filters.query.strip()
        qs = qs.filter(Q(tracking_number__iexact=term) | Q(subject__icontains=term))
    return by_due_date(qs.select_related(*LIST_RELATED))


# ---------------------------------------------------------------- leader


def approvals_inbox(leader: User) -> QuerySet[Letter]:
    """Reply drafts and pending extension requests of the leader's bureau, by due date."""
    if leader.unit is None:
        return Letter.objects.none()
    pending = Extension.objects.filter(letter=OuterRef("pk"), status=Extension.Status.PENDING)
    waiting = Q(state=S.REPLY_DRAFTED) | Q(Exists(pending), state__in=[S.ASSIGNED, S.IN_HANDLING, S.REPLY_DRAFTED])
    qs = letters_visible_to(leader).filter(_bureau_q("handling_unit", leader.unit.bureau)).filter(waiting)
    # The accused unit: the page asks of each row whether the leader is recused (``access.is_recused``).
    return by_due_date(qs.select_related(*LIST_RELATED, "accused_unit"))


def pending_extensions(letters: list[Letter]) -> dict[int, Extension]:
    """The pending extension request of each letter that has one (one query).

    The letters' extensions are prefetched, so that asking whether a row's extension may be
    decided (``access`` reads ``letter.extensions.all()``) asks nothing more."""
    prefetch_related_objects(letters, Prefetch("extensions", Extension.objects.select_related("requested_by")))
    return {
        extension.letter_id: extension
        for letter in letters
        for extension in letter.extensions.all()
        if extension.status == Extension.Status.PENDING
    }


def open_orders_exist() -> Exists:
    return Exists(SupervisionOrder.objects.filter(letter=OuterRef("pk"), responded_at__isnull=True))


def important_letters(leader: User) -> QuerySet[Letter]:
    """Open letters under the leader's bureau that a leader should read: overdue or due soon,
    under supervision, returned more than once, against a unit's leadership, or under review."""
    if leader.unit is None:
        return Letter.objects.none()
    under = unit_ids_under(leader.unit.bureau)
    held = in_units("handling_unit", under) | (Q(handling_unit__isnull=True) & in_units("intake_unit", under))
    important = (
        Q(current_due__lte=due_soon_until(today()))
        | Q(supervision_flag=True)
        | Q(open_orders_exist())
        | Q(return_count__gte=2)
        | Q(accuses_leadership=True)
        | Q(state__in=[S.REVIEW_REQUESTED, S.REEXAM_REQUESTED])
    )
    qs = letters_visible_to(leader).filter(held, important, state__in=S.open_states())
    return by_due_date(qs.select_related(*LIST_RELATED))


# ---------------------------------------------------------------- inspector


def supervised_letters(inspector: User) -> QuerySet[Letter]:
    """Open letters owed by units under the inspector's bureau."""
    if inspector.unit is None:
        return Letter.objects.none()
    return letters_owed_under_visible_to(inspector).filter(state__in=S.open_states())


@dataclass(frozen=True)
class UnitCount:
    unit: Unit
    overdue: int
    due_soon: int


def late_counts_by_unit(inspector: User) -> list[UnitCount]:
    """Overdue and due-soon letters per owing unit, most overdue first (one grouped query)."""
    day = today()
    rows = (
        supervised_letters(inspector)
        .filter(state__in=S.authority_clock_states(), current_due__lte=due_soon_until(day))
        .values("owing_unit")
        .annotate(
            overdue=Count("pk", filter=light_filter(Light.OVERDUE, on=day)),
            due_soon=Count("pk", filter=light_filter(Light.DUE_SOON, on=day)),
        )
        .order_by()
    )
    counts = {row["owing_unit"]: (row["overdue"], row["due_soon"]) for row in rows}
    units = Unit.objects.in_bulk(list(counts))
    result = [UnitCount(units[pk], *counts[pk]) for pk in counts if pk in units]
    return sorted(result, key=lambda c: (-c.overdue, -c.due_soon, c.unit.path))


@dataclass(frozen=True)
class SupervisionFilters:
    unit: Unit | None = None
    light: str = ""
    flagged: bool = False
    returned: bool = False
    ordered: bool = False


def supervision_letters(inspector: User, filters: SupervisionFilters) -> QuerySet[Letter]:
    qs = supervised_letters(inspector)
    if filters.unit is not None:
        qs = qs.filter(owing_unit=filters.unit)
    if filters.light:
        qs = qs.filter(light_filter(filters.light), state__in=S.authority_clock_states())
    if filters.flagged:
        qs = qs.filter(supervision_flag=True)
    if filters.returned:
        qs = qs.filter(return_count__gte=2)
    if filters.ordered:
        qs = qs.filter(open_orders_exist())
    return by_due_date(qs.select_related(*LIST_RELATED))


@dataclass(frozen=True)
class SupervisionSummary:
    flagged: int
    returned: int
    open_orders: int
    overdue_orders: int


def supervision_summary(inspector: User) -> SupervisionSummary:
    """The overview's figures. The letters are counted one figure at a time, each from its own
    partial index (``letter_owing_flagged_idx``, ``letter_owing_returned_idx``): one pass over a
    province's open letters took 40 ms at 10,000,000 letters (docs/benchmarks.md)."""
    letters = supervised_letters(inspector)
    orders = (
        orders_of(inspector)
        .filter(responded_at__isnull=True)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=today())))
    )
    flagged = letters.filter(supervision_flag=True).count()
    returned = letters.filter(return_count__gte=2).count()
    return SupervisionSummary(flagged, returned, orders["open"], orders["overdue"])


ORDER_STATUSES = ("open", "overdue", "answered")


def orders_of(inspector: User) -> QuerySet[SupervisionOrder]:
    """Supervision orders issued by the inspector's bureau (by hand or automatically)."""
    if inspector.unit is None:
        return SupervisionOrder.objects.none()
    visible = letters_visible_to(inspector).values("pk")
    return SupervisionOrder.objects.filter(_bureau_q("issuing_unit", inspector.unit.bureau), letter__in=visible)


def supervision_orders(inspector: User, status: str = "open") -> QuerySet[SupervisionOrder]:
    qs = orders_of(inspector).select_related("letter", "letter__handling_unit", "letter__intake_unit", "issued_by")
    if status == "answered":
        return qs.filter(responded_at__isnull=False).order_by("-responded_at", "-pk")
    qs = qs.filter(responded_at__isnull=True)
    if status == "overdue":
        qs = qs.filter(due__lt=today())
    return qs.order_by("due", "pk")


# ---------------------------------------------------------------- the letter page


def timeline(letter: Letter) -> QuerySet[LetterEvent]:
    return letter.events.select_related("actor").order_by("at", "pk")


def units_by_code(codes: set[str]) -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(code__in=codes)}
