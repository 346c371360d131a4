"""The telephone seat: screen-pop with the caller's earlier letters, and registering a call."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.conftest import make_staff
from tests.factories import CITIZEN_NAME, CITIZEN_PHONE, ConsoleClient, call_form, receive, resident_id
from xinfang.accounts.models import Role, User
from xinfang.accounts.selectors import citizen_by_phone
from xinfang.audit.models import AuditEntry, AuditKind
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_submit
from xinfang.notifications import sms
from xinfang.orgs.models import Mailbox, Unit
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.usefixtures("phone_mailbox")


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    sms.outbox.clear()


def look_up(client: Client, number: str) -> HttpResponse:
    """What the seat's number form sends: the number in the body, never in the URL."""
    response: HttpResponse = client.post("/console/call", {"action": "lookup", "number": number})
    return response


def test_the_screen_pop_shows_the_callers_earlier_letters_masked(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    mine = receive(citizen, gd_mailbox, subject="上次反映的户口问题")
    anonymous = letter_submit(
        mailbox=gd_mailbox, actor=seat_agent, letter_type=LetterType.REPORT, channel=Channel.TELEPHONE,
        subject="匿名举报赌博窝点", text="某小区地下室有人聚众赌博。", anonymous_phone=CITIZEN_PHONE,
    ).letter  # fmt: skip
    response = look_up(console_client(seat_agent), CITIZEN_PHONE)
    page = response.content.decode()
    assert response.status_code == 200
    assert mine.tracking_number in page and "上次反映的户口问题" in page
    assert anonymous.tracking_number in page and "匿名举报赌博窝点" in page
    assert "张*" in page and "138****8000" in page
    assert CITIZEN_NAME not in page


def test_the_screen_pop_reads_a_number_as_the_telephony_system_sends_it(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    assert letter.tracking_number in look_up(console_client(seat_agent), "+86 138-0013-8000").content.decode()


def test_the_screen_pop_does_not_show_another_callers_letters(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    page = look_up(console_client(seat_agent), "13900000000").content.decode()
    assert letter.tracking_number not in page
    assert "没有此前的信件" in page


def test_a_number_in_the_url_is_not_looked_up_and_the_page_says_so(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    response = console_client(seat_agent).get(f"/console/call?number={CITIZEN_PHONE}", follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [("/console/call", 302)]
    assert letter.tracking_number not in page and "张*" not in page and "138****8000" not in page
    assert CITIZEN_PHONE not in page  # not even echoed into the form
    assert "来电号码不能放在网址中，本次没有查询" in page
    assert not AuditEntry.objects.filter(data__view="caller_lookup").exists()


def test_the_number_form_posts_the_number(console_client: ConsoleClient, seat_agent: User) -> None:
    page = console_client(seat_agent).get("/console/call").content.decode()
    form = page.split('class="number-form"')[0].rsplit("<form", 1)[1]
    assert 'method="post"' in form


def test_a_caller_outside_the_seats_jurisdiction_looks_exactly_like_an_unknown_number(
    console_client: ConsoleClient, seat_agent: User, citizen: User, tree: None
) -> None:
    """The citizen registered and writes only in Zhejiang; a Guangdong seat cannot tell them from nobody."""
    receive(citizen, Mailbox.objects.get(slug="zj"), subject="浙江的户口问题")
    client = console_client(seat_agent)
    elsewhere = look_up(client, CITIZEN_PHONE).content.decode()
    never_seen = look_up(client, "13912340000").content.decode()

    def neutral(page: str, number: str) -> str:
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "CSRF", page)
        return page.replace(number, "NUMBER")  # the number the seat typed is echoed in its input

    assert neutral(elsewhere, CITIZEN_PHONE) == neutral(never_seen, "13912340000")
    assert "浙江的户口问题" not in elsewhere and "张*" not in elsewhere and "本辖区没有该号码的实名来电人" in elsewhere


def test_a_known_caller_outside_the_jurisdiction_cannot_be_registered_as_known(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    receive(citizen, Mailbox.objects.get(slug="zj"))
    response = console_client(seat_agent).post("/console/call", call_form(gd_mailbox))
    assert response.context["form"].errors["caller"] == ["该号码没有群众账户，请登记为新的实名来电人或匿名来电。"]


def test_a_caller_whose_only_letters_accuse_the_seats_bureau_is_not_found(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox, guangdong: Unit
) -> None:
    letter = receive(citizen, gd_mailbox, letter_type=LetterType.COMPLAINT, accused_unit=guangdong)
    page = look_up(console_client(seat_agent), CITIZEN_PHONE).content.decode()
    assert letter.tracking_number not in page and "张*" not in page


def test_each_look_up_is_recorded_in_the_audit_log_without_the_number(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    letter = receive(citizen, gd_mailbox)
    client = console_client(seat_agent)
    look_up(client, CITIZEN_PHONE)
    look_up(client, "13912340000")
    found, nobody = AuditEntry.objects.filter(data__view="caller_lookup").order_by("pk")
    assert (found.actor, found.kind, found.subject_id) == (seat_agent, AuditKind.IDENTITY_REVEAL, str(citizen.pk))
    assert found.data["caller_found"] is True and found.data["letters"] == [letter.tracking_number]
    assert (nobody.actor, nobody.data["caller_found"], nobody.data["letters"]) == (seat_agent, False, [])
    assert found.data["number_hash"] != nobody.data["number_hash"]
    assert CITIZEN_PHONE not in str(found.data) and "13912340000" not in str(nobody.data)


def test_look_ups_are_limited_per_seat_with_a_clear_message(
    console_client: ConsoleClient,
    seat_agent: User,
    citizen: User,
    gd_mailbox: Mailbox,
    guangdong: Unit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letter = receive(citizen, gd_mailbox)
    monkeypatch.setattr("xinfang.pages.callers.CALLER_LOOKUPS_PER_SEAT", 2)
    client = console_client(seat_agent)
    assert letter.tracking_number in look_up(client, CITIZEN_PHONE).content.decode()
    look_up(client, "13912340000")
    refused = look_up(client, CITIZEN_PHONE)
    page = refused.content.decode()
    assert refused.status_code == 200 and "查询来电号码过于频繁，请 15 分钟后再试。" in page
    assert letter.tracking_number not in page and "张*" not in page
    assert AuditEntry.objects.filter(data__view="caller_lookup").count() == 2
    colleague = make_staff("seat2", guangdong, Role.SEAT_AGENT)
    assert letter.tracking_number in look_up(console_client(colleague), CITIZEN_PHONE).content.decode()


def test_it_registers_a_call_for_a_known_caller_and_texts_the_receipt(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    client = console_client(seat_agent)
    response = client.post("/console/call", call_form(gd_mailbox))
    assert response.status_code == 302
    letter = Letter.objects.get(subject="夜间噪音无人处理")
    assert (letter.citizen, letter.channel, letter.registered_by) == (known_caller, Channel.TELEPHONE, seat_agent)
    assert (letter.division_code, letter.police_type) == ("440106", "public_order")
    page = client.get(response["Location"]).content.decode()
    assert letter.tracking_number in page
    [text] = sms.outbox
    assert text.number == CITIZEN_PHONE and letter.tracking_number in text.text
    query_code = text.text.split("查询码 ")[1].split("。")[0]
    assert query_code in page  # the same code, to read out
    assert "138****8000" in page and CITIZEN_NAME not in page


def test_the_query_code_is_shown_only_once(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    client = console_client(seat_agent)
    location = client.post("/console/call", call_form(gd_mailbox, send_sms=""))["Location"]
    first = client.get(location).content.decode()
    second = client.get(location).content.decode()
    assert 'data-testid="query-code"' in first
    assert 'data-testid="query-code"' not in second and "查询码已显示过" in second
    assert sms.outbox == []


def test_it_creates_an_account_for_a_new_real_name_caller(
    console_client: ConsoleClient, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    number = "13912345678"
    form = call_form(gd_mailbox, number=number, caller="new", real_name="李四", id_number=resident_id(), phone=number)
    response = console_client(seat_agent).post("/console/call", form)
    assert response.status_code == 302
    caller = citizen_by_phone(number)
    assert caller is not None and caller.is_citizen and not caller.has_usable_password()
    assert Letter.objects.get(subject="夜间噪音无人处理").citizen == caller
    assert sms.outbox[0].number == number


def test_a_caller_with_an_account_elsewhere_is_registered_to_it_once_their_identity_matches(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    form = call_form(gd_mailbox, caller="new", real_name="张三", id_number="11010519491231002x", phone=CITIZEN_PHONE)
    assert console_client(seat_agent).post("/console/call", form).status_code == 302
    assert Letter.objects.get(subject="夜间噪音无人处理").citizen == citizen


def test_a_caller_claiming_a_number_registered_to_someone_else_is_refused(
    console_client: ConsoleClient, seat_agent: User, citizen: User, gd_mailbox: Mailbox
) -> None:
    form = call_form(gd_mailbox, caller="new", real_name="李四", id_number=resident_id(), phone=CITIZEN_PHONE)
    response = console_client(seat_agent).post("/console/call", form)
    assert "姓名、身份证号码与该手机号码登记的信息不一致" in response.content.decode()
    assert not Letter.objects.filter(subject="夜间噪音无人处理").exists()


def test_a_wrong_id_number_is_refused_next_to_the_field_and_what_was_typed_is_kept(
    console_client: ConsoleClient, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    bad = resident_id()[:-1] + ("0" if resident_id()[-1] != "0" else "1")
    form = call_form(gd_mailbox, number="13912345678", caller="new", real_name="李四", id_number=bad)
    response = console_client(seat_agent).post("/console/call", form)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号码的校验位不正确，请核对后重新填写。"]
    page = response.content.decode()
    assert "楼下酒吧每晚噪音到凌晨" in page and bad in page
    assert not Letter.objects.exists()


def test_validation_errors_speak_the_agents_language(
    console_client: ConsoleClient, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    client = console_client(seat_agent)
    client.cookies["django_language"] = "en"
    response = client.post("/console/call", call_form(gd_mailbox, caller="new", real_name="", subject=""))
    errors = response.context["form"].errors
    assert errors["subject"] == ["This field is required."]
    assert errors["real_name"] == ["Please enter the caller's name."]


def test_an_anonymous_call_is_registered_where_the_mailbox_allows_it(
    console_client: ConsoleClient, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    form = call_form(gd_mailbox, number="13700001111", caller="anonymous", identity_checked="")
    assert console_client(seat_agent).post("/console/call", form).status_code == 302
    letter = Letter.objects.get(subject="夜间噪音无人处理")
    assert letter.citizen is None and letter.anonymous_caller is not None
    assert letter.anonymous_caller.phone == "13700001111"
    assert sms.outbox[0].number == "13700001111"


def test_an_anonymous_call_is_refused_where_the_mailbox_does_not_allow_it(
    console_client: ConsoleClient, seat_agent: User, gd_mailbox: Mailbox
) -> None:
    gd_mailbox.allows_anonymous_phone = False
    gd_mailbox.save(update_fields=["allows_anonymous_phone"])
    form = call_form(gd_mailbox, number="13700001111", caller="anonymous")
    response = console_client(seat_agent).post("/console/call", form)
    assert response.context["form"].errors["caller"] == ["该信箱不受理匿名来电，请登记来电人的实名信息。"]
    assert not Letter.objects.exists()


def test_a_known_caller_must_have_their_identity_checked(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    response = console_client(seat_agent).post("/console/call", call_form(gd_mailbox, identity_checked=""))
    assert "identity_checked" in response.context["form"].errors
    assert not Letter.objects.filter(subject="夜间噪音无人处理").exists()


def test_an_emergency_is_flagged_and_registered_only_once_the_agent_confirms(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    client = console_client(seat_agent)
    words = "隔壁正在打人，还有人持刀。"
    response = client.post("/console/call", call_form(gd_mailbox, text=words))
    page = response.content.decode()
    assert response.status_code == 200 and not Letter.objects.filter(text=words).exists()
    assert "请立即提醒来电人挂断后拨打 110" in page and "正在打人" in page and "持刀" in page
    confirmed = client.post("/console/call", call_form(gd_mailbox, text=words, emergency_confirmed="on"))
    assert confirmed.status_code == 302
    assert Letter.objects.filter(text=words).exists()


def test_the_emergency_check_answers_while_the_agent_types(console_client: ConsoleClient, seat_agent: User) -> None:
    client = console_client(seat_agent)
    assert client.post("/console/call/emergency-check", {"text": "家里着火了"}).json() == {"signals": ["着火了"]}
    assert client.post("/console/call/emergency-check", {"text": "咨询户口"}).json() == {"signals": []}
    indirect = {"text": "他又拿着菜刀在门口转，我和孩子把门反锁了"}  # no 救命, no 报警: missed by the phrase list
    assert client.post("/console/call/emergency-check", indirect).json()["signals"] == ["又拿着菜刀", "在门口", "反锁"]
    past = {"text": "去年他拿菜刀砍过我，派出所至今不立案"}
    assert client.post("/console/call/emergency-check", past).json() == {"signals": []}


def test_a_place_not_in_the_list_is_refused(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    response = console_client(seat_agent).post("/console/call", call_form(gd_mailbox, place="天河"))
    assert "place" in response.context["form"].errors


def test_an_accused_unit_is_chosen_by_code_and_routes_the_call(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    form = call_form(gd_mailbox, accused_unit="440106 广州市公安局天河区分局", accused_officer_name="王五")
    assert console_client(seat_agent).post("/console/call", form).status_code == 302
    letter = Letter.objects.get(subject="夜间噪音无人处理")
    assert letter.accused_unit is not None and letter.accused_unit.code == "440106"
    assert letter.accused_officer_name == "王五"


def test_a_failed_text_still_registers_the_call_and_says_to_read_it_out(
    console_client: ConsoleClient,
    seat_agent: User,
    known_caller: User,
    gd_mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise sms.SmsDeliveryError("gateway down")

    monkeypatch.setattr("xinfang.console.services.send_sms", refuse)
    client = console_client(seat_agent)
    response = client.post("/console/call", call_form(gd_mailbox))
    assert response.status_code == 302
    assert "短信未能发送" in client.get(response["Location"]).content.decode()


def test_place_and_unit_type_ahead(console_client: ConsoleClient, seat_agent: User) -> None:
    client = console_client(seat_agent)
    places = client.get("/console/lookup/divisions", {"q": "天河"}).json()["options"]
    assert any(o["value"].startswith("440106 ") for o in places)
    by_code = client.get("/console/lookup/divisions", {"q": "440106"}).json()["options"]
    assert by_code[0]["value"].startswith("440106")
    units = client.get("/console/lookup/units", {"q": "天河区分局"}).json()["options"]
    assert any(o["value"].startswith("440106 ") for o in units)


def test_only_seat_agents_take_calls(console_client: ConsoleClient, acceptor: User, citizen: User) -> None:
    assert console_client(acceptor).get("/console/call").status_code == 403
    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert citizen_client.get("/console/call").status_code == 403


def test_a_seat_agent_without_a_second_factor_is_sent_to_sign_in(seat_agent: User) -> None:
    client = Client()
    client.force_login(seat_agent)
    response = client.get(f"/console/call?number={CITIZEN_PHONE}")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_an_outsider_cannot_see_a_registered_letter(
    console_client: ConsoleClient, seat_agent: User, outsider: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    location = console_client(seat_agent).post("/console/call", call_form(gd_mailbox))["Location"]
    outsider.role_grants.create(role="seat_agent")
    assert console_client(User.objects.get(pk=outsider.pk)).get(location).status_code == 404


def test_a_call_accusing_the_agents_own_bureau_still_gets_its_number_read_out(
    console_client: ConsoleClient, seat_agent: User, known_caller: User, gd_mailbox: Mailbox
) -> None:
    """Recusal sends it to the unit above, which the agent cannot see: the receipt comes from the session."""
    client = console_client(seat_agent)
    form = call_form(gd_mailbox, accused_unit="440000 广东省公安厅", subject="举报省厅民警")
    location = client.post("/console/call", form)["Location"]
    letter = Letter.objects.get(subject="举报省厅民警")
    assert letter.intake_unit.code != "440000"
    page = client.get(location).content.decode()
    assert letter.tracking_number in page and 'data-testid="query-code"' in page
    assert client.get(location).status_code == 404
