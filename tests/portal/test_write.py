"""Writing a letter: the form, the place pickers, the emergency stop, attachments, channels, the receipt."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.conftest import make_staff, unit
from tests.console.conftest import sign_in
from xinfang.accounts.models import Role, User
from xinfang.letters.models import Letter, LetterState
from xinfang.letters.services import query_code_matches
from xinfang.orgs.models import Mailbox
from xinfang.routing.engine import propose_for_letter
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db
FORM = {
    "letter_type": "complaint",
    "police_type": "household",
    "province": "440000",
    "city": "440100",
    "county": "440106",
    "address": "天河路 1 号",
    "subject": "派出所办理户籍迁移拖延",
    "text": "我于上月到天河区某派出所办理户籍迁移，民警多次推诿，至今未办。",
    "channel": "web",
}


def png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def post(client: Client, slug: str = "gd", **changes: Any) -> Any:
    return client.post(f"/m/{slug}/write/", {**FORM, **changes})


def test_writing_needs_a_signed_in_citizen(client: Client, gd_mailbox: Mailbox) -> None:
    response = client.get("/m/gd/write/?ch=wechat")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/?next=/m/gd/write/")


def test_staff_are_sent_to_the_console_not_the_portal(client: Client, acceptor: User, gd_mailbox: Mailbox) -> None:
    client.force_login(acceptor)
    assert client.get("/m/gd/write/").status_code == 403


def test_a_letter_is_submitted_and_the_query_code_is_shown_once(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    response = post(citizen_client)
    letter = Letter.objects.get(citizen=citizen)
    assert response.status_code == 302 and response["Location"] == f"/my/letters/{letter.public_id}/submitted/"
    receipt = citizen_client.get(response["Location"]).content.decode()
    assert letter.tracking_number in receipt
    code = receipt.split('data-testid="query-code">')[1].split("<")[0]
    assert query_code_matches(letter, code)
    again = citizen_client.get(response["Location"]).content.decode()
    assert letter.tracking_number in again and code not in again
    assert letter.division_code == "440106" and letter.police_type == "household" and letter.channel == Channel.WEB
    assert letter.state == LetterState.RECEIVED and letter.accused_unit is None


def test_text_that_reads_like_an_emergency_is_stopped_with_call_110_and_kept(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    text = "楼下有人正在打人，还拿着刀，请快来！"
    page = post(citizen_client, text=text)
    body = page.content.decode()
    assert page.status_code == 200 and not Letter.objects.exists()
    assert 'href="tel:110"' in body and "<mark>正在打</mark>" in body
    assert text in body and 'name="not_emergency"' in body
    confirmed = post(citizen_client, text=text, not_emergency="on")
    assert confirmed.status_code == 302
    assert Letter.objects.get(citizen=citizen).text == text


def test_an_indirect_emergency_is_stopped_too(citizen_client: Client, gd_mailbox: Mailbox) -> None:
    text = "我老公正在打我，我躲在卫生间里…请派民警过来"  # submitted unflagged before issue 16
    body = post(citizen_client, text=text).content.decode()
    assert 'href="tel:110"' in body and "<mark>正在打</mark>" in body and "<mark>躲在</mark>" in body
    assert not Letter.objects.exists()


def test_a_rejected_form_keeps_what_was_typed_and_says_what_is_wrong_next_to_the_field(
    citizen_client: Client, gd_mailbox: Mailbox
) -> None:
    body = post(citizen_client, text="太短").content.decode()
    assert 'id="id_text_error"' in body and 'aria-invalid="true"' in body
    assert 'value="派出所办理户籍迁移拖延"' in body and 'value="天河路 1 号"' in body
    assert '<option value="440106" selected>' in body
    assert not Letter.objects.exists()


def test_an_inquiry_cannot_name_an_accused_officer(citizen_client: Client, gd_mailbox: Mailbox) -> None:
    body = post(citizen_client, letter_type="inquiry", accused_officer_name="李某").content.decode()
    assert 'id="id_accuses_police_error"' in body
    assert not Letter.objects.exists()


def test_a_complaint_about_the_local_police_names_the_bureau_of_the_place(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox
) -> None:
    post(citizen_client, accuses_police="on", accused_officer_name="李某", accused_badge_number="123456")
    letter = Letter.objects.get(citizen=citizen)
    assert letter.accused_unit is not None and letter.accused_unit.code == "440106"
    assert letter.accused_badge_number == "123456"


def test_attachments_are_stored_with_the_letter(citizen_client: Client, citizen: User, gd_mailbox: Mailbox) -> None:
    citizen_client.post("/m/gd/write/", {**FORM, "attachments": [png("a.png"), png("b.png")]})
    letter = Letter.objects.get(citizen=citizen)
    assert sorted(letter.attachments.values_list("original_name", flat=True)) == ["a.png", "b.png"]


def test_a_rejected_attachment_stops_the_whole_letter_with_the_reason_on_the_field(
    citizen_client: Client, gd_mailbox: Mailbox
) -> None:
    bad = SimpleUploadedFile("notes.txt", b"just text", content_type="text/plain")
    body = citizen_client.post("/m/gd/write/", {**FORM, "attachments": [png(), bad]}).content.decode()
    assert 'id="id_attachments_error"' in body and "不支持的文件类型" in body
    assert "需要重新选择" in body
    assert not Letter.objects.exists()


def test_a_city_mailbox_fixes_the_province_and_city_and_offers_its_districts(
    citizen_client: Client, tree: None
) -> None:
    body = citizen_client.get("/m/gd-guangzhou/write/").content.decode()
    assert '<option value="440000" selected>' in body and '<option value="440100" selected>' in body
    assert '<option value="440106">天河区</option>' in body
    assert '<option value="440300"' not in body  # Shenzhen is not in Guangzhou's jurisdiction


def test_the_national_mailbox_offers_every_province(citizen_client: Client, tree: None) -> None:
    body = citizen_client.get("/m/12389/write/").content.decode()
    assert '<option value="110000">北京市</option>' in body and '<option value="XPCC">' in body


def test_the_pickers_load_children_of_a_place(client: Client, tree: None) -> None:
    places = client.get("/places/440100/").json()["places"]
    assert {"code": "440106", "name": "天河区"} in places
    assert client.get("/places/nowhere/").status_code == 404


def test_without_javascript_the_pickers_refresh_through_the_form(citizen_client: Client, gd_mailbox: Mailbox) -> None:
    body = post(citizen_client, city="440300", county="", action="places").content.decode()
    assert '<option value="440305">南山区</option>' in body
    assert 'id="id_text_error"' not in body and not Letter.objects.exists()


# ---------------------------------------------------------------- naming an officer is an accusation (issue 13)


@pytest.mark.parametrize(
    "officer", [{"accused_officer_name": "李某"}, {"accused_badge_number": "123456"}, {"accused_officer_post": "所长"}]
)
def test_naming_an_officer_without_ticking_the_box_accuses_the_bureau_of_the_place(
    citizen_client: Client, citizen: User, gd_mailbox: Mailbox, officer: dict[str, str]
) -> None:
    """The writer who names an officer but leaves "accuses police" unticked is still protected by recusal."""
    post(citizen_client, **officer)
    letter = Letter.objects.get(citizen=citizen)
    assert letter.accused_unit is not None and letter.accused_unit.code == "440106"
    assert propose_for_letter(letter).unit.code == "440100-inspection"  # the bureau above Tianhe, not Tianhe
    tianhe_staff = make_staff("tianhe-desk", unit("440106"), Role.ACCEPTOR, Role.HANDLER, Role.LEADER)
    assert sign_in(Client(), tianhe_staff).get(f"/console/letters/{letter.public_id}/").status_code == 404


def test_the_officers_post_is_kept_with_the_letter(citizen_client: Client, citizen: User, gd_mailbox: Mailbox) -> None:
    post(citizen_client, accused_officer_name="李某", accused_officer_post="户籍窗口民警")
    letter = Letter.objects.get(citizen=citizen)
    assert (letter.accused_officer_name, letter.accused_officer_post) == ("李某", "户籍窗口民警")


def test_a_suggestion_naming_an_officers_post_is_refused_next_to_the_accusation_field(
    citizen_client: Client, gd_mailbox: Mailbox
) -> None:
    body = post(citizen_client, letter_type="suggestion", accused_officer_post="所长").content.decode()
    assert 'id="id_accuses_police_error"' in body and "所长" in body
    assert not Letter.objects.exists()
