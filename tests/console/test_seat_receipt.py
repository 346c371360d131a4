"""The caller's receipt from the transparency log (issue 15): the seat who registered a call downloads it
from the registered page to send or read out to the caller; staff who may see the letter may too; no one else."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.conftest import make_staff
from tests.factories import ConsoleClient, call_form
from xinfang.accounts.models import Role, User
from xinfang.audit.sealing import log_seal
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit

pytestmark = pytest.mark.usefixtures("phone_mailbox")


def register(
    client: Client, mailbox: Mailbox, capture: DjangoCaptureOnCommitCallbacks, **overrides: Any
) -> tuple[Letter, str]:
    """Register a call; the receipt entry is written once the letter's transaction commits, as in production."""
    with capture(execute=True):
        location = client.post("/console/call", call_form(mailbox, **overrides))["Location"]
    letter = Letter.objects.get(subject=overrides.get("subject", "夜间噪音无人处理"))
    return letter, location


def receipt_url(letter: Letter) -> str:
    return f"/console/call/registered/{letter.public_id}/receipt.json"


def verify_receipt(path: Path, text: str | None = None) -> str:
    """``manage.py verify_receipt``'s message; SystemExit when the receipt is not valid."""
    out = io.StringIO()
    args = [str(path)] if text is None else [str(path), "--text", text]
    call_command("verify_receipt", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_seat_downloads_a_receipt_the_caller_can_verify_after_the_seal(
    console_client: ConsoleClient,
    seat_agent: User,
    known_caller: User,
    gd_mailbox: Mailbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    tmp_path: Path,
) -> None:
    client = console_client(seat_agent)
    letter, location = register(client, gd_mailbox, django_capture_on_commit_callbacks)
    page = client.get(location).content.decode()
    assert f'href="{receipt_url(letter)}"' in page
    assert "可以把回执文件发送给来电人" in page and "/transparency/verify/" in page

    log_seal()
    response = client.get(receipt_url(letter))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="receipt-{letter.tracking_number}.json"'
    receipt = json.loads(response.content)
    assert receipt["entry"]["data"]["tracking_number"] == letter.tracking_number and receipt["tree_head"]
    body = response.content.decode()
    assert "张三" not in body and "13800138000" not in body and letter.text not in body

    path, text = tmp_path / "receipt.json", tmp_path / "letter.txt"
    path.write_bytes(response.content)
    text.write_text(letter.text, encoding="utf-8")
    assert "有效" in verify_receipt(path, str(text))
    receipt["tree_head"]["root_hash"] = "0" * 64
    path.write_text(json.dumps(receipt), encoding="utf-8")
    with pytest.raises(SystemExit):
        verify_receipt(path)


def test_only_the_seat_who_registered_it_and_staff_who_may_see_the_letter_get_the_receipt(
    console_client: ConsoleClient,
    seat_agent: User,
    acceptor: User,
    outsider: User,
    citizen: User,
    known_caller: User,
    gd_mailbox: Mailbox,
    shenzhen: Unit,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    letter, _ = register(console_client(seat_agent), gd_mailbox, django_capture_on_commit_callbacks)
    url = receipt_url(letter)
    assert console_client(acceptor).get(url).status_code == 200  # the Guangdong front desk sees the letter
    assert console_client(outsider).get(url).status_code == 404
    assert console_client(make_staff("sz-seat", shenzhen, Role.SEAT_AGENT)).get(url).status_code == 404
    caller = Client()
    caller.force_login(citizen)  # the caller has their own download in the portal
    assert caller.get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/console/login/")


def test_a_call_accusing_the_seats_own_bureau_still_gives_the_caller_a_receipt(
    console_client: ConsoleClient,
    seat_agent: User,
    guangdong: Unit,
    known_caller: User,
    gd_mailbox: Mailbox,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    """Recusal hides the letter from the seat's bureau; the seat who took the call still hands over the receipt,
    and a colleague at the same bureau, who did not take it, gets nothing."""
    client = console_client(seat_agent)
    form = {"accused_unit": "440000 广东省公安厅", "subject": "举报省厅民警"}
    letter, location = register(client, gd_mailbox, django_capture_on_commit_callbacks, **form)
    assert receipt_url(letter) in client.get(location).content.decode()
    assert client.get(location).status_code == 404  # the letter itself is out of the seat's sight

    log_seal()
    response = client.get(receipt_url(letter))
    assert response.status_code == 200
    assert json.loads(response.content)["entry"]["data"]["tracking_number"] == letter.tracking_number
    colleague = make_staff("seat2", guangdong, Role.SEAT_AGENT)
    assert console_client(colleague).get(receipt_url(letter)).status_code == 404
