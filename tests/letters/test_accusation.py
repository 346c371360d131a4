"""Whom a complaint accuses is a fact the product establishes (issue 13): the form's fields and the
letter's text are read, the front desk decides, routing waits for the decision, and a later change
runs recusal again at once."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.conftest import make_staff, unit
from tests.letters.conftest import decide_accused, submit
from xinfang.accounts.models import Role, User
from xinfang.audit.models import AuditEntry
from xinfang.letters import services as s
from xinfang.letters.access import letter_for, may_reveal_identity
from xinfang.letters.accusation import names_an_officer, propose_accused, units_named_in
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Mailbox, Unit
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import LetterType

pytestmark = pytest.mark.django_db
S = LetterState


# ---------------------------------------------------------------- reading the text


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("天河区公安分局某某派出所民警王某推诿不办", "440106"),
        ("广州市公安局天河区分局不予立案", "440106"),
        ("天河分局的民警态度恶劣", "440106"),
        ("广州市公安局交警支队的民警乱罚款", "440100-traffic"),
        ("广州市局督察支队不回复", "440100-inspection"),
        ("我到海珠区江南中路派出所报案，无人受理", "440105"),
        ("广东省广州市天河区石牌派出所的辅警", "440106"),
        ("越秀交警大队扣了我的车", "440104"),
        ("广东省公安厅出入境管理总队办证太慢", "440000-exit_entry"),
    ],
)
def test_a_unit_named_in_the_text_is_found_in_full_or_short_form(guangzhou: Unit, text: str, code: str) -> None:
    assert [m.unit.code for m in units_named_in(text, near=guangzhou)] == [code]


@pytest.mark.parametrize(
    "text",
    [
        "我在天河路上被抢了手机",  # a street, not a police unit
        "派出所民警在户籍窗口推诿",  # no unit named
        "公安分局的民警不作为",  # "公安" is a word here, not 公安县
        "朝阳区分局不立案",  # Beijing's or Changchun's: too far from Guangzhou to guess
    ],
)
def test_text_naming_no_unit_or_an_ambiguous_one_proposes_none(guangzhou: Unit, text: str) -> None:
    assert units_named_in(text, near=guangzhou) == []


def test_a_name_shared_by_several_places_goes_to_the_one_near_the_letter(tree: None) -> None:
    assert [m.unit.code for m in units_named_in("朝阳区分局不立案", near=unit("110000"))] == ["110105"]


@pytest.mark.parametrize(
    ("text", "named"),
    [("警号 123456 的民警", True), ("民警王某索要好处费", True), ("李警官态度恶劣", True), ("民警多次推诿", False)],
)
def test_an_officer_named_in_the_text_is_a_signal(text: str, named: bool) -> None:
    assert names_an_officer(text) is named


def test_the_desk_proposes_the_unit_the_text_names(citizen: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox, text="天河区公安分局某某派出所民警王某推诿，至今未办。").letter
    assert letter.accused_unit is None
    proposal = propose_accused(letter)
    assert proposal.unit is not None and proposal.unit.code == "440106"
    assert any("天河区公安分局" in line for line in proposal.reasons)


def test_an_officer_named_without_a_unit_proposes_the_bureau_of_the_place(citizen: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox, division_code="440105", text="民警王某在窗口索要好处费，请查处。").letter
    proposal = propose_accused(letter)
    assert proposal.officer_named and proposal.unit is not None and proposal.unit.code == "440105"


def test_an_inquiry_proposes_no_accusation(citizen: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox, letter_type=LetterType.INQUIRY, text="天河分局的办公时间？").letter
    assert propose_accused(letter).unit is None


# ---------------------------------------------------------------- submission


def test_naming_an_officer_accuses_the_bureau_of_the_place(citizen: User, gd_mailbox: Mailbox) -> None:
    letter = submit(citizen, gd_mailbox, division_code="440105", accused_officer_post="户籍窗口民警").letter
    assert letter.accused_unit is not None and letter.accused_unit.code == "440105"


def test_an_inquiry_naming_an_officer_is_refused(citizen: User, gd_mailbox: Mailbox) -> None:
    with pytest.raises(LifecycleError, match="只有投诉和举报"):
        submit(citizen, gd_mailbox, letter_type=LetterType.INQUIRY, accused_badge_number="123456")


def test_an_officer_named_with_no_unit_and_no_place_is_refused(citizen: User, gd_mailbox: Mailbox) -> None:
    with pytest.raises(LifecycleError, match="被反映单位或事发地"):
        submit(citizen, gd_mailbox, division_code="", accused_officer_name="李某")


# ---------------------------------------------------------------- the decision comes before routing


def test_an_undecided_complaint_cannot_be_transferred(letter: Letter, acceptor: User, tianhe: Unit) -> None:
    s.letter_accept(letter=letter, actor=acceptor)
    with pytest.raises(LifecycleError, match="请先认定被反映单位"):
        s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    assert Letter.objects.get(pk=letter.pk).state == S.ACCEPTED
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    assert letter.handling_unit == tianhe


def test_an_inquiry_needs_no_decision(citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit) -> None:
    letter = submit(citizen, gd_mailbox, letter_type=LetterType.INQUIRY).letter
    s.letter_accept(letter=letter, actor=acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    assert letter.state == S.ASSIGNED


def test_the_decision_is_recorded_on_the_letter_the_timeline_and_the_audit_chain(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit
) -> None:
    letter = submit(citizen, gd_mailbox, text="天河分局民警王某推诿。").letter
    with pytest.raises(LifecycleError, match="请说明理由"):
        s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=tianhe)
    s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=tianhe, reason="信件内容指明天河分局民警")
    stored = Letter.objects.get(pk=letter.pk)
    assert stored.accused_unit == tianhe and stored.accused_decided_by == acceptor
    assert stored.accused_decided_at is not None
    event = stored.events.get(action="set_accused")
    assert event.data == {"accused": "440106", "before": "", "first": True}
    assert event.reason == "信件内容指明天河分局民警" and not event.citizen_visible
    assert AuditEntry.objects.filter(data__action="set_accused", data__event=event.pk).exists()


def test_routing_uses_the_decided_unit_and_recusal_forbids_it(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit
) -> None:
    letter = submit(citizen, gd_mailbox, text="天河分局民警王某推诿。").letter
    s.letter_accept(letter=letter, actor=acceptor)
    s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=tianhe, reason="信件内容指明天河分局民警")
    assert propose_for_letter(letter).unit.code == "440100-inspection"
    with pytest.raises(LifecycleError, match="回避"):
        s.letter_assign(letter=letter, actor=acceptor, unit=tianhe, reason="事发地")


def test_only_the_front_desk_decides_first(letter: Letter, handler: User, acceptor: User, tianhe: Unit) -> None:
    with pytest.raises(LifecycleError):
        s.letter_set_accused(letter=letter, actor=handler, accused_unit=None)
    s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=None)  # the writer named no unit either
    assert Letter.objects.get(pk=letter.pk).accused_decided_at is not None


# ---------------------------------------------------------------- a later change runs recusal again


@pytest.fixture
def at_tianhe(letter: Letter, acceptor: User, handler: User, tianhe: Unit) -> Letter:
    s.letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    s.letter_assign(letter=letter, actor=acceptor, unit=tianhe)
    s.letter_start_handling(letter=letter, actor=handler)
    s.letter_draft_reply(letter=letter, actor=handler, text="经核查，民警无过错。")
    return letter


def test_accusing_the_holders_bureau_sends_the_letter_to_the_desk_above_at_once(
    at_tianhe: Letter, handler: User, tianhe: Unit, guangzhou: Unit
) -> None:
    gz_acceptor = make_staff("gz-desk", guangzhou, Role.ACCEPTOR)
    assert may_reveal_identity(handler, at_tianhe)
    s.letter_set_accused(letter=at_tianhe, actor=handler, accused_unit=tianhe, reason="调查发现涉事民警属本分局")
    stored = Letter.objects.get(pk=at_tianhe.pk)
    assert (stored.state, stored.intake_unit, stored.handling_unit) == (S.ACCEPTED, guangzhou, None)
    assert stored.reply_text == "" and stored.owing_unit == guangzhou
    with pytest.raises(Http404):
        letter_for(handler, str(stored.public_id))
    assert not may_reveal_identity(handler, stored)
    moved = stored.events.get(action="recusal_return")
    assert moved.reason == "调查发现涉事民警属本分局" and moved.data["desk"] == "440100"
    assert may_reveal_identity(gz_acceptor, stored)
    assert propose_for_letter(stored).unit.code == "440100-inspection"
    s.letter_assign(letter=stored, actor=gz_acceptor, unit=propose_for_letter(stored).unit)
    assert stored.state == S.ASSIGNED


def test_accusing_the_front_desks_own_bureau_moves_the_desk_up(letter: Letter, acceptor: User, guangdong: Unit) -> None:
    s.letter_set_accused(letter=letter, actor=acceptor, accused_unit=guangdong, reason="信件反映省厅")
    stored = Letter.objects.get(pk=letter.pk)
    assert stored.state == S.RECEIVED and stored.intake_unit.code == "MPS"
    with pytest.raises(Http404):
        letter_for(acceptor, str(stored.public_id))


def test_a_change_that_leaves_the_holder_outside_keeps_the_letter_where_it_is(at_tianhe: Letter, handler: User) -> None:
    haizhu = unit("440105")
    s.letter_set_accused(letter=at_tianhe, actor=handler, accused_unit=haizhu, reason="涉事民警属海珠分局")
    stored = Letter.objects.get(pk=at_tianhe.pk)
    assert stored.state == S.REPLY_DRAFTED and stored.handling_unit is not None
    assert stored.handling_unit.code == "440106" and not stored.events.filter(action="recusal_return").exists()


def test_a_later_change_needs_a_reason_and_a_change(at_tianhe: Letter, handler: User) -> None:
    with pytest.raises(LifecycleError, match="须说明理由"):
        s.letter_set_accused(letter=at_tianhe, actor=handler, accused_unit=unit("440105"))
    with pytest.raises(LifecycleError, match="没有变化"):
        s.letter_set_accused(letter=at_tianhe, actor=handler, accused_unit=None, reason="再次确认")


def test_a_complaint_accusing_the_mailboxs_own_bureau_only_in_its_text_is_received_above_it(
    citizen: User, guangzhou: Unit, guangdong: Unit
) -> None:
    """Before anyone decides whom it accuses, the accused bureau's own front desk never reads it."""
    gz_mailbox = Mailbox.objects.get(owner=guangzhou)
    letter = submit(
        citizen, gz_mailbox, letter_type=LetterType.COMPLAINT, division_code="440100",
        text="广州市公安局的民警接警后一直不出警，我多次打电话催促，至今没有任何答复。",
    ).letter  # fmt: skip
    gz_desk = make_staff("gz-desk-text", guangzhou, Role.ACCEPTOR)

    assert letter.accused_unit is None and letter.intake_unit == guangdong
    with pytest.raises(Http404):
        letter_for(gz_desk, str(letter.public_id))
    assert letter_for(make_staff("gd-desk-text", guangdong, Role.ACCEPTOR), str(letter.public_id)) == letter
    inquiry = submit(
        citizen, gz_mailbox, letter_type=LetterType.INQUIRY, text="请问广州市公安局的户籍窗口周末上班吗？"
    ).letter
    assert inquiry.intake_unit == guangzhou  # an inquiry that names the bureau accuses no one
