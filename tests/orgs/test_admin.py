"""The back office of the unit tree and the mailboxes, through the Django test client."""

from __future__ import annotations

import json
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import unit as bureau
from tests.console.conftest import sign_in
from xinfang.accounts.models import User
from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit, UnitChange
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.django_db


def page(client: Client, url: str, language: str = "zh-hans") -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def test_the_unit_list_renders_in_chinese_and_english(staff_client: Client, tree: None) -> None:
    assert "选择 单位 来修改" in page(staff_client, reverse("admin:orgs_unit_changelist"))
    english = page(staff_client, reverse("admin:orgs_unit_changelist"), "en")
    assert "Select Unit to change" in english
    assert "Level" in english


def test_units_are_found_by_name_code_and_division_code(staff_client: Client, tree: None) -> None:
    url = reverse("admin:orgs_unit_changelist")
    assert "广州市公安局天河区分局" in page(staff_client, f"{url}?q=天河区分局")
    assert "广州市公安局天河区分局" in page(staff_client, f"{url}?q=440106")
    assert "仙桃市公安局" in page(staff_client, f"{url}?q=429004&level__exact=county&kind__exact=bureau")


def test_the_unit_page_shows_the_tree_fields_read_only_and_no_delete(staff_client: Client, tree: None) -> None:
    tianhe = bureau("440106")
    body = page(staff_client, reverse("admin:orgs_unit_change", args=[tianhe.pk]))
    assert tianhe.path in body
    assert 'name="path"' not in body and 'name="name"' not in body
    assert reverse("admin:orgs_unit_delete", args=[tianhe.pk]) not in body
    assert reverse("admin:orgs_unit_merge", args=[tianhe.pk]) in body
    assert "广州市公安局" in body  # the parent unit


def test_a_unit_cannot_be_deleted_or_added_in_the_admin(staff_client: Client, tree: None) -> None:
    tianhe = bureau("440106")
    assert staff_client.post(reverse("admin:orgs_unit_delete", args=[tianhe.pk]), {"post": "yes"}).status_code == 403
    assert staff_client.get(reverse("admin:orgs_unit_add")).status_code == 403
    changelist = staff_client.get(reverse("admin:orgs_unit_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Unit.objects.filter(pk=tianhe.pk).exists()


def test_the_rename_form_renames_through_the_service(staff_client: Client, admin: User, tree: None) -> None:
    tianhe = bureau("440106")
    url = reverse("admin:orgs_unit_rename", args=[tianhe.pk])
    assert "广州市公安局天河区分局" in page(staff_client, url)
    response = staff_client.post(url, {"name": "广州市公安局天河分局", "name_en": "Tianhe Branch", "reason": "改革"})
    assert response.status_code == 302
    tianhe.refresh_from_db()
    assert tianhe.name == "广州市公安局天河分局"
    change = UnitChange.objects.get(unit=tianhe)
    assert (change.kind, change.actor, change.reason) == (UnitChange.Kind.RENAMED, admin, "改革")
    assert "广州市公安局天河区分局" in page(staff_client, reverse("admin:orgs_unit_change", args=[tianhe.pk]))


def test_the_merge_form_merges_through_the_service(staff_client: Client, admin: User, tree: None) -> None:
    tianhe, yuexiu = bureau("440106"), bureau("440104")
    url = reverse("admin:orgs_unit_merge", args=[tianhe.pk])
    page(staff_client, url)
    response = staff_client.post(url, {"target": yuexiu.pk, "reason": "区划调整"})
    assert response.status_code == 302
    tianhe.refresh_from_db()
    assert (tianhe.is_active, tianhe.merged_into) == (False, yuexiu)
    assert UnitChange.objects.get(unit=tianhe).actor == admin


def test_a_refused_merge_shows_the_reason_next_to_the_target(staff_client: Client, tree: None) -> None:
    guangzhou = bureau("440100")
    response = staff_client.post(
        reverse("admin:orgs_unit_merge", args=[guangzhou.pk]), {"target": guangzhou.pk, "reason": "误操作"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target"] == ["不能并入自身或其下级单位。"]
    assert "不能并入自身或其下级单位。" in response.content.decode()
    assert bureau("440100").is_active


def test_the_retire_form_retires_through_the_service(staff_client: Client, tree: None) -> None:
    tianhe = bureau("440106")
    url = reverse("admin:orgs_unit_retire", args=[tianhe.pk])
    page(staff_client, url)
    assert staff_client.post(url, {"reason": "撤销"}).status_code == 302
    assert not bureau("440106").is_active
    refused = staff_client.post(reverse("admin:orgs_unit_retire", args=[bureau("440100").pk]), {"reason": "撤销"})
    assert "请先处理该单位下属的公安机关。" in refused.content.decode()


def test_the_new_bureau_form_adds_a_county_under_a_city(staff_client: Client, tree: None) -> None:
    guangzhou = bureau("440100")
    url = reverse("admin:orgs_unit_add-child", args=[guangzhou.pk])
    page(staff_client, url)
    response = staff_client.post(
        url, {"code": "440199", "name": "广州市公安局新区分局", "name_en": "", "division_code": "440199"}
    )
    assert response.status_code == 302
    new = bureau("440199")
    assert (Unit.objects.get_parent(new), new.level) == (guangzhou, UnitLevel.COUNTY)
    duplicate = staff_client.post(url, {"code": "440106", "name": "重复", "division_code": "440106"})
    assert duplicate.context["form"].errors["code"] == ["代码 440106 已被使用。"]
    bad_code = staff_client.post(url, {"code": "440198", "name": "新设", "division_code": "4401"})
    assert bad_code.context["form"].errors["division_code"] == [
        "行政区划代码是6位数字（GB/T 2260），乡镇、街道是9位统计用区划代码。"
    ]


def test_the_merge_target_autocomplete_offers_only_active_bureaus(staff_client: Client, tree: None) -> None:
    params = {"app_label": "orgs", "model_name": "unit", "field_name": "merged_into", "term": "广州市公安局"}
    results = json.loads(staff_client.get(reverse("admin:autocomplete"), params).content)["results"]
    ids = [int(r["id"]) for r in results]
    assert bureau("440100").pk in ids
    assert not Unit.objects.filter(pk__in=ids, kind=UnitKind.DEPARTMENT).exists()


def test_the_change_history_lists_every_change(staff_client: Client, tree: None) -> None:
    tianhe = bureau("440106")
    staff_client.post(reverse("admin:orgs_unit_rename", args=[tianhe.pk]), {"name": "天河分局", "reason": "试"})
    body = page(staff_client, reverse("admin:orgs_unitchange_changelist"), "en")
    assert "天河分局" in body and "Renamed" in body


def test_an_outsider_is_refused_the_unit_back_office(client: Client, outsider: User, tree: None) -> None:
    sign_in(client, outsider)
    tianhe = bureau("440106")
    for name in ["rename", "merge", "retire", "add-child"]:
        response = client.post(reverse(f"admin:orgs_unit_{name}", args=[tianhe.pk]), {"reason": "x", "name": "x"})
        assert response.status_code == 403  # signed in with both factors, but no back-office rights
    assert bureau("440106").name == "广州市公安局天河区分局"


def test_the_mailbox_pages_render(staff_client: Client, tree: None) -> None:
    gd = Mailbox.objects.get(slug="gd")
    assert "广东省公安厅厅长信箱" in page(staff_client, reverse("admin:orgs_mailbox_changelist") + "?q=gd")
    body = page(staff_client, reverse("admin:orgs_mailbox_change", args=[gd.pk]), "en")
    assert 'type="checkbox" name="letter_types"' in body
    assert 'type="checkbox" name="channels"' in body
    assert "admin-autocomplete" in body  # the owner is chosen by search, not from 8,000 options
    assert reverse("admin:orgs_mailbox_delete", args=[gd.pk]) not in body


def test_mailbox_settings_are_saved_from_the_check_boxes(staff_client: Client, tree: None) -> None:
    gd = Mailbox.objects.get(slug="gd")
    data = {
        "name": gd.name, "name_en": gd.name_en, "slug": gd.slug, "owner": gd.owner_id,
        "tracking_prefix": gd.tracking_prefix, "letter_types": [LetterType.REPORT, LetterType.COMPLAINT],
        "channels": [Channel.WEB], "is_active": "on", "intro": "", "intro_en": "", "embed_style": "float",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:orgs_mailbox_change", args=[gd.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gd.refresh_from_db()
    assert (gd.letter_types, gd.channels) == ([LetterType.COMPLAINT, LetterType.REPORT], [Channel.WEB])
