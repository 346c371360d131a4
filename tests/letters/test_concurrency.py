"""Two people acting on the same letter at the same moment: exactly one wins, the other is told.

Each move runs in its own thread with its own database connection; a barrier releases them
together, both holding a copy of the letter loaded before either acted (two browser tabs opened
at once). ``lifecycle.apply``'s conditional update must let exactly one through and turn the
other into ``Conflict`` (or another ``LifecycleError`` when the loser's checks already see the
winner's change), leaving exactly one new timeline row. Only PostgreSQL lets two writers really
overlap; SQLite serialises them, so these tests need PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pytest
from django.db import connections

from tests.conftest import make_staff
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import Role, User
from xinfang.deadlines.calendar import forget_cached_years
from xinfang.deadlines.models import HolidayYear
from xinfang.deadlines.services import holidays_load_from_chinese_calendar
from xinfang.letters import services as s
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Extension, Letter, LetterEvent, LetterState, RefusalReason, SupervisionOrder
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.postgres_only
S = LetterState
ROUNDS = 20


@dataclass(frozen=True)
class Staff:
    acceptors: tuple[User, User]
    handlers: tuple[User, User]
    leaders: tuple[User, User]
    citizen: User
    mailbox: Mailbox
    tianhe: Unit


@pytest.fixture
def staff(
    transactional_db: None, tree: None, citizen: User, acceptor: User, handler: User, leader: User,
    guangdong: Unit, tianhe: Unit, gd_mailbox: Mailbox,
) -> Staff:  # fmt: skip
    if not HolidayYear.objects.filter(year=2026).exists():  # a flushing test ran before this one
        holidays_load_from_chinese_calendar(actor=None)
    forget_cached_years()
    return Staff(
        acceptors=(acceptor, make_staff("acceptor-2", guangdong, Role.ACCEPTOR)),
        handlers=(handler, make_staff("handler-2", tianhe, Role.HANDLER)),
        leaders=(leader, make_staff("leader-2", tianhe, Role.LEADER)),
        citizen=citizen,
        mailbox=gd_mailbox,
        tianhe=tianhe,
    )


def race(*moves: Callable[[], object]) -> list[object]:
    """Run each move in its own thread and connection, released together; return results or exceptions."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[object] = [None] * len(moves)

    def run(index: int, move: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = move()
        except Exception as exc:  # the outcome is what the test asserts on
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a move never finished (deadlock?)"
    return outcomes


def copies(letter: Letter) -> tuple[Letter, Letter]:
    """Two copies of the letter as two people's pages loaded it before either acted."""
    return Letter.objects.get(pk=letter.pk), Letter.objects.get(pk=letter.pk)


def assert_exactly_one_won(letter: Letter, outcomes: list[object], events_before: int) -> object:
    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    losers = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1 and isinstance(losers[0], LifecycleError), outcomes
    stored = Letter.objects.get(pk=letter.pk)
    assert stored.version == letter.version + 1
    assert LetterEvent.objects.filter(letter=letter).count() == events_before + 1
    return winners[0]


def test_two_acceptors_deciding_the_same_letter_at_once_exactly_one_wins(
    needs_postgres: None, restores_what_the_flush_removes: None, staff: Staff
) -> None:
    first, second = staff.acceptors
    winners: set[str] = set()
    for _round in range(ROUNDS):
        letter = submit(staff.citizen, staff.mailbox).letter
        mine, theirs = copies(letter)
        outcomes = race(
            partial(s.letter_accept, letter=mine, actor=first),
            partial(s.letter_refuse, letter=theirs, actor=second, reason=RefusalReason.NOT_POLICE),
        )
        assert_exactly_one_won(letter, outcomes, events_before=1)
        state = Letter.objects.get(pk=letter.pk).state
        assert state in {S.ACCEPTED, S.NOT_ACCEPTED}
        winners.add(state)
    assert winners, "no round was decided"


def test_handlers_and_leaders_racing_on_the_same_letter_exactly_one_wins(
    needs_postgres: None, restores_what_the_flush_removes: None, staff: Staff
) -> None:
    acceptor = staff.acceptors[0]
    (handler, other_handler), (leader, other_leader) = staff.handlers, staff.leaders
    for _round in range(ROUNDS):
        letter = submit(staff.citizen, staff.mailbox).letter
        s.letter_accept(letter=letter, actor=acceptor)
        decide_accused(letter, acceptor)
        s.letter_assign(letter=letter, actor=acceptor, unit=staff.tianhe)

        # One handler starts work on it while a colleague sends it back as misrouted.
        mine, theirs = copies(letter)
        before = letter.events.count()
        outcomes = race(
            partial(s.letter_start_handling, letter=mine, actor=handler),
            partial(s.letter_return_misrouted, letter=theirs, actor=other_handler, reason="不属于本单位管辖"),
        )
        assert_exactly_one_won(letter, outcomes, before)
        letter = Letter.objects.get(pk=letter.pk)
        if letter.state == S.ACCEPTED:  # returned: route it again
            decide_accused(letter, acceptor)
            s.letter_assign(letter=letter, actor=acceptor, unit=staff.tianhe)
        if letter.state == S.ASSIGNED:
            s.letter_start_handling(letter=letter, actor=handler)

        # Both handlers ask for an extension: one request, one refusal.
        mine, theirs = copies(letter)
        before = letter.events.count()
        outcomes = race(
            partial(s.letter_request_extension, letter=mine, actor=handler, days=10, reason="需要走访"),
            partial(s.letter_request_extension, letter=theirs, actor=other_handler, days=20, reason="需调取录像"),
        )
        assert_exactly_one_won(letter, outcomes, before)
        assert Extension.objects.filter(letter=letter).count() == 1

        # One leader approves the draft while the other sends it back.
        letter = Letter.objects.get(pk=letter.pk)
        s.letter_draft_reply(letter=letter, actor=handler, text="经调查，已责令整改。")
        mine, theirs = copies(letter)
        before = letter.events.count()
        outcomes = race(
            partial(s.letter_approve_reply, letter=mine, actor=leader),
            partial(s.letter_reject_reply, letter=theirs, actor=other_leader, note="请补充调查经过"),
        )
        assert_exactly_one_won(letter, outcomes, before)
        assert Letter.objects.get(pk=letter.pk).state in {S.REPLIED, S.IN_HANDLING}


def test_two_sweeps_at_once_mark_each_overdue_letter_once(
    needs_postgres: None, restores_what_the_flush_removes: None, staff: Staff
) -> None:
    letters = [submit(staff.citizen, staff.mailbox).letter for _ in range(ROUNDS)]
    due = letters[0].accept_due
    assert due is not None and all(letter.accept_due == due for letter in letters)
    day = due + dt.timedelta(days=1)
    results = race(partial(sweep_deadlines, today=day), partial(sweep_deadlines, today=day))
    assert all(not isinstance(result, BaseException) for result in results), results
    assert sum(result.overdue for result in results) == ROUNDS  # type: ignore[attr-defined]
    for letter in letters:
        assert LetterEvent.objects.filter(letter=letter, action="mark_overdue").count() == 1
        assert SupervisionOrder.objects.filter(letter=letter, automatic=True).count() == 1
