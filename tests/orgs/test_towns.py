"""The town and street sub-bureaus of the cities without counties (东莞, 中山, 儋州, 嘉峪关), loaded from
``xinfang/orgs/data/towns.json`` with the tree, and the towns named in a letter's text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import pytest

from xinfang.analysis.places import guess_place
from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.models import Unit
from xinfang.orgs.selectors import divisions_matching, place_children
from xinfang.orgs.services import TOWNS_FILE, load_units


class SubBureau(NamedTuple):
    code: str
    name: str
    division: str
    city: str


SUB_BUREAUS = {
    "dongguan-street": SubBureau("441900006", "东莞市公安局莞城分局", "莞城街道", "441900"),
    "dongguan-town": SubBureau("441900119", "东莞市公安局长安分局", "长安镇", "441900"),
    "dongguan-zone": SubBureau("441900404", "东莞市公安局滨海湾分局", "东莞滨海湾新区", "441900"),
    "zhongshan-street": SubBureau("442000001", "中山市公安局石岐分局", "石岐街道", "442000"),
    "zhongshan-town": SubBureau("442000118", "中山市公安局小榄分局", "小榄镇", "442000"),
    "danzhou-town": SubBureau("460400112", "儋州市公安局白马井分局", "白马井镇", "460400"),
    "jiayuguan-street": SubBureau("620201002", "嘉峪关市公安局钢城分局", "钢城街道", "620200"),
    "jiayuguan-town": SubBureau("620201101", "嘉峪关市公安局峪泉分局", "峪泉镇", "620200"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("expected", SUB_BUREAUS.values(), ids=SUB_BUREAUS.keys())
def test_a_town_sub_bureau_sits_under_its_city_bureau(tree: None, expected: SubBureau) -> None:
    unit = Unit.objects.get(code=expected.code)

    assert (unit.name, unit.division_name, unit.division_code) == (expected.name, expected.division, expected.code)
    assert (unit.kind, unit.level) == (UnitKind.BUREAU, UnitLevel.COUNTY)
    assert Unit.objects.get_parent(unit) == Unit.objects.get(code=expected.city)


def test_the_towns_file_has_the_four_cities_and_leaves_out_yangpu_and_the_campus() -> None:
    rows = json.loads(TOWNS_FILE.read_text(encoding="utf-8"))
    per_city: dict[str, int] = {}
    for row in rows:
        per_city[row["parent"]] = per_city.get(row["parent"], 0) + 1
    assert per_city == {"441900": 36, "442000": 23, "460400": 16, "620200": 5}
    assert not {"460400499", "460400500"} & {row["code"] for row in rows}
    assert all(len(row["code"]) == 9 and row["code"].isdigit() for row in rows)


@pytest.mark.django_db
def test_loading_adds_a_new_town_to_a_loaded_tree_once_and_keeps_a_renamed_one(tree: None, tmp_path: Path) -> None:
    rows = json.loads(TOWNS_FILE.read_text(encoding="utf-8"))
    new_town = {**rows[0], "code": "441900130", "name": "新设镇", "bureau": "东莞市公安局新设分局", "bureau_en": "X"}
    towns = tmp_path / "towns.json"
    towns.write_text(json.dumps([*rows, new_town], ensure_ascii=False), encoding="utf-8")
    Unit.objects.filter(code="441900119").update(division_name="长安")  # as an administrator left it

    first = load_units(towns_path=towns)
    second = load_units(towns_path=towns)

    assert (first.created, first.departments_created, first.differing) == (1, 0, ["441900119: 长安 ≠ 长安镇"])
    assert (second.created, second.departments_created) == (0, 0)
    added = Unit.objects.get(code="441900130")
    assert (added.name, added.level, Unit.objects.get_parent(added).code) == (
        "东莞市公安局新设分局",
        "county",
        "441900",
    )
    assert Unit.objects.find_problems(parent=Unit.objects.get(code="441900")) == ([], [], [], [], [])


@pytest.mark.django_db
def test_a_citizen_and_a_seat_can_pick_a_town_as_the_place(tree: None) -> None:
    dongguan = Unit.objects.get(code="441900")
    assert "长安镇" in [u.division_name for u in place_children(dongguan)]
    assert [u.division_code for u in divisions_matching("长安镇")] == ["441900119"]
    assert "441900119" in [u.division_code for u in divisions_matching("44190011")]


class Named(NamedTuple):
    text: str
    jurisdiction: str
    stated: str
    code: str | None


NAMED = {
    "city-and-town-named": Named("东莞市长安镇派出所民警态度差", "", "", "441900119"),
    "town-short-form-after-the-city": Named("东莞虎门有人偷车", "", "", "441900121"),
    "the-dongguan-mailbox-knows-the-city": Named("长安镇派出所不作为", "441900", "", "441900119"),
    "the-stated-place-knows-the-city": Named("我在东城那边被偷了", "", "441900004", "441900003"),
    "zhongshan-town-named-in-full": Named("中山市古镇镇灯饰市场", "", "", "442000105"),
    "jiayuguan-street": Named("嘉峪关市雄关街道", "", "", "620201001"),
    "a-town-alone-could-be-anywhere": Named("石龙镇的事情没人管", "450000", "", None),
    "a-town-alone-at-the-province": Named("长安镇派出所", "440000", "", None),
    "everyday-words-are-no-town": Named("中山市的三角地带很乱", "442000", "", "442000"),
    "zhongshan-then-gangkou-town": Named("中山港口镇的渡口", "", "", "442000108"),
}  # fmt: skip


@pytest.mark.parametrize("expected", NAMED.values(), ids=NAMED.keys())
def test_a_town_named_in_a_letter_is_its_place_where_its_city_is_known(expected: Named) -> None:
    guess = guess_place(expected.text, jurisdiction=expected.jurisdiction, stated=expected.stated)

    assert (guess.division.code if guess is not None else None) == expected.code
