"""The writer's receipt: downloaded after submission, pending until the next seal, then verifiable by anyone
(the verifier page, ``manage.py verify_receipt``, the standalone script); any changed byte is refused;
a later head proves consistent with the receipt's. And the public JSON of heads and proofs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import DjangoCaptureOnCommitCallbacks

from tests.portal.conftest import submit
from xinfang.accounts.models import User
from xinfang.audit import merkle
from xinfang.audit.models import AuditKind
from xinfang.audit.receipts import check_receipt
from xinfang.audit.sealing import log_seal, public_key_hex
from xinfang.audit.services import audit_record
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def received(
    citizen: User, gd_mailbox: Mailbox, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> tuple[Letter, str]:
    """A letter whose receipt entry was written after its transaction committed; and its query code."""
    with django_capture_on_commit_callbacks(execute=True):
        submission = submit(citizen, gd_mailbox)
    return submission.letter, submission.query_code


def download(client: Client, letter: Letter) -> dict[str, Any]:
    response = client.get(f"/my/letters/{letter.public_id}/receipt.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    receipt: dict[str, Any] = json.loads(response.content)
    return receipt


def trusted() -> frozenset[str]:
    return frozenset({public_key_hex()})


def test_before_the_first_seal_the_receipt_is_pending(citizen_client: Client, received: tuple[Letter, str]) -> None:
    letter, _ = received
    receipt = download(citizen_client, letter)

    assert receipt["tree_head"] is None and receipt["leaf_index"] is None
    assert check_receipt(receipt, text=letter.text).code == "pending"
    page = citizen_client.get(f"/my/letters/{letter.public_id}/submitted/")
    assert "尚未封存" in page.content.decode()


def test_after_a_seal_the_receipt_proves_the_letter_with_its_text(
    citizen_client: Client, received: tuple[Letter, str]
) -> None:
    letter, code = received
    log_seal()
    receipt = download(citizen_client, letter)

    assert check_receipt(receipt, text=letter.text, trusted_keys=trusted()).valid
    assert check_receipt(receipt, text=letter.text + "。", trusted_keys=trusted()).code == "text"
    assert receipt["entry"]["data"]["tracking_number"] == letter.tracking_number
    assert receipt["entry"]["data"]["mailbox"] == letter.mailbox.slug
    assert receipt["tree_head"]["public_key"] == public_key_hex()
    body = json.dumps(receipt, ensure_ascii=False)
    for private in (code, letter.text, "张三", "13800138000", "11010519491231002X", str(letter.public_id)):
        assert private not in body


def test_any_changed_byte_of_a_receipt_is_refused(citizen_client: Client, received: tuple[Letter, str]) -> None:
    letter, _ = received
    log_seal()
    original = download(citizen_client, letter)
    raw = json.dumps(original, ensure_ascii=False, indent=2).encode()
    refused = 0
    for position in range(len(raw)):
        for replacement in {raw[position] ^ 1, ord("0") if raw[position] != ord("0") else ord("1")}:
            changed = raw[:position] + bytes([replacement]) + raw[position + 1 :]
            try:
                parsed = json.loads(changed)
            except ValueError:
                refused += 1  # not even JSON: the verifier page says so
                continue
            if parsed == original:
                continue  # whitespace only: the same receipt
            assert not check_receipt(parsed, trusted_keys=trusted()).valid, changed.decode(errors="replace")
            refused += 1

    assert refused > len(raw)


def test_the_verifier_page_says_valid_without_signing_in_and_refuses_a_tampered_receipt(
    citizen_client: Client, client: Client, received: tuple[Letter, str]
) -> None:
    letter, _ = received
    log_seal()
    receipt = download(citizen_client, letter)

    valid = client.post("/transparency/verify/", {"receipt": json.dumps(receipt), "text": letter.text})
    receipt["entry"]["data"]["received_at"] = "2020-01-01T00:00:00+00:00"
    tampered = client.post("/transparency/verify/", {"receipt": json.dumps(receipt)})
    empty = client.post("/transparency/verify/", {"receipt": ""})

    assert valid.status_code == 200
    assert 'data-valid="true"' in valid.content.decode()
    assert "有效" in valid.content.decode()
    assert 'data-valid="false"' in tampered.content.decode()
    assert "包含证明不成立" in tampered.content.decode()
    assert "请粘贴回执" in empty.content.decode()


def test_a_later_head_is_consistent_with_the_one_in_an_old_receipt(
    citizen_client: Client, client: Client, received: tuple[Letter, str]
) -> None:
    letter, _ = received
    log_seal()
    old = download(citizen_client, letter)
    for n in range(5):
        audit_record(kind=AuditKind.EXPORT, actor=None, subject=None, data={"n": n})
        log_seal()

    page = client.post("/transparency/verify/", {"receipt": json.dumps(old), "consistency": "on"})
    later = download(citizen_client, letter)

    assert "一致：最新的签名树头" in page.content.decode()
    assert later["tree_head"]["tree_size"] > old["tree_head"]["tree_size"]
    assert check_receipt(later, text=letter.text, trusted_keys=trusted()).valid


def test_the_public_json_publishes_heads_and_proofs_that_verify(client: Client, received: tuple[Letter, str]) -> None:
    log_seal()
    first = client.get("/transparency/head").json()
    audit_record(kind=AuditKind.EXPORT, actor=None, subject=None, data={})
    log_seal()
    second = client.get("/transparency/head").json()
    proof = client.get(f"/transparency/consistency?first={first['tree_size']}&second={second['tree_size']}").json()
    inclusion = client.get(f"/transparency/inclusion?leaf_index=0&tree_size={second['tree_size']}").json()

    assert client.get(f"/transparency/head/{first['tree_size']}").json() == first
    assert merkle.verify_consistency(
        first["tree_size"], second["tree_size"], bytes.fromhex(first["root_hash"]),
        bytes.fromhex(second["root_hash"]), [bytes.fromhex(p) for p in proof["proof"]],
    )  # fmt: skip
    assert len(inclusion["proof"]) > 0
    assert client.get("/transparency/inclusion?leaf_index=9999&tree_size=1").status_code == 400
    assert client.get("/transparency/head/999999").status_code == 404


def test_another_citizen_cannot_download_the_receipt(
    client: Client, other_citizen: User, received: tuple[Letter, str]
) -> None:
    letter, _ = received
    client.force_login(other_citizen)

    assert client.get(f"/my/letters/{letter.public_id}/receipt.json").status_code == 404
    assert Client().get(f"/lookup/{letter.public_id}/receipt.json").status_code == 404


def test_manage_py_and_the_standalone_script_agree(
    citizen_client: Client, received: tuple[Letter, str], tmp_path: Path
) -> None:
    letter, _ = received
    log_seal()
    receipt = download(citizen_client, letter)
    good, text = tmp_path / "receipt.json", tmp_path / "letter.txt"
    good.write_text(json.dumps(receipt, ensure_ascii=False), encoding="utf-8")
    text.write_text(letter.text, encoding="utf-8")
    receipt["leaf_index"] += 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(receipt), encoding="utf-8")

    out = io.StringIO()
    call_command("verify_receipt", str(good), "--text", str(text), stdout=out)
    assert "有效" in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("verify_receipt", str(bad), stderr=io.StringIO())
    script = [sys.executable, str(ROOT / "scripts" / "verify_receipt.py")]
    ok = subprocess.run(
        [*script, str(good), "--text", str(text), "--key", public_key_hex()],
        capture_output=True,
        text=True,
        check=False,
    )
    wrong = subprocess.run([*script, str(bad)], capture_output=True, text=True, check=False)
    assert (ok.returncode, ok.stdout.strip()) == (0, "valid")
    assert wrong.returncode == 1 and "inclusion" in wrong.stdout
