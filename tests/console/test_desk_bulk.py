"""Bulk actions at the front desk: each letter succeeds or fails on its own, and the page says which."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ConsoleClient, receive
from xinfang.accounts.models import User
from xinfang.console import services
from xinfang.letters import services as letters_services
from xinfang.letters.lifecycle import LifecycleError
from xinfang.letters.models import AssignmentMode, Letter, LetterState, RefusalReason
from xinfang.letters.services import letter_refuse
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import LetterType


def ticked(*letters: Letter) -> list[str]:
    return [f"{letter.public_id}:{letter.version}" for letter in letters]


def fresh(letter: Letter) -> Letter:
    return Letter.objects.get(pk=letter.pk)


def test_bulk_accept_and_transfer_reports_each_letter(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox, tianhe: Unit, shenzhen: Unit
) -> None:
    tianhe_letter = receive(citizen, gd_mailbox, subject="天河")
    shenzhen_letter = receive(citizen, gd_mailbox, subject="深圳", division_code="440300")
    taken = receive(citizen, gd_mailbox, subject="已被他人处理")
    seen = ticked(tianhe_letter, shenzhen_letter, taken)
    letter_refuse(letter=taken, actor=acceptor, reason=RefusalReason.NOT_POLICE)

    response = console_client(acceptor).post("/console/desk/bulk", {"action": "accept_transfer", "letters": seen})
    outcomes = {o.letter.pk: o for o in response.context["outcomes"]}
    assert outcomes[tianhe_letter.pk].ok and outcomes[shenzhen_letter.pk].ok
    assert not outcomes[taken.pk].ok
    assert outcomes[taken.pk].message == "这封信刚刚被其他人处理过，请刷新后查看最新情况再操作。"
    assert (fresh(tianhe_letter).handling_unit, fresh(shenzhen_letter).handling_unit) == (tianhe, shenzhen)
    assert fresh(tianhe_letter).assignment_mode == AssignmentMode.TRANSFER
    page = response.content.decode()
    assert page.count('class="ok"') == 2 and page.count('class="failed"') == 1
    assert "已受理并转办至广州市公安局天河区分局。" in page


def test_a_letter_whose_transfer_fails_is_not_left_accepted_and_the_others_go_on(
    console_client: ConsoleClient,
    acceptor: User,
    citizen: User,
    gd_mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = receive(citizen, gd_mailbox, subject="转办失败")
    second = receive(citizen, gd_mailbox, subject="转办成功")
    real_assign = letters_services.letter_assign  # the function console.services calls

    def assign(*, letter: Letter, **kwargs: Any) -> Letter:
        if letter.pk == first.pk:
            raise LifecycleError("该单位已撤销，不能转办。")
        return real_assign(letter=letter, **kwargs)

    monkeypatch.setattr(services, "letter_assign", assign)
    response = console_client(acceptor).post(
        "/console/desk/bulk", {"action": "accept_transfer", "letters": ticked(first, second)}
    )
    failed, done = response.context["outcomes"]
    assert (failed.ok, failed.message, done.ok) == (False, "该单位已撤销，不能转办。", True)
    assert fresh(first).state == LetterState.RECEIVED  # the acceptance was undone with the failed transfer
    assert fresh(second).state == LetterState.ASSIGNED


def test_bulk_refusal_uses_the_standard_notice(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letters = [receive(citizen, gd_mailbox, subject=f"第 {n} 封") for n in range(2)]
    console_client(acceptor).post(
        "/console/desk/bulk",
        {"action": "refuse", "refusal_reason": RefusalReason.NOT_POLICE, "letters": ticked(*letters)},
    )
    for letter in letters:
        refused = fresh(letter)
        assert refused.state == LetterState.NOT_ACCEPTED
        assert "不属于公安机关职责范围" in refused.notice_text and letter.tracking_number in refused.notice_text


def test_bulk_refusal_needs_a_reason_and_a_tick(console_client: ConsoleClient, acceptor: User) -> None:
    response = console_client(acceptor).post("/console/desk/bulk", {"action": "refuse"})
    form = response.context["bulk_form"]
    assert form.errors["refusal_reason"] == ["请选择不予受理理由。"]
    assert form.errors["letters"] == ["请至少勾选一封信件。"]


def test_letters_the_acceptor_may_not_see_are_left_alone_and_counted(
    console_client: ConsoleClient, acceptor: User, outsider: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    response = console_client(outsider).post("/console/desk/bulk", {"action": "accept", "letters": ticked(letter)})
    assert response.context["outcomes"] == [] and response.context["missing"] == 1
    assert fresh(letter).state == LetterState.RECEIVED


def test_bulk_is_for_acceptors_only(console_client: ConsoleClient, handler: User) -> None:
    assert console_client(handler).post("/console/desk/bulk", {"action": "accept"}).status_code == 403


def test_bulk_transfer_refuses_each_undecided_complaint_and_transfers_the_rest(
    console_client: ConsoleClient, acceptor: User, citizen: User, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    complaint = receive(citizen, gd_mailbox, subject="投诉", letter_type=LetterType.COMPLAINT)
    inquiry = receive(citizen, gd_mailbox, subject="咨询")
    response = console_client(acceptor).post(
        "/console/desk/bulk", {"action": "accept_transfer", "letters": ticked(complaint, inquiry)}
    )
    outcomes = {o.letter.pk: o for o in response.context["outcomes"]}
    assert not outcomes[complaint.pk].ok
    assert outcomes[complaint.pk].message == "请先认定被反映单位（或认定不涉及公安机关），再转办或交办。"
    assert fresh(complaint).state == LetterState.RECEIVED  # not even left accepted
    assert outcomes[inquiry.pk].ok and fresh(inquiry).handling_unit == tianhe
