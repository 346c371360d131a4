"""A year of letters through the real services, day by day, with the deadline sweep every night.

From Monday 5 January 2026 to Sunday 31 January 2027 letters arrive every day at the Guangdong
Director's Mailbox and three city mailboxes, about places in Guangdong. Staff work on working days
of the official calendar (weekends, the Spring Festival and Golden Week are off), each step after a
random delay, so a queue is worked through a little every day; citizens supply information, rate
replies and ask for review and re-examination. A few letters are neglected on purpose until they
are past their deadline.

Every night, after the sweep, no letter may be past its deadline without the overdue mark, the
supervision flag and an automatic supervision order. At the end every letter is finished (replied,
evaluated, reviewed, closed, concluded, refused, referred, redirected), waiting for its writer,
or open within its deadline, and most have been answered.

The volume fits ``make test``'s 15 minutes on a 2-core machine (docs/decisions/0007): 2,500 letters on
PostgreSQL (the production database; about 10 a working day, every path of the lifecycle many times
over) and 600 on SQLite (the embedded default, for a small office: about 2 a working day), each run as
two halves side by side, one per test worker. CI (``CI=true make test``) and ``make test-year`` run
the full figure of the original issue on PostgreSQL, ``XINFANG_YEAR_LETTERS=10000`` (about 40 a
working day; 4½ minutes with two workers, measured 2026-12-07).

The test drives the services as staff would and keeps its own bookkeeping in memory (an agenda
of which letter is looked at on which day), so that it adds few queries of its own.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections import defaultdict

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Exists, F, OuterRef

from tests.conftest import make_staff
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role, User
from xinfang.deadlines.calendar import is_working_day
from xinfang.letters import services as s
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import AssignmentMode, Letter, LetterState, Rating, RefusalReason, SupervisionOrder
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.vocabulary import Channel, LetterType

S = LetterState
TZ = dt.timezone(dt.timedelta(hours=8))
FIRST_DAY = dt.date(2026, 1, 5)
LAST_DAY = dt.date(2027, 1, 31)
ONE_DAY = dt.timedelta(days=1)
LETTERS = {"postgresql": 2_500, "sqlite": 600}  # see the module docstring
CITIZENS = 2_000
# Places each mailbox hears about: the provincial mailbox hears about all of them.
CITY_PLACES = {
    "gd-guangzhou": ["440103", "440104", "440106", "440111"],
    "gd-shenzhen": ["440303", "440304", "440305"],
    "gd-foshan": ["440604", "440605"],
}
PROVINCE_PLACES = [code for codes in CITY_PLACES.values() for code in codes] + ["441900"]  # Dongguan: no districts
MAILBOXES = {"gd": 0.4, "gd-guangzhou": 0.25, "gd-shenzhen": 0.2, "gd-foshan": 0.15}
# The year runs as two halves side by side (one per test worker): each half is the whole year of its
# mailboxes, at the same daily volume as in the full province, so together they are the year's letters.
# The smaller half comes first: with ``--dist load`` it shares its worker with the state machine.
HALVES = {
    "guangzhou+shenzhen": ("gd-guangzhou", "gd-shenzhen"),
    "gd+foshan": ("gd", "gd-foshan"),
}
TYPES = {
    LetterType.COMPLAINT: 0.35, LetterType.REPORT: 0.15, LetterType.INQUIRY: 0.2, LetterType.SUGGESTION: 0.1,
    LetterType.REQUEST: 0.15, LetterType.PRAISE: 0.05,
}  # fmt: skip
SHORT_PATH = {LetterType.INQUIRY, LetterType.SUGGESTION, LetterType.PRAISE}
WEB_CHANNELS = [Channel.WEB, Channel.WECHAT, Channel.WEIBO]
FINISHED = {
    S.REPLIED, S.EVALUATED, S.REVIEW_ANSWERED, S.CLOSED, S.CONCLUDED, S.NOT_ACCEPTED, S.REFERRED,
    S.EMERGENCY_REDIRECTED,
}  # fmt: skip
RELATED = ("mailbox", "intake_unit", "handling_unit", "accused_unit", "review_unit", "reexam_unit", "repeat_of")


class Simulation:
    """The people of one province's letter offices, and a diary of whom to look at on which day."""

    def __init__(self, total: int, mailboxes: dict[str, float], traveller: time_machine.Traveller) -> None:
        self.rng = random.Random(20260105)
        self.total = total
        self.weights = mailboxes
        self.traveller = traveller
        self.today = FIRST_DAY
        self.submitted = 0
        self.agenda: dict[dt.date, list[int]] = defaultdict(list)
        self.visit: dict[int, dt.date] = {}  # letter → the one day it is next looked at
        self.neglect: dict[int, str] = {}  # letter → the step staff will let slip past its deadline
        self.complex: set[int] = set()  # letters whose handlers will need an extension
        self.extension: dict[int, str] = {}  # letter → "pending" or "decided"
        self.info_requested: set[int] = set()
        self.reported: set[int] = set()
        self.concluded: list[tuple[int, int]] = []  # (letter, writer) of concluded matters
        self.answered: list[tuple[int, int]] = []  # (letter, writer) of replied letters
        self.mailboxes = {mb.slug: mb for mb in Mailbox.objects.filter(slug__in=mailboxes).select_related("owner")}
        self.units = {u.code: u for u in Unit.objects.filter(code__in=[*PROVINCE_PLACES, "440100", "440300", "440600"])}
        self.acceptors = {
            mb.owner_id: make_staff(f"acceptor-{slug}", mb.owner, Role.ACCEPTOR) for slug, mb in self.mailboxes.items()
        }
        self.staff: dict[int, tuple[User, User]] = {}
        self.reviewers: dict[int, User] = {}
        self.citizens = self._citizens()

    # ------------------------------------------------------------ people

    @staticmethod
    def _citizens() -> list[User]:
        password = make_password("correct-horse-battery-staple")
        User.objects.bulk_create(
            User(username=f"sim-citizen-{i:05d}", kind=User.Kind.CITIZEN, password=password) for i in range(CITIZENS)
        )
        return list(User.objects.filter(username__startswith="sim-citizen-"))

    def handling_staff(self, unit: Unit) -> tuple[User, User]:
        if unit.pk not in self.staff:
            self.staff[unit.pk] = (
                make_staff(f"handler-{unit.code}", unit, Role.HANDLER),
                make_staff(f"leader-{unit.code}", unit, Role.LEADER),
            )
        return self.staff[unit.pk]

    def reviewer(self, unit: Unit | None) -> User:
        assert unit is not None
        if unit.pk not in self.reviewers:
            self.reviewers[unit.pk] = make_staff(f"reviewer-{unit.code}", unit, Role.HANDLER, Role.LEADER)
        return self.reviewers[unit.pk]

    def writer(self, letter: Letter) -> User:
        return User(pk=letter.citizen_id, kind=User.Kind.CITIZEN, is_active=True)

    # ------------------------------------------------------------ the days

    def run(self) -> None:
        days = (LAST_DAY - FIRST_DAY).days + 1
        for index in range(days):
            self.today = FIRST_DAY + dt.timedelta(days=index)
            self.at(0, 30)
            if index % 7 == 0:
                analyze_letters()
            sweep_deadlines()
            assert_no_letter_is_late_unnoticed(self.today)
            self.supervised_letters_come_first()
            self.at(10, 0)
            self.work_through_the_agenda()
            self.at(15, 0)
            for _ in range(self.total * (index + 1) // days - self.submitted):
                self.submit()
        self.at(23, 0)
        sweep_deadlines()

    def at(self, hour: int, minute: int) -> None:
        self.traveller.move_to(dt.datetime.combine(self.today, dt.time(hour, minute), tzinfo=TZ))

    def later(self, letter: Letter, days: int) -> None:
        """Look at the letter again in ``days`` (at least one); this replaces any earlier plan for it."""
        day = self.today + dt.timedelta(days=max(days, 1))
        self.visit[letter.pk] = day
        self.agenda[day].append(letter.pk)

    def supervised_letters_come_first(self) -> None:
        """A supervision order gets a late letter looked at today (staff permitting)."""
        late = Letter.objects.filter(state__in=S.authority_clock_states(), current_due__lt=self.today)
        for pk in late.values_list("pk", flat=True):
            if self.visit.get(pk) != self.today:
                self.visit[pk] = self.today
                self.agenda[self.today].append(pk)

    def work_through_the_agenda(self) -> None:
        pks = [pk for pk in dict.fromkeys(self.agenda.pop(self.today, [])) if self.visit.get(pk) == self.today]
        working = is_working_day(self.today)
        for start in range(0, len(pks), 500):
            for letter in Letter.objects.filter(pk__in=pks[start : start + 500]).select_related(*RELATED):
                if letter.state in S.authority_clock_states() and not working:
                    self.later(letter, 1)  # staff are off today
                    continue
                self.step(letter)

    def in_time(self, letter: Letter, usual: int, margin: int) -> int:
        """Diligent staff: ``usual`` days, but at least ``margin`` days before the letter's deadline."""
        if letter.current_due is None:
            return usual
        return max(1, min(usual, (letter.current_due - self.today).days - margin))

    def slips(self, letter: Letter, stage: str) -> int | None:
        """For a letter whose ``stage`` staff let slip: days until a few days past its deadline."""
        if self.neglect.get(letter.pk) != stage or letter.current_due is None:
            return None
        late = (letter.current_due - self.today).days + self.rng.randint(1, 7)
        if self.today + dt.timedelta(days=late) >= LAST_DAY - dt.timedelta(days=10):
            return None  # too near the end to be caught up with
        del self.neglect[letter.pk]
        return late

    # ------------------------------------------------------------ letters arrive

    def submit(self) -> None:
        rng = self.rng
        slug = rng.choices(list(self.weights), weights=list(self.weights.values()))[0]
        place = rng.choice(CITY_PLACES.get(slug, PROVINCE_PLACES))
        letter_type = rng.choices(list(TYPES), weights=list(TYPES.values()))[0]
        writer, repeat_of = rng.choice(self.citizens), None
        earlier = self.concluded if self.concluded and rng.random() < 0.5 else self.answered
        if earlier and rng.random() < 0.02:
            earlier_pk, writer_pk = rng.choice(earlier)
            writer, repeat_of = User(pk=writer_pk, kind=User.Kind.CITIZEN), Letter.objects.get(pk=earlier_pk)
        accuses = letter_type in {LetterType.COMPLAINT, LetterType.REPORT} and place != "441900" and rng.random() < 0.2
        letter = s.letter_submit(
            mailbox=self.mailboxes[slug],
            actor=writer,
            letter_type=letter_type,
            channel=rng.choice(WEB_CHANNELS),
            subject="民警执法问题",
            text="事情经过如下……",
            division_code=place,
            address="某路 1 号",
            police_type=PoliceType.PUBLIC_ORDER,
            accused_unit=self.units[place] if accuses else None,
            accused_officer_name="李某" if accuses else "",
            repeat_of=repeat_of,
        ).letter
        self.submitted += 1
        if rng.random() < 0.03:
            self.neglect[letter.pk] = rng.choice(["accept", "reply"])
        if rng.random() < 0.08:
            self.complex.add(letter.pk)
        self.later(letter, rng.randint(1, 4))

    # ------------------------------------------------------------ one look at one letter

    def step(self, letter: Letter) -> None:
        handlers = {
            S.RECEIVED: self.front_desk_decides,
            S.INFO_REQUESTED: self.writer_supplies_information,
            S.ACCEPTED: self.front_desk_routes,
            S.ASSIGNED: self.handler_takes_it_up,
            S.IN_HANDLING: self.handler_works,
            S.REPLY_DRAFTED: self.leader_reads_the_draft,
            S.REPLIED: self.writer_reads_the_reply,
            S.EVALUATED: self.writer_asks_for_review,
            S.REVIEW_REQUESTED: self.superior_reviews,
            S.REVIEW_ANSWERED: self.writer_asks_for_reexamination,
            S.REEXAM_REQUESTED: self.next_superior_reexamines,
        }
        handler = handlers.get(S(letter.state))
        if handler is not None:
            handler(letter)

    def front_desk_decides(self, letter: Letter) -> None:
        acceptor, rng = self.acceptors[letter.intake_unit_id], self.rng
        late = self.slips(letter, "accept")
        if late is not None:
            self.later(letter, late)
            return
        roll = rng.random()
        if roll < 0.01:
            s.letter_redirect_emergency(letter=letter, actor=acceptor, note="已转110")
        elif roll < 0.05:
            reason = rng.choice([RefusalReason.COURTS, RefusalReason.NOT_POLICE, RefusalReason.NO_SUBSTANCE])
            s.letter_refuse(letter=letter, actor=acceptor, reason=reason)
        elif roll < 0.07:
            s.letter_refer(letter=letter, actor=acceptor, organ="区人民法院", text="请向人民法院起诉。")
        elif roll < 0.12 and letter.pk not in self.info_requested:
            s.letter_request_info(letter=letter, actor=acceptor, reason="请补充事发时间和地点")
            self.info_requested.add(letter.pk)
            self.later(letter, rng.randint(1, 10))
        else:
            try:
                s.letter_accept(letter=letter, actor=acceptor)
            except LifecycleError:  # the same matter was concluded on re-examination
                s.letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.CONCLUDED)
                return
            self.later(letter, self.in_time(letter, rng.randint(1, 3), 40))

    def writer_supplies_information(self, letter: Letter) -> None:
        s.letter_supply_info(letter=letter, actor=self.writer(letter), text="事发于三月一日上午，地点在派出所门口。")
        self.later(letter, self.rng.randint(1, 4))

    def routed_to(self, letter: Letter) -> Unit:
        """Where the routing proposal sends it, which the acceptor follows.

        The district's department for the police type; when the district is accused, its city's
        discipline department (reports) or inspection department (complaints). Worked out here
        rather than asked of the routing engine, which ``letter_assign`` consults anyway, to keep
        the year fast.
        """
        place = self.units[letter.division_code]
        if letter.accused_unit_id != place.pk:
            return department_for(place, letter.police_type)
        oversight = PoliceType.DISCIPLINE if letter.letter_type == LetterType.REPORT else PoliceType.INSPECTION
        return department_for(self.units[place.code[:4] + "00"], oversight)

    def front_desk_routes(self, letter: Letter) -> None:
        acceptor, rng = self.acceptors[letter.intake_unit_id], self.rng
        if letter.letter_type in SHORT_PATH and rng.random() < 0.7:
            s.letter_reply_directly(letter=letter, actor=acceptor, text="您好，答复如下……")
            self.after_the_reply(letter)
            return
        mode = AssignmentMode.ASSIGN if rng.random() < 0.3 else AssignmentMode.TRANSFER
        decide_accused(letter, acceptor)
        s.letter_assign(letter=letter, actor=acceptor, unit=self.routed_to(letter), mode=mode)
        self.later(letter, self.in_time(letter, rng.randint(1, 4), 30))

    def handler_takes_it_up(self, letter: Letter) -> None:
        assert letter.handling_unit is not None
        handler, _leader = self.handling_staff(letter.handling_unit)
        rng = self.rng
        if letter.return_count == 0 and rng.random() < 0.03:
            try:
                s.letter_return_misrouted(letter=letter, actor=handler, reason="不属于本单位管辖")
            except LifecycleError:  # too late to return it: handle it
                pass
            else:
                self.later(letter, self.in_time(letter, rng.randint(1, 2), 30))
                return
        s.letter_start_handling(letter=letter, actor=handler)
        late = self.slips(letter, "reply")
        if late is not None:
            self.later(letter, late)
        elif letter.pk in self.complex:  # asks for more time well before the deadline
            self.later(letter, self.in_time(letter, rng.randint(20, 40), 10))
        else:
            self.later(letter, self.in_time(letter, rng.randint(3, 25), 6))

    def handler_works(self, letter: Letter) -> None:
        assert letter.handling_unit is not None
        handler, leader = self.handling_staff(letter.handling_unit)
        rng = self.rng
        if self.extension.get(letter.pk) == "pending":
            approve = rng.random() < 0.85
            s.letter_decide_extension(
                letter=letter, actor=leader, approve=approve, note="" if approve else "请按期办结"
            )
            self.extension[letter.pk] = "decided"
            self.later(letter, self.in_time(letter, rng.randint(5, 25), 6))
            return
        if letter.pk in self.complex and letter.pk not in self.extension:
            s.letter_request_extension(letter=letter, actor=handler, days=rng.randint(15, 30), reason="需调取录像")
            self.extension[letter.pk] = "pending"
            self.later(letter, self.in_time(letter, rng.randint(1, 3), 6))
            return
        if letter.assignment_mode == AssignmentMode.ASSIGN and letter.pk not in self.reported:
            s.letter_report_back(letter=letter, actor=handler, text="已查明情况并整改。")
            self.reported.add(letter.pk)
        s.letter_draft_reply(letter=letter, actor=handler, text="经调查，答复如下……")
        self.later(letter, self.in_time(letter, rng.randint(1, 3), 1))

    def leader_reads_the_draft(self, letter: Letter) -> None:
        assert letter.handling_unit is not None
        _handler, leader = self.handling_staff(letter.handling_unit)
        if self.rng.random() < 0.1 and letter.reply_due is not None and letter.reply_due > self.today + 10 * ONE_DAY:
            s.letter_reject_reply(letter=letter, actor=leader, note="请补充调查经过")
            self.later(letter, self.in_time(letter, self.rng.randint(1, 5), 4))
            return
        s.letter_approve_reply(letter=letter, actor=leader)
        self.after_the_reply(letter)

    def after_the_reply(self, letter: Letter) -> None:
        self.answered.append((letter.pk, letter.citizen_id))  # type: ignore[arg-type]
        if self.rng.random() < 0.6:
            self.later(letter, self.rng.randint(1, 20))

    def writer_reads_the_reply(self, letter: Letter) -> None:
        rng, writer = self.rng, self.writer(letter)
        if rng.random() < 0.1:
            s.letter_request_review(letter=letter, actor=writer, reason="答复没有解决问题")
            self.later(letter, self.in_time(letter, rng.randint(3, 20), 1))
            return
        rating = rng.choices(Rating.values, weights=[0.6, 0.25, 0.15])[0]
        s.letter_evaluate(letter=letter, actor=writer, rating=rating)
        if rating == Rating.DISSATISFIED and rng.random() < 0.5:
            self.later(letter, rng.randint(1, 5))

    def writer_asks_for_review(self, letter: Letter) -> None:
        s.letter_request_review(letter=letter, actor=self.writer(letter), reason="对答复不满意")
        self.later(letter, self.in_time(letter, self.rng.randint(3, 20), 1))

    def superior_reviews(self, letter: Letter) -> None:
        s.letter_answer_review(letter=letter, actor=self.reviewer(letter.review_unit), text="复查维持原答复。")
        if self.rng.random() < 0.3:
            self.later(letter, self.rng.randint(1, 20))

    def writer_asks_for_reexamination(self, letter: Letter) -> None:
        s.letter_request_reexam(letter=letter, actor=self.writer(letter), reason="不服复查意见")
        self.later(letter, self.in_time(letter, self.rng.randint(3, 20), 1))

    def next_superior_reexamines(self, letter: Letter) -> None:
        s.letter_answer_reexam(letter=letter, actor=self.reviewer(letter.reexam_unit), text="复核维持，终结。")
        self.concluded.append((letter.pk, letter.citizen_id))  # type: ignore[arg-type]


def analyze_letters() -> None:
    """Refresh PostgreSQL's statistics, as autovacuum does on a live database.

    The whole year runs in one test transaction, which autovacuum cannot see: without this the
    planner keeps estimating from an empty table and, once there are thousands of letters, can
    pick plans that take seconds per query. ANALYZE inside the transaction sees its own rows.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE letters_letter, letters_letterevent")


def assert_no_letter_is_late_unnoticed(today: dt.date) -> None:
    late = Letter.objects.filter(state__in=S.authority_clock_states(), current_due__lt=today)
    unmarked = late.exclude(overdue_marked=F("current_due"), supervision_flag=True)
    assert not unmarked.exists(), f"{today}: late without the overdue mark: {list(unmarked[:5])}"
    automatic = SupervisionOrder.objects.filter(letter=OuterRef("pk"), automatic=True)
    unsupervised = late.exclude(Exists(automatic))
    assert not unsupervised.exists(), f"{today}: late without supervision: {list(unsupervised[:5])}"


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("half", list(HALVES))
def test_a_year_of_letters_all_answered_or_in_time_and_every_late_one_supervised(tree: None, half: str) -> None:
    weights = {slug: MAILBOXES[slug] for slug in HALVES[half]}
    volume = int(os.environ.get("XINFANG_YEAR_LETTERS", LETTERS[connection.vendor]))
    total = round(volume * sum(weights.values()))
    with time_machine.travel(dt.datetime.combine(FIRST_DAY, dt.time(0, 0), tzinfo=TZ), tick=False) as traveller:
        simulation = Simulation(total, weights, traveller)
        simulation.run()
    letters = Letter.objects.all()
    assert letters.count() == total
    stuck = letters.exclude(state__in=FINISHED).exclude(state=S.INFO_REQUESTED)
    stuck = stuck.exclude(state__in=S.authority_clock_states(), current_due__gte=LAST_DAY)
    assert not stuck.exists(), f"neither finished nor in time: {list(stuck.values_list('state', 'current_due')[:10])}"
    # Writers answer requests for information within ten days, so only recent requests still wait.
    waiting = letters.filter(
        state=S.INFO_REQUESTED, events__action="request_info", events__at__date__lt=LAST_DAY - 15 * ONE_DAY
    )
    assert not waiting.exists()
    assert_no_letter_is_late_unnoticed(LAST_DAY)

    # Some missed their deadline on purpose, and each of those was marked and supervised.
    overdue = letters.filter(events__action="mark_overdue").distinct()
    assert overdue.count() >= total // 100
    assert not overdue.exclude(supervision_flag=True).exists()
    assert not overdue.exclude(Exists(SupervisionOrder.objects.filter(letter=OuterRef("pk"), automatic=True))).exists()

    # Staff were diligent: nearly every letter accepted before the autumn has been answered.
    accepted_early = letters.filter(accepted_at__date__lt=dt.date(2026, 10, 1))
    assert accepted_early.filter(replied_at__isnull=False).count() >= 0.97 * accepted_early.count()
    assert letters.filter(state=S.CONCLUDED).exists() and letters.filter(state=S.CLOSED).exists()
