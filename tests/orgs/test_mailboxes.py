"""The default mailboxes: the national 12389 platform and a Director's Mailbox per provincial organ and city."""

from __future__ import annotations

import pytest

from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.services import ensure_default_mailboxes
from xinfang.vocabulary import Channel

pytestmark = pytest.mark.django_db


def test_there_is_one_national_mailbox_and_one_per_provincial_organ_and_city(tree: None) -> None:
    assert Mailbox.objects.count() == 1 + 32 + 333
    assert Mailbox.objects.filter(is_national=True).count() == 1
    owners = Mailbox.objects.filter(is_national=False).values_list("owner__level", "owner__kind")
    assert {(level, kind) for level, kind in owners} == {
        (UnitLevel.PROVINCE, UnitKind.BUREAU),
        (UnitLevel.PREFECTURE, UnitKind.BUREAU),
    }


def test_the_12389_platform_belongs_to_the_ministry_discipline_department(tree: None) -> None:
    national = Mailbox.objects.get(slug="12389")
    assert national.owner.police_type == PoliceType.DISCIPLINE
    assert national.owner.bureau.code == "MPS"
    assert national.allows_anonymous_phone
    assert Channel.TELEPHONE in national.channels


def test_tracking_prefixes_and_slugs_are_unique(tree: None) -> None:
    prefixes = list(Mailbox.objects.values_list("tracking_prefix", flat=True))
    slugs = list(Mailbox.objects.values_list("slug", flat=True))
    assert len(set(prefixes)) == len(prefixes) == 366
    assert len(set(slugs)) == len(slugs) == 366


def test_mailboxes_are_named_after_their_bureau(tree: None) -> None:
    guangdong = Mailbox.objects.get(owner__code="440000")
    assert (guangdong.slug, guangdong.tracking_prefix, guangdong.name) == ("gd", "GD", "广东省公安厅厅长信箱")
    guangzhou = Mailbox.objects.get(owner__code="440100")
    assert (guangzhou.tracking_prefix, guangzhou.name) == ("GD01", "广州市公安局局长信箱")
    assert Mailbox.objects.get(owner__code="XPCC").tracking_prefix == "BT"


def test_ensuring_again_creates_nothing_and_keeps_an_administrator_setting(tree: None) -> None:
    Mailbox.objects.filter(slug="gd").update(name="广东公安厅长信箱", channels=[Channel.WEB])
    assert ensure_default_mailboxes() == 0
    assert Mailbox.objects.count() == 366
    gd = Mailbox.objects.get(slug="gd")
    assert (gd.name, gd.channels) == ("广东公安厅长信箱", [Channel.WEB])


def test_county_bureaus_have_no_mailbox_of_their_own(tree: None) -> None:
    assert not Mailbox.objects.filter(owner__level=UnitLevel.COUNTY).exists()
    assert not Unit.objects.get(code="440106").mailboxes.exists()


def test_provincial_mailboxes_take_telephone_calls_and_city_mailboxes_do_not(tree: None) -> None:
    province = Mailbox.objects.get(slug="gd")
    city = Mailbox.objects.get(slug="gd-guangzhou")
    assert Channel.TELEPHONE in province.channels and province.allows_anonymous_phone
    assert Channel.TELEPHONE not in city.channels and not city.allows_anonymous_phone
