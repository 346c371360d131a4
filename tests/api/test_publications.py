"""Published letters through the API: the mailbox's public list, paged, and one letter, as the
portal's public pages show them (``publication.selectors``)."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import Partner, published_letters
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication.models import PublicationState

pytestmark = pytest.mark.django_db


def test_the_list_pages_through_the_published_letters(partner: Partner, partner_mailbox: Mailbox, tianhe: Unit) -> None:
    published_letters(partner_mailbox, tianhe, ["路灯不亮", "噪音扰民", "感谢民警"])
    first = partner.get(f"/publications/{partner_mailbox.slug}", limit=2).json()
    assert [item["title"] for item in first["items"]] == ["路灯不亮", "噪音扰民"]
    assert first["next_offset"] == 2
    rest = partner.get(f"/publications/{partner_mailbox.slug}", limit=2, offset=2).json()
    assert [item["title"] for item in rest["items"]] == ["感谢民警"]
    assert rest["next_offset"] is None


def test_one_published_letter_and_never_an_unpublished_one(
    partner: Partner, partner_mailbox: Mailbox, tianhe: Unit
) -> None:
    shown, withdrawn = published_letters(partner_mailbox, tianhe, ["路灯不亮", "撤下的信"])
    withdrawn.state = PublicationState.UNPUBLISHED
    withdrawn.save(update_fields=["state"])
    detail = partner.get(f"/publications/{partner_mailbox.slug}/{shown.public_id}").json()
    assert (detail["title"], detail["text"], detail["reply"]) == ("路灯不亮", "路灯不亮。", "已采纳。")
    assert detail["replying_unit"] == tianhe.display_name
    gone = partner.get(f"/publications/{partner_mailbox.slug}/{withdrawn.public_id}")
    assert gone.status_code == 404 and gone.json()["code"] == "not_found"
    assert partner.get(f"/publications/{partner_mailbox.slug}/{uuid.uuid4()}").status_code == 404
    assert partner.get("/publications/no-such-box").status_code == 404
