"""The console pages: the request form from the letter page, and what the accused side sees."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import make_staff
from tests.explanations.conftest import ID_NUMBER, NAME, PHONE, QUESTIONS, RECEIVED, Complaint, ask
from tests.factories import jpeg_with_gps, page_url, text_of
from xinfang.accounts.models import Role, User
from xinfang.explanations import services
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.attachments import attachment_add
from xinfang.orgs.models import Unit

pytestmark = pytest.mark.django_db
SignIn = Callable[[User], Client]
INBOX = reverse("console:explanations:inbox")


def new_url(complaint: Complaint) -> str:
    return reverse("console:explanations:new", args=[complaint.letter.public_id])


def detail_url(request: ExplanationRequest) -> str:
    return reverse("console:explanations:detail", args=[request.public_id])


# ---------------------------------------------------------------- the asking side


def test_the_letter_page_offers_the_request_and_the_form_comes_prefilled_with_the_redacted_text(
    console_client: SignIn, complaint: Complaint, gz_handler: User
) -> None:
    client = console_client(gz_handler)
    page = client.get(page_url(complaint.letter)).content.decode()
    assert "请被反映单位说明情况" in page and new_url(complaint) in page
    form = client.get(new_url(complaint))
    text = text_of(form)
    assert form.status_code == 200
    assert "[已隐去]" in text and "民警李四" in text
    assert NAME not in text.replace("张*", "") and "138-0013-8000" not in text and ID_NUMBER not in text
    assert 'value="2026-03-12"' in form.content.decode()  # ten calendar days after today


def test_a_request_sent_from_the_form_goes_back_to_the_letter_page(
    console_client: SignIn, complaint: Complaint, gz_handler: User
) -> None:
    data = {"extract": "信访人反映民警推诿。", "questions": QUESTIONS, "due_on": "2026-03-12"}
    response = console_client(gz_handler).post(new_url(complaint), data)
    assert response.status_code == 302 and response["Location"] == page_url(complaint.letter)
    assert ExplanationRequest.objects.get().extract == "信访人反映民警推诿。"


def test_the_form_shows_a_leak_next_to_the_extract_and_keeps_what_was_typed(
    console_client: SignIn, complaint: Complaint, gz_handler: User
) -> None:
    typed = "信访人张三（13800138000）反映民警推诿。"
    response = console_client(gz_handler).post(
        new_url(complaint), {"extract": typed, "questions": QUESTIONS, "due_on": "2026-03-12"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    field = html[html.index('name="extract"') - 2000 : html.index("</textarea>", html.index('name="extract"'))]
    assert "信访人姓名" in field and "电话号码" in field
    assert typed in html and QUESTIONS in html
    assert not ExplanationRequest.objects.exists()


def test_the_form_shows_a_leak_next_to_the_questions_and_keeps_what_was_typed(
    console_client: SignIn, complaint: Complaint, gz_handler: User
) -> None:
    extract, questions = "信访人反映民警推诿。", "请说明为何不给张三（13800138000）办理。"
    response = console_client(gz_handler).post(
        new_url(complaint), {"extract": extract, "questions": questions, "due_on": "2026-03-12"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    at = html.index('name="questions"')
    field = html[at - 2000 : html.index("</textarea>", at)]
    assert "信访人姓名" in field and "电话号码" in field
    assert "摘录中" not in html  # the extract was fine
    assert extract in html and questions in html
    assert not ExplanationRequest.objects.exists()


def test_staff_who_may_see_but_not_handle_the_letter_get_403_on_the_form(
    console_client: SignIn, complaint: Complaint, acceptor: User
) -> None:
    assert console_client(acceptor).get(new_url(complaint)).status_code == 403


def test_the_answer_appears_on_the_letter_page_for_the_handler(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    client = console_client(gz_handler)
    assert "待说明" in text_of(client.get(page_url(complaint.letter)))
    services.explanation_respond(request=request, response="经核查，民警李四已被批评教育。", actor=leader)
    page = text_of(client.get(page_url(complaint.letter)))
    assert "经核查，民警李四已被批评教育。" in page and "已说明" in page and QUESTIONS in page


def test_the_handler_withdraws_a_request_from_the_letter_page(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    withdraw = reverse("console:explanations:withdraw", args=[request.public_id])
    assert withdraw in console_client(gz_handler).get(page_url(complaint.letter)).content.decode()
    assert console_client(leader).post(withdraw).status_code == 404  # the accused side cannot see the letter
    response = console_client(gz_handler).post(withdraw)
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ExplanationRequest.Status.WITHDRAWN
    assert console_client(leader).get(detail_url(request)).status_code == 404


# ---------------------------------------------------------------- the accused side


def test_the_accused_leader_sees_the_extract_and_questions_and_nothing_that_leads_to_the_writer(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    client = console_client(leader)
    inbox = client.get(INBOX)
    assert detail_url(request) in inbox.content.decode()
    assert "情况说明" in text_of(client.get(reverse("console:home")))  # the navigation link
    letter = complaint.letter
    forbidden = [
        NAME, PHONE, "138-0013-8000", ID_NUMBER, "体育西路", "zhangsan", "粤A12345",
        letter.tracking_number, str(letter.public_id), letter.public_id.hex, complaint.query_code,
        complaint.query_code.replace("-", ""), RECEIVED.isoformat(), "2026/03/02", "3月2日", letter.subject,
        "/console/letters/", "/files/",
    ]  # fmt: skip
    for response in (inbox, client.get(detail_url(request))):
        html = response.content.decode()
        assert response.status_code == 200
        for secret in forbidden:
            assert secret not in html, secret
    page = text_of(client.get(detail_url(request)))
    assert "民警李四" in page and "派出所办理户籍迁移" in page and QUESTIONS in page
    assert "广州市公安局督察" in page or gz_handler.unit.name in page  # the requesting unit
    assert "2026-03-12" in page  # the due date


def test_the_accused_side_still_cannot_open_the_letter_its_files_or_find_it_in_any_list(
    console_client: SignIn, complaint: Complaint, gz_handler: User, tianhe_chief: User, citizen: User
) -> None:
    letter = complaint.letter
    upload = SimpleUploadedFile("现场照片.jpg", jpeg_with_gps(), content_type="image/jpeg")
    attachment = attachment_add(letter=letter, upload=upload, actor=citizen)
    ask(complaint, gz_handler)
    client = console_client(tianhe_chief)
    assert client.get(page_url(letter)).status_code == 404
    assert client.get(reverse("console:desk_letter", args=[letter.public_id])).status_code == 404
    assert client.get(reverse("files:attachment_download", args=[attachment.public_id])).status_code == 404
    assert client.get(INBOX).status_code == 200
    lists = ["console:work", "console:desk_queue", "console:approvals", "console:important", "console:supervision",
             "console:supervision_letters", "console:supervision_orders"]  # fmt: skip
    for name in lists:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert letter.tracking_number not in html and str(letter.public_id) not in html, name


def test_a_leader_answers_and_a_second_answer_from_a_stale_page_is_a_conflict_that_keeps_the_text(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User, tianhe: Unit
) -> None:
    request = ask(complaint, gz_handler)
    deputy = make_staff("tianhe-deputy", tianhe, Role.LEADER)
    first = console_client(leader).post(detail_url(request), {"response": "经查，材料不全，已告知补正。"})
    assert first.status_code == 302
    second = console_client(deputy).post(detail_url(request), {"response": "副职的另一份说明"})
    assert second.status_code == 409
    page = text_of(second)
    assert "已经有人答复" in page and "副职的另一份说明" in page and "经查，材料不全，已告知补正。" in page
    request.refresh_from_db()
    assert request.response == "经查，材料不全，已告知补正。"


def test_an_empty_answer_is_refused_next_to_the_field(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    response = console_client(leader).post(detail_url(request), {"response": "   "})
    assert response.status_code == 200 and "field-invalid" in response.content.decode()
    request.refresh_from_db()
    assert request.status == ExplanationRequest.Status.OPEN


def test_leaders_of_other_bureaus_get_404(
    console_client: SignIn, complaint: Complaint, gz_handler: User, outsider: User, guangzhou: Unit
) -> None:
    request = ask(complaint, gz_handler)
    for user in (outsider, make_staff("gz-leader", guangzhou, Role.LEADER)):
        client = console_client(user)
        assert client.get(detail_url(request)).status_code == 404
        assert client.post(detail_url(request), {"response": "x"}).status_code == 404
        assert detail_url(request) not in client.get(INBOX).content.decode()


def test_accused_side_staff_without_the_leader_role_get_403(
    console_client: SignIn, complaint: Complaint, gz_handler: User, handler: User
) -> None:
    request = ask(complaint, gz_handler)
    client = console_client(handler)
    assert client.get(INBOX).status_code == 403
    assert client.get(detail_url(request)).status_code == 403
    assert client.post(detail_url(request), {"response": "x"}).status_code == 403
    assert INBOX not in client.get(reverse("console:home")).content.decode()


def test_without_the_second_factor_the_pages_send_to_sign_in(
    client: Client, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    request = ask(complaint, gz_handler)
    client.force_login(leader)
    for url in (INBOX, detail_url(request)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("signin:login") in response["Location"]
    client.force_login(gz_handler)
    response = client.get(new_url(complaint))
    assert response.status_code == 302 and reverse("signin:login") in response["Location"]


def test_the_refusal_and_the_accused_page_read_in_english_for_english_readers(
    console_client: SignIn, complaint: Complaint, gz_handler: User, leader: User
) -> None:
    data = {"extract": "张三, 13800138000", "questions": QUESTIONS, "due_on": "2026-03-12"}
    refused = text_of(console_client(gz_handler).post(new_url(complaint), data, HTTP_ACCEPT_LANGUAGE="en"))
    assert "could tell the accused unit who wrote (a phone number, the writer" in refused
    request = ask(complaint, gz_handler)
    page = text_of(console_client(leader).get(detail_url(request), HTTP_ACCEPT_LANGUAGE="en"))
    assert "What was reported (extract)" in page and "Questions to answer" in page and "Awaiting explanation" in page


def test_any_refusal_of_the_service_is_shown_on_the_form_with_the_input_kept(
    console_client: SignIn, complaint: Complaint, gz_handler: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only the lifecycle's: every ``Refused`` is worded on the page (pages.refusals), never a server error."""
    from xinfang.errors import Refused

    def refuse(**kwargs: object) -> None:
        raise Refused("被反映单位已撤销，请改向其上级单位请求说明。")

    monkeypatch.setattr(services, "explanation_request_create", refuse)
    data = {"extract": "信访人反映民警推诿。", "questions": QUESTIONS, "due_on": "2026-03-12"}
    response = console_client(gz_handler).post(new_url(complaint), data)
    assert response.status_code == 200
    page = text_of(response)
    assert "被反映单位已撤销，请改向其上级单位请求说明。" in page and "信访人反映民警推诿。" in page
    assert not ExplanationRequest.objects.exists()
