"""The front-desk letter page: each decision, the routing proposal and its explanation, conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import make_staff
from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, ConsoleClient, receive
from tests.letters.conftest import decide_accused
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import AssignmentMode, Letter, LetterState, RefusalReason
from xinfang.letters.services import letter_accept, letter_refuse
from xinfang.orgs.choices import PoliceType
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import department_for
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import LetterType


@pytest.fixture
def letter(citizen: User, gd_mailbox: Mailbox) -> Letter:
    return receive(citizen, gd_mailbox)


@pytest.fixture
def complaint_about_tianhe(citizen: User, gd_mailbox: Mailbox, tianhe: Unit) -> Letter:
    return receive(
        citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, accused_unit=tianhe,
        subject="天河区分局民警态度恶劣", text="民警在办理业务时态度恶劣。",
    )  # fmt: skip


@pytest.fixture
def second_acceptor(guangdong: Unit) -> User:
    return make_staff("acceptor-2", guangdong, Role.ACCEPTOR)


def url(letter: Letter) -> str:
    return f"/console/desk/{letter.public_id}/"


def act(client: Client, letter: Letter, action: str, **fields: Any) -> Any:
    data = {"action": action, f"{action}-version": letter.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return client.post(url(letter), data)


def fresh(letter: Letter) -> Letter:
    return Letter.objects.get(pk=letter.pk)


def test_the_page_shows_the_proposed_unit_with_its_explanation_lines(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = console_client(acceptor).get(url(letter))
    page = response.content.decode()
    proposal = propose_for_letter(letter)
    assert proposal.unit.name in page
    assert len(proposal.reasons) >= 2
    for reason in proposal.reasons:
        assert f'<li data-code="{reason.code}">{reason.text}</li>' in page
    assert "地点 440106（天河区）属于广州市公安局天河区分局管辖。" in page


def test_the_page_masks_the_writer(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    page = console_client(acceptor).get(url(letter)).content.decode()
    assert "张*" in page and "138****8000" in page
    assert CITIZEN_NAME not in page and CITIZEN_PHONE not in page


def test_accepting_keeps_the_acceptor_on_the_letter_to_route_it(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = act(console_client(acceptor), letter, "accept")
    assert response.status_code == 302 and response["Location"] == url(letter)
    assert fresh(letter).state == LetterState.ACCEPTED


def test_refusing_issues_the_standard_written_notice_for_the_reason(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = act(console_client(acceptor), letter, "refuse", reason=RefusalReason.COURTS, notice="")
    assert response.status_code == 302
    refused = fresh(letter)
    assert refused.state == LetterState.NOT_ACCEPTED and refused.refusal_reason == RefusalReason.COURTS
    assert "应当通过诉讼、仲裁、行政复议等法定途径解决" in refused.notice_text
    assert letter.tracking_number in refused.notice_text and "不予受理" in refused.notice_text


def test_the_page_offers_each_reasons_standard_notice(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    page = console_client(acceptor).get(url(letter)).content.decode()
    assert "经审查，不属于公安机关职责范围。依照《信访工作条例》" in page
    assert f"（编号 {letter.tracking_number}）" in page


def test_refusing_for_another_reason_needs_the_reason_written_next_to_the_notice(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = act(console_client(acceptor), letter, "refuse", reason=RefusalReason.OTHER, notice=" ")
    assert response.status_code == 200
    assert response.context["forms"]["refuse"].errors["notice"] == ["选择“其他原因”时须写明理由。"]
    assert fresh(letter).state == LetterState.RECEIVED


def test_referring_tells_the_writer_where_to_go(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    act(console_client(acceptor), letter, "refer", organ="天河区人民法院", text="请向人民法院起诉。")
    referred = fresh(letter)
    assert (referred.state, referred.referred_to) == (LetterState.REFERRED, "天河区人民法院")


def test_redirecting_an_emergency(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    act(console_client(acceptor), letter, "emergency", note="已电话联系 110 指挥中心")
    assert fresh(letter).state == LetterState.EMERGENCY_REDIRECTED


def test_asking_for_more_information(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    act(console_client(acceptor), letter, "request_info", reason="请补充户籍证明")
    asked = fresh(letter)
    assert asked.state == LetterState.INFO_REQUESTED
    assert asked.events.last().reason == "请补充户籍证明"  # type: ignore[union-attr]


def test_an_empty_action_form_shows_the_error_next_to_the_field(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    response = act(console_client(acceptor), letter, "request_info", reason="")
    assert response.context["forms"]["request_info"].errors["reason"] == ["这个字段是必填项。"]


def test_one_click_accepts_and_transfers_to_the_proposed_unit_with_the_explanation_stored(
    console_client: ConsoleClient, acceptor: User, letter: Letter, tianhe: Unit
) -> None:
    response = act(console_client(acceptor), letter, "transfer", mode=AssignmentMode.TRANSFER)
    assert response.status_code == 302 and response["Location"] == "/console/desk/"
    moved = fresh(letter)
    assert (moved.state, moved.handling_unit, moved.assignment_mode) == (
        LetterState.ASSIGNED, tianhe, AssignmentMode.TRANSFER,
    )  # fmt: skip
    event = moved.events.get(action="assign")
    assert event.data["followed_proposal"] is True
    assert [line["code"] for line in event.data["explanation"]] == list(propose_for_letter(letter).reason_codes)


def test_one_click_can_assign_with_a_duty_to_report_back(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    letter_accept(letter=letter, actor=acceptor)
    act(console_client(acceptor), letter, "transfer", mode=AssignmentMode.ASSIGN)
    assert fresh(letter).assignment_mode == AssignmentMode.ASSIGN


def test_another_unit_than_proposed_needs_a_reason(
    console_client: ConsoleClient, acceptor: User, letter: Letter, guangzhou: Unit
) -> None:
    client = console_client(acceptor)
    response = act(client, letter, "other_unit", unit=f"{guangzhou.code} {guangzhou.name}", mode="transfer", reason="")
    errors = response.context["forms"]["other_unit"].errors
    assert errors["reason"] == ["所选单位与系统建议（广州市公安局天河区分局）不同，请说明理由。"]
    assert fresh(letter).state == LetterState.RECEIVED
    assert "所选单位与系统建议" in response.content.decode()

    done = act(client, letter, "other_unit", unit=guangzhou.code, mode="transfer", reason="涉及多区，由市局统筹")
    assert done.status_code == 302
    moved = fresh(letter)
    assert moved.handling_unit == guangzhou
    assert moved.events.get(action="assign").reason == "涉及多区，由市局统筹"


def test_recusal_forbids_sending_a_complaint_to_the_accused_unit_with_the_engines_reason(
    console_client: ConsoleClient, acceptor: User, complaint_about_tianhe: Letter, tianhe: Unit
) -> None:
    letter = decide_accused(complaint_about_tianhe, acceptor)
    response = act(console_client(acceptor), letter, "other_unit", unit=tianhe.code, mode="transfer", reason="就近")
    errors = response.context["forms"]["other_unit"].errors["unit"]
    assert errors[0] == "依照回避规定，不能转给被反映单位或其下级单位办理。"
    assert "按回避原则" in errors[1]
    assert fresh(letter).state == LetterState.RECEIVED


def test_a_unit_outside_the_acceptors_bureau_cannot_be_chosen(
    console_client: ConsoleClient, acceptor: User, letter: Letter
) -> None:
    guangxi = act(console_client(acceptor), letter, "other_unit", unit="450000", mode="transfer", reason="x")
    assert guangxi.context["forms"]["other_unit"].errors["unit"] == ["请从列表中选择本单位或下级单位。"]


def test_when_two_acceptors_act_at_once_the_second_sees_the_conflict_and_keeps_what_they_typed(
    console_client: ConsoleClient, acceptor: User, second_acceptor: User, letter: Letter
) -> None:
    seen = fresh(letter)  # both open the page at version 0
    letter_refuse(letter=fresh(letter), actor=second_acceptor, reason=RefusalReason.NOT_POLICE)
    typed = "请您向当地人民法院起诉，我们已记录您的来信。"
    response = act(console_client(acceptor), seen, "refer", organ="天河区人民法院", text=typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。" in page
    assert typed in page and "天河区人民法院" in page
    assert fresh(letter).state == LetterState.NOT_ACCEPTED


def test_a_conflict_at_the_same_instant_is_reported_the_same_way(
    console_client: ConsoleClient, acceptor: User, letter: Letter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lifecycle's conditional update loses (someone committed between our read and our write)."""
    from xinfang.letters import lifecycle

    real_apply = lifecycle.apply

    def racing_apply(target: Letter, *args: Any, **kwargs: Any) -> Any:
        Letter.objects.filter(pk=target.pk).update(version=target.version + 1)
        return real_apply(target, *args, **kwargs)

    monkeypatch.setattr("xinfang.letters.services._common.apply", racing_apply)
    response = act(console_client(acceptor), letter, "request_info", reason="请补充材料清单")
    page = response.content.decode()
    assert "这封信刚刚被其他人处理过" in page and "请补充材料清单" in page
    assert fresh(letter).state == LetterState.RECEIVED


def test_an_outsider_gets_not_found(console_client: ConsoleClient, outsider: User, letter: Letter) -> None:
    assert console_client(outsider).get(url(letter)).status_code == 404
    assert act(console_client(outsider), letter, "accept").status_code == 404
    assert fresh(letter).state == LetterState.RECEIVED


def test_a_user_without_the_acceptor_role_is_refused(
    console_client: ConsoleClient, seat_agent: User, letter: Letter
) -> None:
    assert console_client(seat_agent).get(url(letter)).status_code == 403


def test_an_acceptor_without_a_second_factor_is_sent_to_sign_in(acceptor: User, letter: Letter) -> None:
    client = Client()
    client.force_login(acceptor)
    assert client.get(url(letter))["Location"].startswith("/console/login/")


def test_the_common_letter_page_is_linked(console_client: ConsoleClient, acceptor: User, letter: Letter) -> None:
    assert f'href="/console/letters/{letter.public_id}/"' in console_client(acceptor).get(url(letter)).content.decode()


def test_a_letter_already_sent_on_offers_the_sender_nothing_more(
    console_client: ConsoleClient, acceptor: User, letter: Letter, tianhe: Unit
) -> None:
    act(console_client(acceptor), letter, "transfer", mode=AssignmentMode.TRANSFER)
    response = console_client(acceptor).get(url(letter))
    assert response.context["shown"] == set()
    assert "受理台无需处理" in response.content.decode()


def test_the_receiving_bureaus_front_desk_routes_a_letter_passed_down_to_it(
    console_client: ConsoleClient, acceptor: User, letter: Letter, tianhe: Unit
) -> None:
    act(console_client(acceptor), letter, "transfer", mode=AssignmentMode.TRANSFER)
    tianhe_desk = console_client(make_staff("tianhe-acceptor", tianhe, Role.ACCEPTOR))
    queue = tianhe_desk.get("/console/desk/")
    assert [row.letter.pk for row in queue.context["rows"]] == [letter.pk]
    page = tianhe_desk.get(url(letter))
    assert page.context["shown"] == {"other_unit"}  # the proposal is Tianhe itself: nothing to click
    assert "信件已在系统建议的单位" in page.content.decode()
    department = department_for(tianhe, PoliceType.HOUSEHOLD)
    done = act(tianhe_desk, fresh(letter), "other_unit", unit=department.code, mode="transfer", reason="户籍事项")
    assert done.status_code == 302
    assert fresh(letter).handling_unit == department


# ---------------------------------------------------------------- whom a complaint accuses (issue 13)

TEXT_ACCUSING_TIANHE = "天河区公安分局某某派出所民警王某多次推诿，至今不给办理户籍迁移。"


@pytest.fixture
def complaint_naming_tianhe_in_the_text(citizen: User, gd_mailbox: Mailbox) -> Letter:
    """A complaint whose writer ticked nothing and named no officer in the fields: only the text accuses."""
    return receive(citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, text=TEXT_ACCUSING_TIANHE)


def test_an_undecided_complaint_is_not_transferred_and_the_page_says_why(
    console_client: ConsoleClient, acceptor: User, complaint_naming_tianhe_in_the_text: Letter
) -> None:
    letter = complaint_naming_tianhe_in_the_text
    client = console_client(acceptor)
    page = client.get(url(letter)).content.decode()
    assert 'name="action" value="transfer"' not in page and "须先认定被反映单位" in page
    # The desk still sees where the letter would go once it has decided.
    assert f'<p class="proposed-unit">{propose_for_letter(letter).unit}</p>' in page
    response = act(client, letter, "transfer", mode=AssignmentMode.TRANSFER)
    assert response.status_code == 200
    assert "请先认定被反映单位（或认定不涉及公安机关），再转办或交办。" in response.content.decode()
    assert fresh(letter).state == LetterState.RECEIVED and fresh(letter).handling_unit is None


def test_the_desk_proposes_the_unit_the_text_names_and_the_acceptor_confirms_it(
    console_client: ConsoleClient, acceptor: User, complaint_naming_tianhe_in_the_text: Letter, tianhe: Unit
) -> None:
    letter = complaint_naming_tianhe_in_the_text
    client = console_client(acceptor)
    page = client.get(url(letter)).content.decode()
    assert '<span class="proposed-accused">广州市公安局天河区分局</span>' in page
    assert 'value="440106 广州市公安局天河区分局"' in page  # the decision form starts from the proposal

    no_reason = act(client, letter, "accused", decision="unit", unit="440106 广州市公安局天河区分局", reason="")
    errors = no_reason.context["forms"]["accused"].errors
    assert errors["reason"] == ["认定的被反映单位与信访人所填不同，请说明理由。"]
    assert fresh(letter).accused_decided_at is None

    done = act(client, letter, "accused", decision="unit", unit="440106", reason="信件内容指明天河区公安分局民警")
    assert done.status_code == 302 and done["Location"] == url(letter)
    decided = fresh(letter)
    assert decided.accused_unit == tianhe and decided.accused_decided_by == acceptor
    act(client, decided, "transfer", mode=AssignmentMode.TRANSFER)
    moved = fresh(letter)
    assert moved.handling_unit is not None and moved.handling_unit.code == "440100-inspection"


def test_the_acceptor_may_decide_that_no_police_unit_is_accused(
    console_client: ConsoleClient, acceptor: User, complaint_naming_tianhe_in_the_text: Letter, tianhe: Unit
) -> None:
    letter = complaint_naming_tianhe_in_the_text
    client = console_client(acceptor)
    act(client, letter, "accused", decision="none", unit="", reason="")  # the writer named no unit either
    decided = fresh(letter)
    assert decided.accused_unit is None and decided.accused_decided_at is not None
    act(client, decided, "transfer", mode=AssignmentMode.TRANSFER)
    assert fresh(letter).handling_unit is not None  # routed by place once decided


def test_deciding_that_the_desks_own_bureau_is_accused_takes_the_letter_away_from_it(
    console_client: ConsoleClient, acceptor: User, complaint_naming_tianhe_in_the_text: Letter, guangdong: Unit
) -> None:
    letter = complaint_naming_tianhe_in_the_text
    client = console_client(acceptor)
    done = act(client, letter, "accused", decision="unit", unit=guangdong.code, reason="实为反映省厅")
    assert done.status_code == 302 and done["Location"] == "/console/desk/"
    assert fresh(letter).intake_unit.code == "MPS"
    assert client.get(url(letter)).status_code == 404


def test_a_matter_concluded_after_re_examination_is_not_accepted_again_and_the_page_says_why(
    console_client: ConsoleClient,
    acceptor: User,
    citizen: User,
    gd_mailbox: Mailbox,
    guangzhou: Unit,
    guangdong: Unit,
    tianhe: Unit,
) -> None:
    handler = make_staff("concluded-handler", tianhe, Role.HANDLER, Role.LEADER)
    first = receive(citizen, gd_mailbox)
    letter_accept(letter=first, actor=acceptor)
    s.letter_assign(letter=first, actor=acceptor, unit=tianhe, reason="按管辖转办。")
    s.letter_start_handling(letter=first, actor=handler)
    s.letter_draft_reply(letter=first, actor=handler, text="材料清单见附件。")
    s.letter_approve_reply(letter=first, actor=handler)
    s.letter_request_review(letter=first, actor=citizen, reason="不服。")
    s.letter_answer_review(letter=first, actor=make_staff("gz-r", guangzhou, Role.HANDLER), text="维持。")
    s.letter_request_reexam(letter=first, actor=citizen, reason="仍不服。")
    s.letter_answer_reexam(letter=first, actor=make_staff("gd-r", guangdong, Role.HANDLER), text="维持。")
    again = receive(citizen, gd_mailbox, repeat_of=fresh(first))

    page = console_client(acceptor).get(url(again)).content.decode()

    assert 'name="action" value="accept"' not in page
    assert "同一事项已于复核后终结" in page and first.tracking_number in page


def test_looking_at_the_desk_creates_no_unit_and_the_transfer_creates_the_department(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    """Routing proposes a county department that does not exist yet without writing it; the
    transfer, a write the acceptor asked for, creates it."""
    baiyun = Unit.objects.get(code="440111")
    assert not baiyun.departments.filter(police_type=PoliceType.NARCOTICS).exists()
    letter = receive(citizen, gd_mailbox, division_code="440111", police_type=PoliceType.NARCOTICS)
    client = console_client(acceptor)
    units = Unit.objects.count()
    page = client.get(url(letter)).content.decode()
    client.get("/console/desk/")
    assert Unit.objects.count() == units
    assert '<p class="proposed-unit">广州市公安局白云区分局禁毒大队</p>' in page

    act(client, letter, "transfer", mode=AssignmentMode.TRANSFER)
    moved = fresh(letter)
    assert moved.state == LetterState.ASSIGNED
    assert moved.handling_unit == baiyun.departments.get(police_type=PoliceType.NARCOTICS)
