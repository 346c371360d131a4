"""The real unit tree loaded from the divisions file: its size, its irregular parts and its names."""

from __future__ import annotations

import pytest

from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Unit
from xinfang.orgs.services import MINISTRY_CODE, department_for, load_units

pytestmark = pytest.mark.django_db

MUNICIPALITIES = ["110000", "120000", "310000", "500000"]
HAINAN_DIRECT = [
    "469001", "469002", "469005", "469006", "469007", "469021", "469022", "469023",
    "469024", "469025", "469026", "469027", "469028", "469029", "469030",
]  # fmt: skip
PROVINCE_DIRECT_COUNTIES = ["419001", "429004", "429005", "429006", "429021", *HAINAN_DIRECT]
XPCC_CITIES = [f"6590{n:02d}" for n in range(1, 13)]
# The town and street sub-bureaus of the four cities without counties (tests/orgs/test_towns.py).
TOWN_SUB_BUREAUS = 80


def bureau(code: str) -> Unit:
    return Unit.objects.get(code=code)


def bureaus(**filters: object) -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.BUREAU, **filters))


def parent_of(unit: Unit) -> Unit:
    parent = Unit.objects.get_parent(unit)
    assert parent is not None
    return parent


def child_bureau_codes(parent: Unit) -> list[str]:
    return sorted(u.code for u in Unit.objects.get_children(parent).filter(kind=UnitKind.BUREAU))


def test_the_tree_has_one_ministry_32_provincial_organs_333_cities_and_2845_counties(tree: None) -> None:
    counts = {level: Unit.objects.filter(kind=UnitKind.BUREAU, level=level).count() for level in UnitLevel.values}
    assert counts == {"ministry": 1, "province": 32, "prefecture": 333, "county": 2845 + TOWN_SUB_BUREAUS}


def test_the_ministry_is_the_only_root(tree: None) -> None:
    roots = list(Unit.objects.filter(depth=1))
    assert [u.code for u in roots] == [MINISTRY_CODE]
    assert roots[0].name == "中华人民共和国公安部"


def test_every_provincial_organ_sits_directly_under_the_ministry(tree: None) -> None:
    ministry = bureau(MINISTRY_CODE)
    provincial = bureaus(level=UnitLevel.PROVINCE)
    assert {parent_of(u).pk for u in provincial} == {ministry.pk}
    assert "XPCC" in {u.code for u in provincial}


@pytest.mark.parametrize("code", MUNICIPALITIES)
def test_a_municipality_has_its_districts_and_counties_directly_under_it(tree: None, code: str) -> None:
    municipality = bureau(code)
    children = Unit.objects.get_children(municipality).filter(kind=UnitKind.BUREAU)
    assert children.exists()
    assert set(children.values_list("level", flat=True)) == {UnitLevel.COUNTY}
    assert not bureaus(level=UnitLevel.PREFECTURE, code__startswith=code[:2])


def test_county_level_units_directly_under_a_province_are_exactly_the_known_ones(tree: None) -> None:
    provincial = {u.path: u for u in bureaus(level=UnitLevel.PROVINCE)}
    direct = [
        u.code
        for u in bureaus(level=UnitLevel.COUNTY, depth=3)
        if provincial[u.path[: Unit.steplen * 2]].division_type not in {"直辖市", "兵团"}
    ]
    assert sorted(direct) == sorted(PROVINCE_DIRECT_COUNTIES)
    assert len(direct) == 20


def test_hubei_direct_units_are_xiantao_qianjiang_tianmen_and_shennongjia(tree: None) -> None:
    names = {code: bureau(code).division_name for code in ["429004", "429005", "429006", "429021"]}
    assert names == {"429004": "仙桃市", "429005": "潜江市", "429006": "天门市", "429021": "神农架林区"}
    assert bureau("419001").division_name == "济源市"
    assert parent_of(bureau("419001")).code == "410000"


@pytest.mark.parametrize("code", ["441900", "442000", "460400", "620200"])
def test_a_city_without_districts_has_its_departments_and_town_sub_bureaus_under_it(tree: None, code: str) -> None:
    city = bureau(code)
    assert city.level == UnitLevel.PREFECTURE
    children = Unit.objects.get_children(city)
    assert set(children.values_list("kind", flat=True)) == {UnitKind.DEPARTMENT, UnitKind.BUREAU}
    sub_bureaus = children.filter(kind=UnitKind.BUREAU)
    assert set(sub_bureaus.values_list("level", flat=True)) == {UnitLevel.COUNTY}
    assert all(len(u.division_code) == 9 and u.division_code[:4] == code[:4] for u in sub_bureaus)


def test_the_xpcc_cities_sit_under_the_corps_not_under_xinjiang(tree: None) -> None:
    corps = bureau("XPCC")
    assert child_bureau_codes(corps) == XPCC_CITIES
    assert corps.name == "新疆生产建设兵团公安局"
    assert not [c for c in child_bureau_codes(bureau("650000")) if c.startswith("6590")]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("440100", "广州市公安局"),
        ("440106", "广州市公安局天河区分局"),
        ("440000", "广东省公安厅"),
        ("110000", "北京市公安局"),
        ("110105", "北京市公安局朝阳区分局"),
        ("652900", "阿克苏地区公安处"),
        ("152200", "兴安盟公安处"),
        ("441900", "东莞市公安局"),
        ("429004", "仙桃市公安局"),
        ("450000", "广西壮族自治区公安厅"),
    ],
)
def test_bureaus_are_named_as_chinese_practice_names_them(tree: None, code: str, name: str) -> None:
    assert bureau(code).name == name


def test_english_names_follow_the_chinese_ones(tree: None) -> None:
    assert bureau("440000").name_en == "Department of Public Security of Guangdong Province"
    assert bureau("440106").name_en == "Tianhe District Branch, Guangzhou City Public Security Bureau"


def test_provincial_and_city_bureaus_have_all_thirteen_departments_from_the_start(tree: None) -> None:
    for code in [MINISTRY_CODE, "440000", "XPCC", "440100", "441900"]:
        unit = bureau(code)
        assert sorted(unit.departments.values_list("police_type", flat=True)) == sorted(PoliceType.values)
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == (1 + 32 + 333) * len(PoliceType.values)


def test_department_names_carry_the_suffix_of_their_level(tree: None) -> None:
    assert department_for(bureau("440000"), PoliceType.CRIMINAL).name == "广东省公安厅刑侦总队"
    assert department_for(bureau("440100"), PoliceType.TRAFFIC).name == "广州市公安局交通管理支队"
    assert department_for(bureau("440106"), PoliceType.PUBLIC_ORDER).name == "广州市公安局天河区分局治安大队"


def test_a_county_bureau_gets_a_department_only_when_one_is_asked_for(tree: None) -> None:
    tianhe = bureau("440106")
    assert not tianhe.departments.exists()
    first = department_for(tianhe, PoliceType.CYBER)
    again = department_for(tianhe, PoliceType.CYBER)
    assert first.pk == again.pk
    assert list(tianhe.departments.all()) == [first]
    assert parent_of(first).pk == tianhe.pk
    assert (first.level, first.kind, first.division_code) == (UnitLevel.COUNTY, UnitKind.DEPARTMENT, "440106")


def test_asking_a_department_for_its_department_returns_its_sibling(tree: None) -> None:
    traffic = department_for(bureau("440100"), PoliceType.TRAFFIC)
    criminal = department_for(traffic, PoliceType.CRIMINAL)
    assert criminal.bureau_of_department_id == bureau("440100").pk


def test_loading_again_creates_nothing(tree: None) -> None:
    total = Unit.objects.count()
    result = load_units()
    assert (result.created, result.departments_created, result.differing) == (0, 0, [])
    assert Unit.objects.count() == total


def test_loading_again_keeps_a_name_an_administrator_changed(tree: None) -> None:
    Unit.objects.filter(code="440106").update(name="广州市公安局天河分局")
    load_units()
    assert bureau("440106").name == "广州市公安局天河分局"


def test_the_loaded_tree_has_no_structural_problems(tree: None) -> None:
    """treebeard's own check costs several queries a node, so it runs on two irregular provinces."""
    department_for(bureau("469001"), PoliceType.CYBER)
    for code in ["460000", "XPCC"]:
        assert Unit.objects.find_problems(parent=bureau(code)) == ([], [], [], [], [])


def test_every_path_depth_and_child_count_of_the_whole_tree_agree(tree: None) -> None:
    """The same invariants as treebeard's check, for all 8,000 units in one query."""
    rows = list(Unit.objects.values_list("path", "depth", "numchild"))
    paths = {path for path, _depth, _numchild in rows}
    children: dict[str, int] = {}
    for path, depth, _numchild in rows:
        assert len(path) == depth * Unit.steplen
        if depth > 1:
            parent = path[: -Unit.steplen]
            assert parent in paths
            children[parent] = children.get(parent, 0) + 1
    assert all(numchild == children.get(path, 0) for path, _depth, numchild in rows)


def test_bureaus_carry_their_division_code_and_the_corps_none(tree: None) -> None:
    assert bureau("440106").division_code == "440106"
    assert bureau("XPCC").division_code == ""
    assert bureau(MINISTRY_CODE).division_code == ""
