"""The rollup job: keep ``Rollup`` (counters and day-count histograms) up to date from the letters' timeline.

Run by the worker (``worker.schedule.JOBS["statistics_rollup"]``), never by a page or by intake.
Each run reads the timeline rows (``LetterEvent``) after the watermark, recomputes what each letter
they touch contributes (:func:`letter_contribution`, from the letter and its whole timeline),
and applies the difference from what that letter contributed before (``LetterFigures``) to the
daily and monthly rows, of the unit (``Rollup``) and of every subtree it lies in (``SubtreeRollup``:
the unit and each unit above it). So a letter reclassified later (its police type set by the desk,
a repeat linked, a new handling unit) moves its own counts, and counting a letter twice changes
nothing.

Two workers at once: the watermark row is locked (``select_for_update``) for the whole batch and
advanced by a conditional update, so a second run waits and then finds nothing left, or fails
and rolls back. The watermark stops before any event younger than ``settle`` seconds, which is read
again next time (harmless: the counts are recomputed, not added), so that a transaction that
committed its event a little after a later one is not skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.letters.models import Letter, LetterEvent, Rating
from xinfang.statistics.figures import COUNTERS, DIMENSIONS, HISTOGRAMS, OVERTURNING
from xinfang.statistics.models import Grain, LetterFigures, Rollup, RollupWatermark, SubtreeRollup
from xinfang.statistics.replica import rollup_db

WATERMARK = "letter_events"
DECISIONS = {"accept": "accepted", "refuse": "refused", "refer": "referred", "redirect_emergency": "redirected"}
REPLIES = frozenset({"approve_reply", "reply_directly"})
COUNTED_ACTIONS = frozenset(
    {*DECISIONS, *REPLIES, "decide_extension", "evaluate", "request_review", "answer_review", "request_reexam",
     "answer_reexam"}
)  # fmt: skip
SATISFIED = frozenset({Rating.SATISFIED, Rating.BASICALLY_SATISFIED})
LETTER_FIELDS = (
    "id", "received_at", "intake_unit_id", "handling_unit_id", "repeat_of_id", "police_type", "channel",
    "letter_type", "mailbox_id", "division_code", "accused_unit_id", "accept_due", "reply_due",
)  # fmt: skip

Cell = tuple[str, dt.date, int, str, str]  # grain, start, unit_id, dim, key
HistCell = tuple[Cell, str, int]  # cell (slice "all"), measure, days
Deltas = dict[Cell, dict[str, int]]  # counter differences per cell
Days = dict[Cell, dict[str, dict[str, int]]]  # day-count differences per cell: {"accept_hist": {days: n}}


@dataclass
class Contribution:
    """What one letter adds to the rollups: its slice keys, counters per (day, unit), day counts."""

    dims: dict[str, str]
    entries: list[list[Any]] = field(default_factory=list)  # [day iso, unit_id, {counter: n}]
    hist: list[list[Any]] = field(default_factory=list)  # [day iso, unit_id, measure, days]

    def add(self, day: dt.date, unit_id: int, **counts: int) -> None:
        self.entries.append([day.isoformat(), unit_id, {k: v for k, v in counts.items() if v}])


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def letter_dims(letter: Letter) -> dict[str, str]:
    return {
        "all": "",
        "police_type": letter.police_type or "",
        "channel": letter.channel,
        "letter_type": letter.letter_type,
        "mailbox": str(letter.mailbox_id),
        "place": (letter.division_code or "")[:6],
        "accused": str(letter.accused_unit_id or ""),
    }


def letter_contribution(letter: Letter, events: Iterable[LetterEvent]) -> Contribution:
    """Everything ``letter`` counts for, from its current attributes and its timeline (docs/statistics.md)."""
    c = Contribution(dims=letter_dims(letter))
    intake = letter.intake_unit_id
    replier = letter.handling_unit_id or intake
    received = _day(letter.received_at)
    c.add(received, intake, received=1, repeats=int(letter.repeat_of_id is not None))
    decided = replied = False
    accepted_on: dt.date | None = None
    for event in events:
        day = _day(event.at)
        action = event.action
        if action in DECISIONS and not decided:
            decided = True
            on_time = letter.accept_due is None or day <= letter.accept_due
            counts = {"decided": 1, "decided_on_time": int(on_time), DECISIONS[action]: 1}
            if action == "accept":
                accepted_on = day
                counts["accept_days_sum"] = (day - received).days
                c.hist.append([day.isoformat(), intake, "accept", (day - received).days])
            c.add(day, intake, **counts)
        elif action in REPLIES and not replied:
            replied = True
            on_time = letter.reply_due is None or day <= letter.reply_due
            days = (day - received).days
            c.add(day, replier, replied=1, replied_on_time=int(on_time), reply_days_sum=days)
            c.hist.append([day.isoformat(), replier, "reply", days])
        elif action == "decide_extension" and event.data.get("approved"):
            c.add(day, replier, extensions=1)
        elif action == "evaluate":
            c.add(day, replier, rated=1, satisfied=int(event.data.get("rating") in SATISFIED))
        elif action in ("request_review", "request_reexam"):
            c.add(day, replier, **{action.removeprefix("request_") + "_requested": 1})
        elif action in ("answer_review", "answer_reexam"):
            stage = action.removeprefix("answer_")
            outcome = event.data.get("outcome")
            c.add(day, replier, **{f"{stage}_answered": 1, f"{stage}_judged": int(bool(outcome)),
                                   f"{stage}_overturned": int(outcome in OVERTURNING)})  # fmt: skip
    if accepted_on is not None:
        c.add(accepted_on, replier, owed_reply=1, owed_reply_done=int(replied))
    return c


def _cells(dims: dict[str, str], entries: list[list[Any]], sign: int) -> dict[Cell, dict[str, int]]:
    out: dict[Cell, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day_iso, unit_id, counts in entries:
        day = dt.date.fromisoformat(day_iso)
        for grain, start in ((Grain.DAY.value, day), (Grain.MONTH.value, day.replace(day=1))):
            for dim in DIMENSIONS:
                key = dims.get(dim, "")
                if dim == "accused" and not key:
                    continue
                cell = out[(grain, start, unit_id, dim, key)]
                for name, value in counts.items():
                    cell[name] += sign * value
    return out


def _hist_cells(hist: list[list[Any]], sign: int) -> dict[HistCell, int]:
    out: dict[HistCell, int] = defaultdict(int)
    for day_iso, unit_id, measure, days in hist:
        day = dt.date.fromisoformat(day_iso)
        for grain, start in ((Grain.DAY.value, day), (Grain.MONTH.value, day.replace(day=1))):
            out[((grain, start, unit_id, "all", ""), measure, days)] += sign
    return out


def _merge(into: dict[Cell, dict[str, int]], more: dict[Cell, dict[str, int]]) -> None:
    for cell, counts in more.items():
        target = into.setdefault(cell, defaultdict(int))
        for name, value in counts.items():
            target[name] += value


def letters_recount(letter_ids: Iterable[int]) -> int:
    """Recount these letters and apply the differences to the rollups; must run in a transaction.

    Returns the number of letters whose contribution changed."""
    ids = sorted(set(letter_ids))
    if not ids:
        return 0
    letters = {letter.pk: letter for letter in Letter.objects.filter(pk__in=ids).only(*LETTER_FIELDS)}
    timelines: dict[int, list[LetterEvent]] = defaultdict(list)
    for event in (
        LetterEvent.objects.filter(letter_id__in=ids, action__in=COUNTED_ACTIONS)
        .only("letter_id", "action", "at", "data")
        .order_by("letter_id", "at", "id")
    ):
        timelines[event.letter_id].append(event)
    before = {figures.letter_id: figures for figures in LetterFigures.objects.filter(letter_id__in=ids)}
    cells: dict[Cell, dict[str, int]] = {}
    hist: dict[HistCell, int] = defaultdict(int)
    changed: list[LetterFigures] = []
    now = timezone.now()
    for pk in ids:
        letter = letters.get(pk)
        old = before.get(pk)
        new = letter_contribution(letter, timelines[pk]) if letter is not None else None
        if (
            old is not None
            and new is not None
            and (old.dims, old.entries, old.hist) == (new.dims, new.entries, new.hist)
        ):
            continue
        if old is not None:
            _merge(cells, _cells(old.dims, old.entries, -1))
            for cell, n in _hist_cells(old.hist, -1).items():
                hist[cell] += n
        if new is not None:
            _merge(cells, _cells(new.dims, new.entries, +1))
            for cell, n in _hist_cells(new.hist, +1).items():
                hist[cell] += n
            changed.append(LetterFigures(letter_id=pk, dims=new.dims, entries=new.entries, hist=new.hist,
                                         counted_at=now))  # fmt: skip
    _apply(cells, hist)
    if changed:
        LetterFigures.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["letter"],
            update_fields=["dims", "entries", "hist", "counted_at"],
        )
    return len(changed)


def _apply(cells: dict[Cell, dict[str, int]], hist: dict[HistCell, int]) -> None:
    """Add the counter and day-count differences to the unit's rows and to its subtrees' rows."""
    deltas: Deltas = {cell: {k: v for k, v in counts.items() if v} for cell, counts in cells.items()}
    days: Days = {}
    for (cell, measure, day_count), n in hist.items():
        if n:
            per = days.setdefault(cell, {}).setdefault(f"{measure}_hist", {})
            per[str(day_count)] = per.get(str(day_count), 0) + n
    deltas = {cell: counts for cell, counts in deltas.items() if counts}
    if not deltas and not days:
        return
    _write(Rollup, deltas, days)
    up = ancestors({cell[2] for cell in (*deltas, *days)})
    _write(SubtreeRollup, *lift(deltas, days, up))


def ancestors(unit_ids: Iterable[int], unit_model: Any = None) -> dict[int, list[int]]:
    """Each unit's id with the ids of every unit above it (``[unit, parent, …, root]``), from the paths.

    ``unit_model`` is for the migration that back-fills (its historical model); a unit no longer
    in the tree counts for itself only."""
    from xinfang.orgs.models import Unit

    unit_model = unit_model or Unit
    step = Unit.steplen
    ids = set(unit_ids)
    paths = dict(unit_model.objects.filter(pk__in=ids).values_list("pk", "path"))
    prefixes = {path[:n] for path in paths.values() for n in range(step, len(path), step)}
    by_path = dict(unit_model.objects.filter(path__in=prefixes).values_list("path", "pk")) if prefixes else {}
    out: dict[int, list[int]] = {}
    for pk in ids:
        path = paths.get(pk, "")
        above = [by_path[path[:n]] for n in range(len(path) - step, 0, -step) if path[:n] in by_path]
        out[pk] = [pk, *above]
    return out


def lift(deltas: Deltas, days: Days, up: dict[int, list[int]]) -> tuple[Deltas, Days]:
    """The same differences counted into every unit above each cell's unit (and the unit itself)."""
    lifted: Deltas = {}
    lifted_days: Days = {}
    for (grain, start, unit_id, dim, key), counts in deltas.items():
        for owner in up.get(unit_id, [unit_id]):
            into = lifted.setdefault((grain, start, owner, dim, key), {})
            for name, value in counts.items():
                into[name] = into.get(name, 0) + value
    for (grain, start, unit_id, dim, key), per_measure in days.items():
        for owner in up.get(unit_id, [unit_id]):
            into_days = lifted_days.setdefault((grain, start, owner, dim, key), {})
            for name, buckets in per_measure.items():
                target = into_days.setdefault(name, {})
                for bucket, n in buckets.items():
                    target[bucket] = target.get(bucket, 0) + n
    return lifted, lifted_days


def _write(model: Any, deltas: Deltas, days: Days) -> None:
    """Add the differences to ``model``'s rows (``Rollup`` or ``SubtreeRollup``), created when missing."""
    wanted = {cell for cell, counts in deltas.items() if counts} | set(days)
    if not wanted:
        return
    existing: dict[Cell, Any] = {}
    by_grain_dim: dict[tuple[str, str], list[Cell]] = defaultdict(list)
    for cell in wanted:
        by_grain_dim[(cell[0], cell[3])].append(cell)
    for (grain, dim), group in by_grain_dim.items():
        rows = model.objects.filter(
            grain=grain,
            dim=dim,
            unit_id__in={c[2] for c in group},
            start__in={c[1] for c in group},
            key__in={c[4] for c in group},
        )
        for found in rows:
            existing[(found.grain, found.start, found.unit_id, found.dim, found.key)] = found
    to_update: list[Any] = []
    to_create: list[Any] = []
    for cell in wanted:
        row = existing.get(cell)
        if row is None:
            grain, start, unit_id, dim, key = cell
            row = model(grain=grain, start=start, unit_id=unit_id, dim=dim, key=key)
            to_create.append(row)
        else:
            to_update.append(row)
        for name, value in deltas.get(cell, {}).items():
            setattr(row, name, getattr(row, name) + value)
        for name, changes in days.get(cell, {}).items():
            merged: dict[str, int] = dict(getattr(row, name) or {})
            for bucket, n in changes.items():
                merged[bucket] = merged.get(bucket, 0) + n
            setattr(row, name, {k: v for k, v in merged.items() if v})
    if to_update:
        model.objects.bulk_update(to_update, [*COUNTERS, *HISTOGRAMS], batch_size=500)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=500)


def subtree_rebuild(rollup_model: Any = None, subtree_model: Any = None, unit_model: Any = None) -> int:
    """Rebuild ``SubtreeRollup`` from ``Rollup`` (the back-fill of migration 0003; models passed by it).

    Rows are read in order of their date, and each date's subtree rows written before the next is
    read, so memory holds one day's (or month's) cells. Returns the number of rows written."""
    rollup_model = rollup_model or Rollup
    subtree_model = subtree_model or SubtreeRollup
    subtree_model.objects.all().delete()
    up = ancestors(rollup_model.objects.values_list("unit_id", flat=True).distinct().order_by(), unit_model)
    written = 0
    deltas: Deltas = {}
    days: Days = {}
    current: dt.date | None = None

    def flush() -> int:
        lifted, lifted_days = lift(deltas, days, up)
        cells = set(lifted) | set(lifted_days)
        rows = []
        for cell in cells:
            grain, start, unit_id, dim, key = cell
            row = subtree_model(grain=grain, start=start, unit_id=unit_id, dim=dim, key=key, **lifted.get(cell, {}))
            for name, buckets in lifted_days.get(cell, {}).items():
                setattr(row, name, {k: v for k, v in buckets.items() if v})
            rows.append(row)
        subtree_model.objects.bulk_create(rows, batch_size=1000)
        deltas.clear()
        days.clear()
        return len(rows)

    for row in rollup_model.objects.order_by("start", "id").iterator(chunk_size=5000):
        if current is not None and row.start != current:
            written += flush()
        current = row.start
        cell = (row.grain, row.start, row.unit_id, row.dim, row.key)
        deltas[cell] = {name: getattr(row, name) for name in COUNTERS if getattr(row, name)}
        per = {name: getattr(row, name) for name in HISTOGRAMS if getattr(row, name)}
        if per:
            days[cell] = per
    return written + flush()


@dataclass
class RollupResult:
    events: int = 0
    letters: int = 0
    watermark: int = 0


def statistics_rollup(*, batch: int = 2000, max_batches: int = 100, settle: float = 120.0) -> RollupResult:
    """The scheduled job: count the timeline rows after the watermark, batch by batch."""
    RollupWatermark.objects.get_or_create(name=WATERMARK)
    result = RollupResult()
    for _ in range(max_batches):
        with transaction.atomic():
            mark = RollupWatermark.objects.select_for_update().get(name=WATERMARK)
            rows = list(
                LetterEvent.objects.filter(id__gt=mark.last_event_id)
                .order_by("id")
                .values_list("id", "letter_id", "at")[:batch]
            )
            if not rows:  # up to date: say so, for the pages and the periodic reports (last_counted_at)
                RollupWatermark.objects.filter(name=WATERMARK).update(updated_at=timezone.now())
                result.watermark = mark.last_event_id
                break
            cutoff = timezone.now() - dt.timedelta(seconds=settle)
            settled = mark.last_event_id
            for pk, _letter, at in rows:
                if at > cutoff:
                    break
                settled = pk
            result.letters += letters_recount(letter_id for _pk, letter_id, _at in rows)
            result.events += len(rows)
            moved = RollupWatermark.objects.filter(name=WATERMARK, last_event_id=mark.last_event_id).update(
                last_event_id=settled, updated_at=timezone.now()
            )
            if moved != 1:  # another worker counted meanwhile (only possible without row locks): undo ours
                transaction.set_rollback(True)
                break
            result.watermark = settled
        if settled != rows[-1][0]:  # stopped at an event too young to be sure of; read it again next time
            break
    return result


def last_counted_at() -> dt.datetime | None:
    """When the rollups the statistics read were last brought up to date (shown on the pages; the
    periodic reports wait for it): read with them, on the replica when there is one."""
    return last_count()[1]


def last_count() -> tuple[int, dt.datetime | None]:
    """The watermark as the statistics read it (``replica.rollup_db``, with the rollups): the last
    timeline row counted and when the job last ran. Every run that changes a rollup row also moves
    the time, so the pair names what the rollups hold (the key of the pages' cache)."""
    found = (
        RollupWatermark.objects.using(rollup_db())
        .filter(name=WATERMARK)
        .values_list("last_event_id", "updated_at")
        .first()
    )
    return found or (0, None)
