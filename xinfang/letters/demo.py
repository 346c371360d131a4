"""Demo letters: a believable stream of letters pushed through the real services over past months.

The clock is moved with ``time-machine`` so that every letter, timeline row and due date is what
the services would have written on that day; nothing is back-dated by hand. Staff are found by
role and unit (the cast of ``xinfang.accounts.demo``); units without a handler pass the letter to
their city bureau. A city's mailbox gets letters about that city; the national and provincial ones
about anywhere in Guangdong. Only recent letters are left waiting at a desk or with a handler, so
the demo shows letters a little overdue (and supervised), not ones forgotten for months.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.db.models import Q
from django.utils import timezone

from xinfang.accounts.id_numbers import check_character
from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import citizen_by_phone
from xinfang.accounts.services import citizen_create
from xinfang.letters import services as s
from xinfang.letters.access import SHORT_PATH_TYPES
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter, LetterState, Rating, RefusalReason
from xinfang.letters.sweeps import sweep_deadlines
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType

S = LetterState

SUBJECTS: dict[str, list[tuple[str, str, str]]] = {
    # letter type → (police type, subject, text)
    LetterType.COMPLAINT: [
        (PoliceType.HOUSEHOLD, "户籍迁移办理拖延", "我于{month}月到{place}派出所办理户口迁入，材料齐全，窗口民警多次要求补交不相关的证明，至今未办结。"),
        (PoliceType.TRAFFIC, "交警执法态度粗暴", "{month}月在{place}路口被交警拦停检查，执勤民警言语粗暴，未出示证件，也未说明处罚依据。"),
        (PoliceType.PUBLIC_ORDER, "报警后出警迟缓", "邻居装修深夜噪音扰民，我拨打110后两个小时才有民警到场，且到场后未作任何处理。"),
        (PoliceType.EXIT_ENTRY, "港澳通行证办理超期", "在{place}出入境窗口申请港澳通行证，承诺7个工作日办结，现已超过20天仍无结果。"),
    ],
    LetterType.REPORT: [
        (PoliceType.DISCIPLINE, "举报民警参与赌博", "据我了解，{place}某派出所一名民警经常在下班后出入地下赌场，请组织调查。"),
        (PoliceType.INSPECTION, "举报辅警收受好处费", "{place}交警中队一名辅警在处理事故时向当事人索要好处费，我有转账记录为证。"),
        (PoliceType.DISCIPLINE, "举报违规插手经济纠纷", "{place}公安分局经侦大队民警违规介入我与合作方的合同纠纷，对我方人员采取强制措施。"),
    ],
    LetterType.INQUIRY: [
        (PoliceType.HOUSEHOLD, "新生儿落户需要什么材料", "请问在{place}给新生儿办理户口登记需要准备哪些材料？可以网上办理吗？"),
        (PoliceType.EXIT_ENTRY, "护照补办流程咨询", "我的护照遗失了，请问在{place}补办护照的流程和时间是怎样的？"),
        (PoliceType.TRAFFIC, "驾驶证异地换证", "我的驾驶证即将到期，人在{place}工作，可以在本地换证吗？"),
    ],
    LetterType.SUGGESTION: [
        (PoliceType.TRAFFIC, "建议增设学校路段护学岗", "{place}某小学门口上下学时段交通混乱，建议交警部门增设护学岗和减速带。"),
        (PoliceType.PUBLIC_ORDER, "建议加强夜间巡逻", "{place}城中村一带近期多次发生电动车被盗，建议派出所加强夜间巡逻。"),
    ],
    LetterType.REQUEST: [
        (PoliceType.CRIMINAL, "被骗案件请求尽快侦办", "我于{month}月遭遇网络刷单诈骗，损失三万余元，已在{place}报案，请求尽快侦办追赃。"),
        (PoliceType.ECONOMIC, "集资款追讨进展", "本人参与的某投资平台被立案调查，请问{place}公安机关的案件进展和资金清退安排。"),
    ],
    LetterType.PRAISE: [
        (PoliceType.PUBLIC_ORDER, "感谢民警帮助寻回走失老人", "{month}月我家老人在{place}走失，派出所民警连夜寻找，终于平安找回，特此致谢。"),
    ],
}  # fmt: skip
TYPE_WEIGHTS = {
    LetterType.COMPLAINT: 35, LetterType.REPORT: 12, LetterType.INQUIRY: 25,
    LetterType.SUGGESTION: 10, LetterType.REQUEST: 14, LetterType.PRAISE: 4,
}  # fmt: skip
CHANNEL_WEIGHTS = {Channel.WEB: 50, Channel.WECHAT: 30, Channel.WEIBO: 8, Channel.TELEPHONE: 12}
SURNAMES = "陈黄李林张梁刘吴王杨郑谢罗何许郭邱赖曾邓"
GIVEN = ["伟", "芳", "敏", "静", "丽强", "建国", "秀兰", "志明", "美玲", "家豪", "俊", "晓红"]
# A few letters are left waiting to show overdue supervision, but only if they came this recently:
# the 15-day acceptance limit (or the 60-day reply limit) then runs out days, not months, ago.
LEFT_AT_THE_DESK_WITHIN = dt.timedelta(days=25)
FORGOTTEN_BY_A_HANDLER_WITHIN = dt.timedelta(days=75)


@dataclass(order=True)
class _Job:
    day: dt.date
    seq: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class DemoResult:
    letters: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


class _Simulation:
    """Events scheduled on future days; each day runs its events, then the deadline sweep."""

    def __init__(self, rng: random.Random, end: dt.date) -> None:
        self.rng = rng
        self.end = end  # the last day seeded: today
        self.queue: list[_Job] = []
        self.seq = 0
        self._staff: dict[tuple[int, str], User | None] = {}

    def later(self, today: dt.date, days: int, run: Callable[[], None]) -> None:
        self.seq += 1
        heapq.heappush(self.queue, _Job(today + dt.timedelta(days=days), self.seq, run))

    def staff(self, unit: Unit, role: str) -> User | None:
        """Someone with ``role`` in ``unit``'s bureau (its departments included, not the bureaus below it)."""
        bureau = unit.bureau
        key = (bureau.pk, role)
        if key not in self._staff:
            self._staff[key] = (
                User.objects.filter(Q(unit=bureau) | Q(unit__bureau_of_department=bureau))
                .filter(role_grants__role=role, is_active=True)
                .order_by("pk")
                .first()
            )
        return self._staff[key]


def seed_letters(*, count: int = 2000, days: int = 150, seed: int = 2026) -> DemoResult:
    """Push ``count`` letters through the services over the ``days`` before today."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    end = timezone.localdate()
    sim = _Simulation(rng, end)
    mailboxes = _demo_mailboxes()
    places = list(
        Unit.objects.filter(kind=UnitKind.BUREAU, division_code__startswith="44", level=UnitLevel.COUNTY).values_list(
            "division_code", flat=True
        )
    )
    places_of = {mailbox.pk: _places_for(mailbox, places) for mailbox in mailboxes}
    citizens = _citizens(rng, max(50, count // 4))
    start = end - dt.timedelta(days=days)
    per_day = -(-count // (days + 1))  # ceiling: the count is reached by today
    made = 0
    with time_machine.travel(dt.datetime.combine(start, dt.time(9, 30), tzinfo=timezone.get_current_timezone())) as t:
        day = start
        while day <= end:
            t.move_to(dt.datetime.combine(day, dt.time(9, 30), tzinfo=timezone.get_current_timezone()))
            for _ in range(min(per_day, count - made)):
                mailbox = rng.choice(mailboxes)
                _submit_one(sim, day, mailbox, rng.choice(places_of[mailbox.pk]), rng.choice(citizens))
                made += 1
            while sim.queue and sim.queue[0].day <= day:
                job = heapq.heappop(sim.queue)
                # A demo step that no longer applies (the letter moved on) is refused by the product.
                with contextlib.suppress(LifecycleError):
                    job.run()
            sweep_deadlines(today=day)
            day += dt.timedelta(days=1)
    result = DemoResult(letters=made)
    for state in Letter.objects.values_list("state", flat=True):
        result.by_state[state] = result.by_state.get(state, 0) + 1
    return result


def _demo_mailboxes() -> list[Mailbox]:
    gd = list(Mailbox.objects.filter(owner__division_code__startswith="44", is_active=True))
    national = list(Mailbox.objects.filter(is_national=True))
    return gd * 4 + national


def _places_for(mailbox: Mailbox, places: list[str]) -> list[str]:
    """Where the letters of ``mailbox`` happen: in its city (the city itself when it has no counties,
    like Dongguan), or anywhere in the province for the provincial and national mailboxes."""
    owner = mailbox.owner.bureau
    if owner.level != UnitLevel.PREFECTURE:
        return places
    in_city = [code for code in places if code[:4] == owner.division_code[:4]]
    return in_city or [owner.division_code]


def _citizens(rng: random.Random, n: int) -> list[User]:
    """Demo writers with real-name identities, stored through the vault like anyone's; idempotent."""
    citizens = []
    for i in range(n):
        phone = f"1990000{i:04d}"
        user = citizen_by_phone(phone)
        if user is None:
            first17 = f"440106{1960 + i % 40}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}"
            user = citizen_create(
                real_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                id_number=first17 + check_character(first17),
                phone=phone,
                password=None,  # demo citizens do not sign in
                phone_verified_at=timezone.now(),
            )
        citizens.append(user)
    return citizens


def _submit_one(sim: _Simulation, day: dt.date, mailbox: Mailbox, place: str, citizen: User) -> None:
    rng = sim.rng
    letter_type = rng.choices(list(TYPE_WEIGHTS), weights=list(TYPE_WEIGHTS.values()))[0]
    if not mailbox.takes(letter_type):
        letter_type = LetterType.COMPLAINT
    police_type, subject, text = rng.choice(SUBJECTS[letter_type])
    place_name = Unit.objects.filter(division_code=place, kind=UnitKind.BUREAU).values_list("division_name", flat=True)
    open_channels = [c for c in CHANNEL_WEIGHTS if c in mailbox.channels]
    channel = rng.choices(open_channels, weights=[CHANNEL_WEIGHTS[c] for c in open_channels])[0]
    seat = sim.staff(mailbox.owner, Role.SEAT_AGENT) if channel == Channel.TELEPHONE else None
    if channel == Channel.TELEPHONE and seat is None:
        channel = Channel.WEB
    fields: dict[str, Any] = {
        "letter_type": letter_type,
        "channel": channel,
        "subject": subject,
        "text": text.format(month=rng.randint(1, 12), place=place_name.first() or ""),
        "division_code": place,
        "address": "",
        "police_type": police_type,
        "consent_to_publish": rng.random() < 0.4,
    }
    if seat is not None:
        letter = s.letter_submit(mailbox=mailbox, actor=seat, citizen=citizen, **fields).letter
    else:
        letter = s.letter_submit(mailbox=mailbox, actor=citizen, **fields).letter
    sim.later(day, rng.randint(0, 4), lambda: _front_desk(sim, letter, day))


def _front_desk(sim: _Simulation, letter: Letter, received: dt.date) -> None:
    rng, today = sim.rng, timezone.localdate()
    acceptor = sim.staff(letter.intake_unit, Role.ACCEPTOR)
    if acceptor is None or (rng.random() < 0.04 and _recent(sim, received, LEFT_AT_THE_DESK_WITHIN)):
        return  # a few recent ones are left waiting, to show overdue supervision
    roll = rng.random()
    if roll < 0.06:
        s.letter_refuse(
            letter=letter, actor=acceptor, reason=rng.choice([RefusalReason.COURTS, RefusalReason.NOT_POLICE])
        )
        return
    if roll < 0.09:
        s.letter_refer(
            letter=letter, actor=acceptor, organ="当地人民法院", text="该事项属于人民法院职权范围，请向人民法院提出。"
        )
        return
    s.letter_accept(letter=letter, actor=acceptor)
    if s.accused_undecided(letter):  # the desk confirms whom a complaint accuses before routing it
        s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=letter.accused_unit)
    if letter.letter_type in SHORT_PATH_TYPES and not letter.mailbox.is_national:
        sim.later(today, rng.randint(1, 4), lambda: _reply_directly(sim, letter, acceptor))
    else:
        sim.later(today, rng.randint(0, 2), lambda: _route(sim, letter, acceptor))


def _recent(sim: _Simulation, day: dt.date, within: dt.timedelta) -> bool:
    """Whether ``day`` is within ``within`` of the seeding's last day (the real today)."""
    return sim.end - day <= within


def _reply_directly(sim: _Simulation, letter: Letter, acceptor: User) -> None:
    s.letter_reply_directly(
        letter=letter,
        actor=acceptor,
        text="感谢您的来信。经核实，相关规定和办理流程如下：请携带身份证件到就近窗口办理，也可通过“粤省事”小程序预约。",
    )
    _after_reply(sim, letter)


def _route(sim: _Simulation, letter: Letter, acceptor: User) -> None:
    """Pass the letter down one level at a time (province → city → county) towards the place."""
    holder = (letter.handling_unit or letter.intake_unit).bureau
    target = _handling_bureau(sim, letter)
    if not target.path.startswith(holder.path):
        target = holder
    step = target
    if target.depth > holder.depth + 1:
        step = Unit.objects.get(path=target.path[: Unit.steplen * (holder.depth + 1)])
        if sim.staff(step, Role.ACCEPTOR) is None:
            step = target
    if step.pk == holder.pk:
        step = _department(holder, letter)
    s.letter_assign(letter=letter, actor=acceptor, unit=step, reason="按属地管理原则转办")
    next_acceptor = sim.staff(step, Role.ACCEPTOR)
    if step.bureau.pk != target.pk and next_acceptor is not None:
        sim.later(timezone.localdate(), sim.rng.randint(1, 3), lambda: _route(sim, letter, next_acceptor))
    else:
        sim.later(timezone.localdate(), sim.rng.randint(1, 3), lambda: _handle(sim, letter))


def _handling_bureau(sim: _Simulation, letter: Letter) -> Unit:
    """The bureau of the place if it has a handler, else the nearest bureau above it that has one."""
    unit = Unit.objects.filter(division_code=letter.division_code, kind=UnitKind.BUREAU, is_active=True).first()
    while unit is not None and sim.staff(unit, Role.HANDLER) is None:
        unit = Unit.objects.get_parent(unit)
    return unit or letter.intake_unit.bureau


def _department(bureau: Unit, letter: Letter) -> Unit:
    from xinfang.orgs.services import department_for

    return department_for(bureau, letter.police_type or PoliceType.PUBLIC_ORDER)


def _handle(sim: _Simulation, letter: Letter) -> None:
    rng = sim.rng
    unit = letter.handling_unit or letter.intake_unit
    handler = sim.staff(unit, Role.HANDLER)
    if handler is None or (rng.random() < 0.03 and _recent(sim, timezone.localdate(), FORGOTTEN_BY_A_HANDLER_WITHIN)):
        return  # a few recent ones are forgotten, to show overdue supervision
    s.letter_start_handling(letter=letter, actor=handler)
    leader = sim.staff(unit, Role.LEADER)
    if leader is not None and rng.random() < 0.08:
        s.letter_request_extension(letter=letter, actor=handler, days=30, reason="案情复杂，需调取证据并走访相关人员")
        sim.later(timezone.localdate(), 2, lambda: _decide_extension(letter, leader))
    sim.later(timezone.localdate(), rng.randint(5, 50), lambda: _draft(sim, letter, handler, leader))


def _decide_extension(letter: Letter, leader: User) -> None:
    s.letter_decide_extension(letter=letter, actor=leader, approve=True)


def _draft(sim: _Simulation, letter: Letter, handler: User, leader: User | None) -> None:
    s.letter_draft_reply(
        letter=letter, actor=handler,
        text="经调查核实，您反映的问题已责成相关单位整改，对涉事民警进行了批评教育。感谢您对公安工作的监督。",
    )  # fmt: skip
    if leader is not None:
        sim.later(timezone.localdate(), sim.rng.randint(1, 3), lambda: _approve(sim, letter, leader))


def _approve(sim: _Simulation, letter: Letter, leader: User) -> None:
    s.letter_approve_reply(letter=letter, actor=leader)
    _after_reply(sim, letter)


def _after_reply(sim: _Simulation, letter: Letter) -> None:
    rng, today = sim.rng, timezone.localdate()
    citizen = letter.citizen
    if citizen is None or rng.random() < 0.3:
        return
    rating = rng.choices(list(Rating.values), weights=[60, 25, 15])[0]
    sim.later(today, rng.randint(1, 10), lambda: _evaluate(letter, citizen, rating))
    if rating == Rating.DISSATISFIED and rng.random() < 0.4:
        sim.later(today, rng.randint(11, 20), lambda: _request_review(sim, letter, citizen))


def _evaluate(letter: Letter, citizen: User, rating: str) -> None:
    s.letter_evaluate(letter=letter, actor=citizen, rating=rating)


def _request_review(sim: _Simulation, letter: Letter, citizen: User) -> None:
    s.letter_request_review(letter=letter, actor=citizen, reason="对答复不满意，问题没有解决")
    sim.later(timezone.localdate(), sim.rng.randint(10, 25), lambda: _answer_review(sim, letter))


def _answer_review(sim: _Simulation, letter: Letter) -> None:
    """The superior bureau answers within the 30 days (the Ministry, which has no handler here, does not)."""
    unit = letter.review_unit
    answerer = (sim.staff(unit, Role.HANDLER) or sim.staff(unit, Role.LEADER)) if unit is not None else None
    if answerer is not None:
        s.letter_answer_review(letter=letter, actor=answerer, text="经复查，原答复认定事实清楚，处理恰当，予以维持。")
