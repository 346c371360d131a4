"""Administrative changes to the tree: new bureaus, renames, merges and retirements.

Merges and retirements reach ``xinfang.letters`` (open letters follow a merged unit; a unit with
open letters cannot be retired), so those tests also need the letter services.
"""

from __future__ import annotations

import pytest

from tests.letters.conftest import decide_accused
from xinfang.accounts.models import User
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_accept, letter_assign, letter_submit
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit, UnitChange
from xinfang.orgs.services import UnitChangeError, department_for, unit_create, unit_merge, unit_rename, unit_retire
from xinfang.vocabulary import Channel, LetterType

pytestmark = pytest.mark.django_db


def bureau(code: str) -> Unit:
    return Unit.objects.get(code=code)


def test_a_new_county_bureau_is_added_under_its_city_with_a_history_row(tree: None, admin: User) -> None:
    guangzhou = bureau("440100")
    new = unit_create(
        parent=guangzhou, code="440199", name="广州市公安局新区分局", name_en="New District Branch",
        division_code="440199", actor=admin,
    )  # fmt: skip
    new.refresh_from_db()
    assert Unit.objects.get_parent(new) == guangzhou
    assert (new.level, new.kind, new.is_active) == (UnitLevel.COUNTY, UnitKind.BUREAU, True)
    change = UnitChange.objects.get(unit=new)
    assert (change.kind, change.new_name, change.actor) == (UnitChange.Kind.CREATED, "广州市公安局新区分局", admin)
    assert Unit.objects.find_problems(parent=guangzhou) == ([], [], [], [], [])


def test_a_new_district_of_a_municipality_is_county_level(tree: None, admin: User) -> None:
    new = unit_create(
        parent=bureau("110000"), code="110199", name="北京市公安局新区分局", name_en="", division_code="110199",
        actor=admin,
    )  # fmt: skip
    assert new.level == UnitLevel.COUNTY


def test_it_refuses_a_code_already_in_use(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError, match="440106"):
        unit_create(parent=bureau("440100"), code="440106", name="重复", name_en="", division_code="", actor=admin)
    assert not UnitChange.objects.exists()


def test_it_refuses_a_bureau_under_a_department(tree: None, admin: User) -> None:
    traffic = department_for(bureau("440100"), PoliceType.TRAFFIC)
    with pytest.raises(UnitChangeError, match="警种部门下不能新设公安机关"):
        unit_create(parent=traffic, code="X1", name="某局", name_en="", division_code="", actor=admin)


def test_it_refuses_a_bureau_under_a_county_bureau(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError, match="县级公安机关下不能再设公安机关"):
        unit_create(parent=bureau("440106"), code="X2", name="某所", name_en="", division_code="", actor=admin)


def test_it_refuses_a_new_bureau_without_a_name(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError):
        unit_create(parent=bureau("440100"), code="440198", name="  ", name_en="", division_code="", actor=admin)


def test_a_rename_keeps_the_old_name_in_the_history(tree: None, admin: User) -> None:
    tianhe = bureau("440106")
    unit_rename(unit=tianhe, name="广州市公安局天河分局", name_en="Tianhe Branch", actor=admin, reason="机构改革")
    tianhe.refresh_from_db()
    assert (tianhe.name, tianhe.name_en) == ("广州市公安局天河分局", "Tianhe Branch")
    change = UnitChange.objects.get(unit=tianhe)
    assert (change.kind, change.old_name, change.new_name, change.reason, change.actor) == (
        UnitChange.Kind.RENAMED, "广州市公安局天河区分局", "广州市公安局天河分局", "机构改革", admin,
    )  # fmt: skip


def test_it_refuses_an_empty_name(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError, match="名称不能为空"):
        unit_rename(unit=bureau("440106"), name="   ", name_en="", actor=admin)
    assert bureau("440106").name == "广州市公安局天河区分局"
    assert not UnitChange.objects.exists()


def test_it_refuses_merging_a_unit_into_itself(tree: None, admin: User) -> None:
    tianhe = bureau("440106")
    with pytest.raises(UnitChangeError, match="不能并入自身或其下级单位"):
        unit_merge(source=tianhe, target=tianhe, actor=admin, reason="")


def test_it_refuses_merging_a_unit_into_one_below_it(tree: None, admin: User) -> None:
    guangzhou = bureau("440100")
    with pytest.raises(UnitChangeError, match="不能并入自身或其下级单位"):
        unit_merge(source=guangzhou, target=bureau("440106"), actor=admin, reason="")
    assert bureau("440100").is_active


def test_it_refuses_merging_into_a_department(tree: None, admin: User) -> None:
    traffic = department_for(bureau("440300"), PoliceType.TRAFFIC)
    with pytest.raises(UnitChangeError):
        unit_merge(source=bureau("440106"), target=traffic, actor=admin, reason="")


def test_it_refuses_merging_a_city_that_still_has_county_bureaus(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError, match="请先处理该单位下属的公安机关"):
        unit_merge(source=bureau("440100"), target=bureau("440300"), actor=admin, reason="")


def test_a_merged_county_bureau_and_its_departments_point_at_their_counterparts(tree: None, admin: User) -> None:
    tianhe, yuexiu = bureau("440106"), bureau("440104")
    cyber = department_for(tianhe, PoliceType.CYBER)
    unit_merge(source=tianhe, target=yuexiu, actor=admin, reason="区划调整")
    tianhe.refresh_from_db()
    cyber.refresh_from_db()
    assert (tianhe.is_active, tianhe.merged_into, tianhe.retired_at is not None) == (False, yuexiu, True)
    assert cyber.merged_into == department_for(yuexiu, PoliceType.CYBER)
    assert not cyber.is_active
    change = UnitChange.objects.get(unit=tianhe)
    assert (change.kind, change.target, change.reason) == (UnitChange.Kind.MERGED, yuexiu, "区划调整")


def test_it_refuses_merging_into_a_retired_unit(tree: None, admin: User) -> None:
    unit_retire(unit=bureau("440104"), actor=admin, reason="撤销")
    with pytest.raises(UnitChangeError, match="不能并入已撤销的单位"):
        unit_merge(source=bureau("440106"), target=bureau("440104"), actor=admin, reason="")


def test_a_retired_county_bureau_and_its_departments_are_inactive_but_kept(tree: None, admin: User) -> None:
    tianhe = bureau("440106")
    cyber = department_for(tianhe, PoliceType.CYBER)
    unit_retire(unit=tianhe, actor=admin, reason="撤销")
    tianhe.refresh_from_db()
    cyber.refresh_from_db()
    assert (tianhe.is_active, cyber.is_active) == (False, False)
    assert tianhe.retired_at is not None
    assert UnitChange.objects.get(unit=tianhe).kind == UnitChange.Kind.RETIRED


def test_it_refuses_retiring_a_city_that_still_has_county_bureaus(tree: None, admin: User) -> None:
    with pytest.raises(UnitChangeError, match="请先处理该单位下属的公安机关"):
        unit_retire(unit=bureau("440100"), actor=admin, reason="")
    assert bureau("440100").is_active


def open_letter_at_tianhe(citizen: User, acceptor: User) -> Letter:
    """A citizen's letter to the Guangdong mailbox, accepted and transferred to the Tianhe branch."""
    mailbox = Mailbox.objects.get(slug="gd")
    letter = letter_submit(
        mailbox=mailbox, actor=citizen, letter_type=LetterType.COMPLAINT, channel=Channel.WEB,
        subject="噪音扰民", text="深夜施工噪音无人处理。", division_code="440106",
    ).letter  # fmt: skip
    letter_accept(letter=letter, actor=acceptor)
    decide_accused(letter, acceptor)
    return letter_assign(letter=letter, actor=acceptor, unit=bureau("440106"))


def test_open_letters_of_a_merged_unit_follow_it(tree: None, admin: User, citizen: User, acceptor: User) -> None:
    letter = open_letter_at_tianhe(citizen, acceptor)
    unit_merge(source=bureau("440106"), target=bureau("440104"), actor=admin, reason="区划调整")
    letter.refresh_from_db()
    assert letter.handling_unit == bureau("440104")


def test_it_refuses_retiring_a_unit_that_still_holds_open_letters(
    tree: None, admin: User, citizen: User, acceptor: User
) -> None:
    open_letter_at_tianhe(citizen, acceptor)
    with pytest.raises(UnitChangeError, match="仍有未办结的信件"):
        unit_retire(unit=bureau("440106"), actor=admin, reason="撤销")
    assert bureau("440106").is_active


@pytest.mark.parametrize("change", ["merge", "retire"])
def test_a_merged_or_retired_bureau_is_gone_from_this_process_at_once(tree: None, admin: User, change: str) -> None:
    """Merging and retiring write with a bulk update, which sends no save signal: the per-process
    copies of the tree must still forget the unit at once, not up to half a minute later."""
    from xinfang.letters.accusation import units_named_in
    from xinfang.orgs.selectors import active_bureau_by_code

    tianhe = bureau("440106")
    assert active_bureau_by_code("440106") == tianhe  # read once: now in this process's copy
    assert [m.unit for m in units_named_in("天河区公安分局民警态度恶劣")] == [tianhe]
    if change == "merge":
        unit_merge(source=tianhe, target=bureau("440104"), actor=admin, reason="区划调整")
    else:
        unit_retire(unit=tianhe, actor=admin, reason="撤销")
    assert active_bureau_by_code("440106") is None
    assert tianhe not in [m.unit for m in units_named_in("天河区公安分局民警态度恶劣")]
