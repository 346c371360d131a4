"""Written notices (issue 19 §3): every decision's notice as a PDF a writer can read and print.

Each kind is made the way the product makes it — a decision through the letter services, then the
worker's job — rendered to PNG (test-output/screenshots/notices/), and its text layer checked for the
required elements; the rare characters of a writer's name must be drawn by an embedded font.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import handled_letter, receive
from tests.notices.conftest import RARE_NAME
from tests.notices.pdfcheck import glyph_coverage, page_one_png, pdf_text
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, RefusalReason
from xinfang.notices.models import DocumentCounter, Notice, NoticeKind, NoticeTemplate
from xinfang.notices.numbering import next_serial
from xinfang.orgs.models import Mailbox, Unit

Job = Callable[..., dict[str, Any]]


def pdf_of(notice: Notice) -> bytes:
    with default_storage.open(notice.file.name, "rb") as handle:
        return handle.read()


def flat(text: str) -> str:
    return "".join(text.split())


def notices_of(letter: Letter) -> dict[str, Notice]:
    return {n.kind: n for n in Notice.objects.filter(letter=letter)}


@pytest.fixture
def decided(
    rare_writer: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User,
    guangzhou: Unit, guangdong: Unit,
) -> dict[str, Letter]:  # fmt: skip
    """A letter through every step that makes a notice, one refused and one referred; all by the rare-named writer."""
    gz_reviewer = make_staff("gz-reviewer", guangzhou, Role.HANDLER, Role.LEADER)
    gd_reexaminer = make_staff("gd-reexaminer", guangdong, Role.HANDLER, Role.LEADER)
    full = handled_letter(rare_writer, gd_mailbox, acceptor, tianhe, handler)
    s.letter_request_extension(letter=full, actor=handler, days=30, reason="需要调取监控录像，情况复杂。")
    s.letter_decide_extension(letter=full, actor=leader, approve=True)
    s.letter_draft_reply(letter=full, actor=handler, text="经调查，户籍迁移已于本月办结，相关民警已受到批评教育。")
    s.letter_approve_reply(letter=full, actor=leader)
    s.letter_request_review(letter=full, actor=rare_writer, reason="对处理结果不满意。")
    s.letter_answer_review(letter=full, actor=gz_reviewer, text="经复查，原处理意见事实清楚，予以维持。")
    s.letter_request_reexam(letter=full, actor=rare_writer, reason="仍不服。")
    s.letter_answer_reexam(letter=full, actor=gd_reexaminer, text="经复核，维持复查意见。")
    refused = receive(rare_writer, gd_mailbox, subject="房屋买卖合同纠纷")
    s.letter_refuse(letter=refused, actor=acceptor, reason=RefusalReason.COURTS)
    referred = receive(rare_writer, gd_mailbox, subject="医院收费问题")
    s.letter_refer(
        letter=referred, actor=acceptor, organ="广州市卫生健康委员会", text="您反映的医院收费问题属于卫生健康部门职责。"
    )
    return {"full": full, "refused": refused, "referred": referred}


# What every notice must print, and what each kind adds.
COMMON = ("书面告知", "信件编号", "法律依据", "《信访工作条例》", "（印章）", "本告知书仅送达信访人本人")
BY_KIND: dict[str, tuple[str, ...]] = {
    NoticeKind.ACCEPTANCE: ("受理告知书", "予以受理", "第二十四条", "答复期限"),
    NoticeKind.NON_ACCEPTANCE: (
        "不予受理告知书", "应当通过诉讼、仲裁、行政复议等法定途径解决", "第三十一条", "第十四条第二款",
        "诉讼、仲裁、行政复议",
    ),
    NoticeKind.REFERRAL: ("告知书", "广州市卫生健康委员会", "有权处理机关"),
    NoticeKind.EXTENSION: ("延期办理告知书", "延长办理期限", "30日", "第三十二条"),
    NoticeKind.REPLY: (
        "信访事项处理意见书", "户籍迁移已于本月办结", "申请复查期限", "复查机关", "广州市公安局", "第三十二条",
    ),
    NoticeKind.REVIEW: (
        "信访事项复查意见书", "原处理意见事实清楚", "申请复核期限", "复核机关", "广东省公安厅", "第三十五条",
    ),
    NoticeKind.REEXAM: ("信访事项复核意见书", "维持复查意见", "最终意见", "不再受理", "第三十六条"),
}  # fmt: skip


def test_every_kind_renders_with_its_required_elements_and_the_writers_rare_name(
    decided: dict[str, Letter], run_job: Job
) -> None:
    assert Notice.objects.count() == 0  # nothing is made at the decision itself: the worker makes them
    result = run_job()
    assert result["issued"] == 7 and result["requeued"] == 0
    notices = {**notices_of(decided["full"]), **notices_of(decided["refused"]), **notices_of(decided["referred"])}
    assert set(notices) == set(NoticeKind.values)
    for kind, notice in notices.items():
        pdf = pdf_of(notice)
        assert pdf.startswith(b"%PDF")
        png = page_one_png(pdf, "notices", kind)
        assert png.stat().st_size > 10_000
        text = flat(pdf_text(pdf))
        organ = notice.issuing_unit.name
        date = notice.issued_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        wanted = (
            *COMMON[1:], *BY_KIND[kind], organ, notice.document_number, RARE_NAME, notice.letter.tracking_number,
            f"{date.year}年{date.month}月{date.day}日",
        )  # fmt: skip
        missing = [w for w in wanted if flat(w) not in text]
        assert not missing, (kind, missing)
        coverage = glyph_coverage(pdf, RARE_NAME)
        assert all(coverage.values()), (kind, coverage)


def test_the_glyph_check_can_fail(rare_writer: User) -> None:
    """A private-use character no font has is reported missing, so the check above means something."""
    import weasyprint

    pdf = weasyprint.HTML(string="<p style=\"font-family: 'Noto Serif CJK SC'\">刘\U000f0001</p>").write_pdf()
    assert glyph_coverage(pdf, "刘\U000f0001") == {"刘": True, "\U000f0001": False}


def test_the_job_is_idempotent_and_numbers_are_unique_per_organ_and_year(
    decided: dict[str, Letter], run_job: Job, guangdong: Unit
) -> None:
    run_job()
    first = {n.pk: (n.document_number, n.file.name) for n in Notice.objects.all()}
    again = run_job()
    assert again["issued"] == 0 and again["requeued"] == 0
    assert {n.pk: (n.document_number, n.file.name) for n in Notice.objects.all()} == first
    numbers = [n.document_number for n in Notice.objects.all()]
    assert len(numbers) == len(set(numbers)) == 7
    # Guangdong issued the acceptance, the refusal and the referral (告) and the re-examination (复核).
    gd = Notice.objects.filter(issuing_unit=guangdong).order_by("serial")
    assert sorted(n.document_number for n in gd if n.series == "告") == [
        f"粤公信告〔{n.year}〕{i}号" for i, n in enumerate(gd.filter(series="告"), start=1)
    ]
    assert gd.get(kind=NoticeKind.REEXAM).document_number.startswith("粤公信复核〔")


def test_a_decided_event_whose_notice_exists_is_not_numbered_again_and_the_counter_has_no_gap(
    decided: dict[str, Letter], run_job: Job, guangdong: Unit
) -> None:
    run_job()
    counter = DocumentCounter.objects.get(unit=guangdong, series="告")
    assert counter.issued == Notice.objects.filter(issuing_unit=guangdong, series="告").count() == 3
    from xinfang.notices.models import NoticeWatermark

    NoticeWatermark.objects.update(last_event_id=0)  # a second worker that read an old watermark
    assert run_job()["issued"] == 0
    counter.refresh_from_db()
    assert counter.issued == 3


def test_next_serial_counts_per_organ_year_and_series(guangdong: Unit, guangzhou: Unit) -> None:
    from django.db import transaction

    with transaction.atomic():
        taken = [next_serial(guangdong, 2026, "告") for _ in range(3)]
        other = next_serial(guangzhou, 2026, "告")
        next_year = next_serial(guangdong, 2027, "告")
    assert (taken, other, next_year) == ([1, 2, 3], 1, 1)


def test_a_refused_extension_makes_no_notice(
    rare_writer: User, gd_mailbox: Mailbox, acceptor: User, tianhe: Unit, handler: User, leader: User, run_job: Job
) -> None:
    letter = handled_letter(rare_writer, gd_mailbox, acceptor, tianhe, handler)
    s.letter_request_extension(letter=letter, actor=handler, days=10, reason="需要时间。")
    s.letter_decide_extension(letter=letter, actor=leader, approve=False, note="期限内可以办结。")
    run_job()
    assert set(notices_of(letter)) == {NoticeKind.ACCEPTANCE}


def test_the_administrators_wording_is_used_and_the_required_elements_stay(
    rare_writer: User, gd_mailbox: Mailbox, acceptor: User, run_job: Job
) -> None:
    NoticeTemplate.objects.update_or_create(
        kind=NoticeKind.NON_ACCEPTANCE,
        defaults={
            "title": "不予受理告知书",
            "series": "告",
            "opening": "来信收悉（{{ tracking_number }}）。本厅意见如下：",
            "closing": "此复。",
            "rights": "",
            "legal_basis": "《信访工作条例》第二十四条",
        },
    )
    letter = receive(rare_writer, gd_mailbox)
    s.letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    run_job()
    text = flat(pdf_text(pdf_of(notices_of(letter)[NoticeKind.NON_ACCEPTANCE])))
    assert flat(f"来信收悉（{letter.tracking_number}）。本厅意见如下：") in text and "此复。" in text
    for required in ("不属于公安机关职责范围", "法律依据", "《信访工作条例》第二十四条", RARE_NAME, "（印章）"):
        assert flat(required) in text


def test_the_writer_is_told_in_the_inbox(decided: dict[str, Letter], run_job: Job, rare_writer: User) -> None:
    from xinfang.notifications.models import Notification

    run_job()
    told = Notification.objects.filter(recipient=rare_writer, source__startswith="notice:")
    assert told.count() == 7
    assert any("不予受理告知书" in n.body and "可在信件页面下载" in n.body for n in told)


# ---------------------------------------------------------------- downloads


def test_the_writer_downloads_their_own_notice_and_not_anothers(
    rare_writer: User, citizen: User, gd_mailbox: Mailbox, acceptor: User, run_job: Job
) -> None:
    mine = receive(rare_writer, gd_mailbox)
    s.letter_refuse(letter=mine, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    theirs = receive(citizen, gd_mailbox)
    s.letter_refuse(letter=theirs, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    run_job()
    client = Client()
    client.force_login(rare_writer)
    page = client.get(reverse("portal:letter", args=[mine.public_id]))
    notice = notices_of(mine)[NoticeKind.NON_ACCEPTANCE]
    url = reverse("portal:notice_download", args=[notice.public_id])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    other = notices_of(theirs)[NoticeKind.NON_ACCEPTANCE]
    assert client.get(reverse("portal:notice_download", args=[other.public_id])).status_code == 404


def test_staff_who_may_see_the_letter_download_and_the_accused_side_never_does(
    citizen: User, acceptor: User, guangzhou: Unit, run_job: Job
) -> None:
    """A letter to the Guangzhou bureau's own mailbox accusing the Guangzhou bureau: it goes up to the
    province's front desk, which decides and may download the notice; Guangzhou's own desk, whose
    mailbox the writer used, is the accused side and never gets it."""
    from xinfang.audit.models import AuditEntry
    from xinfang.letters.access import is_recused

    mailbox = Mailbox.objects.get(owner=guangzhou)
    letter = receive(citizen, mailbox, letter_type="complaint", accused_unit=guangzhou)
    letter.refresh_from_db()
    gz_desk = make_staff("gz-desk", guangzhou, Role.ACCEPTOR, Role.HANDLER, Role.LEADER)
    assert is_recused(gz_desk, letter) and letter.mailbox.owner == guangzhou
    decider = acceptor
    assert letter.intake_unit == decider.unit
    s.letter_refuse(letter=letter, actor=decider, reason=RefusalReason.NOT_POLICE)
    run_job()
    notice = notices_of(letter)[NoticeKind.NON_ACCEPTANCE]
    url = reverse("console:notice_download", args=[notice.public_id])
    allowed = sign_in(Client(), decider)
    page = allowed.get(reverse("console:letter", args=[letter.public_id]))
    assert url in page.content.decode()
    response = allowed.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert AuditEntry.objects.filter(actor=decider, kind="export", data__document_number=notice.document_number)
    assert sign_in(Client(), gz_desk).get(url).status_code == 404
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert citizen_client.get(url).status_code in (302, 403)  # a citizen is no staff member
