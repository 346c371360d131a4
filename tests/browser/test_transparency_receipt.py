"""The writer's receipt in real Chromium (issue 15): write a letter, download the receipt once the log is
sealed, and check it on the verifier page with the letter's text; a receipt with one changed byte is refused.

The worker seals the log every few seconds; here the test seals it itself, as the worker would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.browser.conftest import Shot, signed_in
from xinfang.accounts.models import User
from xinfang.audit.sealing import log_seal
from xinfang.letters.models import Letter

TEXT = "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。"


@pytest.fixture(autouse=True)
def clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def write_a_letter(page: Page, base: str) -> Letter:
    page.goto(f"{base}/m/gd/write/")
    page.get_by_label("投诉", exact=True).check()
    page.get_by_label("涉及警种").select_option("household")
    page.get_by_label("市（地区、州）或区县").select_option("440100")
    county = page.get_by_label("县（市、区）")
    expect(county).to_be_visible()
    county.select_option("440106")
    page.get_by_label("详细地址", exact=True).fill("天河路 1 号")
    page.get_by_label(re.compile(r"^标题")).fill("派出所办理户籍迁移拖延")
    page.get_by_label(re.compile(r"^来信内容")).fill(TEXT)
    page.get_by_role("button", name="提交来信").click()
    expect(page.get_by_role("heading", name="来信已提交")).to_be_visible()
    return Letter.objects.get(tracking_number=page.get_by_test_id("tracking-number").inner_text())


def download_receipt(page: Page, folder: Path) -> tuple[Path, dict[str, Any]]:
    with page.expect_download() as info:
        page.get_by_test_id("receipt-download").click()
    download = info.value
    path = folder / download.suggested_filename
    download.save_as(path)
    receipt: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return path, receipt


def one_hex_digit_changed(value: str) -> str:
    return ("1" if value[0] == "0" else "0") + value[1:]


def verify(page: Page, base: str, *, receipt: str, text: str = "") -> None:
    """Paste the receipt (and the text) on the verifier page and check it."""
    page.goto(f"{base}/transparency/verify/")
    page.locator("#id_receipt").fill(receipt)
    page.locator("#id_text").fill(text)
    page.locator("form:has(#id_receipt) button[type=submit]").click()


def test_a_writer_downloads_the_receipt_and_the_verifier_accepts_it_but_refuses_a_changed_one(
    page_desktop: Page,
    browser: Browser,
    live_server: LiveServer,
    citizen: User,
    tree: None,
    tmp_path: Path,
    shot: Shot,
) -> None:
    base = live_server.url
    page = signed_in(page_desktop, live_server, citizen)

    # 1. The letter; its receipt is offered on the page that confirms it.
    letter = write_a_letter(page, base)
    expect(page.get_by_role("heading", name="收信回执")).to_be_visible()
    shot(page, "01-submitted-with-receipt")

    # 2. Sealed (as the worker does every few seconds), the receipt carries the proof and the signed head.
    assert log_seal() is not None
    path, receipt = download_receipt(page, tmp_path)
    assert path.name == f"receipt-{letter.tracking_number}.json"
    assert receipt["entry"]["data"]["tracking_number"] == letter.tracking_number
    assert receipt["tree_head"] is not None and receipt["leaf_index"] is not None

    # 3. The verifier page, with the file chosen and the letter's text: valid.
    page.get_by_role("link", name="核对回执").click()
    expect(page.get_by_role("heading", name="核对回执")).to_be_visible()
    page.get_by_label("或选择回执文件").set_input_files(path)
    page.get_by_label("信件正文（可不填）").fill(TEXT)
    shot(page, "02-verifier-filled")
    page.get_by_role("button", name="核对", exact=True).click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-valid", "true")
    expect(result).to_contain_text("有效：签名正确")
    shot(page, "03-verifier-valid")

    # 4. One hex digit of the root hash changed: the signature no longer holds.
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["tree_head"]["root_hash"] = one_hex_digit_changed(tampered["tree_head"]["root_hash"])
    verify(page, base, receipt=json.dumps(tampered, ensure_ascii=False), text=TEXT)
    expect(result).to_have_attribute("data-valid", "false")
    expect(result).to_contain_text("无效：签名树头的签名不对，回执被改动过。")
    expect(page.locator("#id_receipt")).to_have_value(re.compile(tampered["tree_head"]["root_hash"]))  # kept
    shot(page, "04-verifier-root-hash-changed")

    # 5. One hex digit of the text hash changed: refused against the letter's text, and without it the
    #    entry is no longer the one the signed tree holds.
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["entry"]["data"]["text_hash"] = one_hex_digit_changed(tampered["entry"]["data"]["text_hash"])
    verify(page, base, receipt=json.dumps(tampered, ensure_ascii=False), text=TEXT)
    expect(result).to_have_attribute("data-valid", "false")
    expect(result).to_contain_text("无效：填写的正文与回执记录的正文哈希不符。")
    shot(page, "05-verifier-text-hash-changed")
    verify(page, base, receipt=json.dumps(tampered, ensure_ascii=False))
    expect(result).to_contain_text("无效：包含证明不成立")
    shot(page, "06-verifier-text-hash-changed-without-text")

    # 6. The untouched receipt with a letter text that is not the letter's: refused.
    verify(page, base, receipt=path.read_text(encoding="utf-8"), text=TEXT + "另补充：")
    expect(result).to_have_attribute("data-valid", "false")
    expect(result).to_contain_text("无效：填写的正文与回执记录的正文哈希不符。")

    # 7. The same refusal for a reader of English (the verifier page needs no account).
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    try:
        english = context.new_page()
        tampered = json.loads(path.read_text(encoding="utf-8"))
        tampered["tree_head"]["root_hash"] = one_hex_digit_changed(tampered["tree_head"]["root_hash"])
        verify(english, base, receipt=json.dumps(tampered, ensure_ascii=False), text=TEXT)
        refused = english.get_by_test_id("verify-result")
        expect(refused).to_have_attribute("data-valid", "false")
        expect(refused).to_contain_text("Invalid: the signed tree head's signature is wrong")
        shot(english, "07-verifier-refused-en")
    finally:
        context.close()
