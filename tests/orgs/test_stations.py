"""Police stations (派出所) added by administrators, one by one in the admin or from a CSV file."""

from __future__ import annotations

from html import unescape
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.conftest import unit as bureau
from tests.console.conftest import sign_in
from xinfang.accounts.models import User
from xinfang.orgs.choices import UnitKind, UnitLevel
from xinfang.orgs.models import Unit, UnitChange
from xinfang.orgs.services import StationImportError, UnitChangeError, station_create, stations_import, unit_merge

pytestmark = pytest.mark.django_db


def stations() -> list[str]:
    return list(Unit.objects.filter(kind=UnitKind.STATION).order_by("path").values_list("name", flat=True))


GOOD_CSV = """bureau,name,name_en,code
440106,石牌派出所,Shipai Police Station,
广州市公安局天河区分局,棠下派出所,,
441900119,东莞市公安局长安分局乌沙派出所,,DG0119WS
"""


def test_a_station_is_created_under_its_county_bureau_with_the_full_name(tree: None, admin: User) -> None:
    station = station_create(bureau=bureau("440106"), name="石牌派出所", name_en="Shipai Police Station", actor=admin)

    assert station.name == "广州市公安局天河区分局石牌派出所"
    assert station.name_en == "Shipai Police Station, Tianhe District Branch, Guangzhou City Public Security Bureau"
    assert (station.kind, station.level, station.division_code) == (UnitKind.STATION, UnitLevel.COUNTY, "440106")
    assert Unit.objects.get_parent(station) == bureau("440106")
    assert station.code == "440106PS001"
    assert UnitChange.objects.get(unit=station).kind == UnitChange.Kind.CREATED


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("440100", "石牌派出所", "派出所只能设在在用的县级公安机关下。"),
        ("440106", "  ", "缺少派出所名称。"),
        ("440106", "广州市公安局天河区分局", "缺少派出所名称。"),
        ("440106", "石牌派出所", "广州市公安局天河区分局下已有广州市公安局天河区分局石牌派出所。"),
    ],
)
def test_a_wrong_station_is_refused(tree: None, code: str, name: str, message: str) -> None:
    station_create(bureau=bureau("440106"), name="石牌派出所", actor=None)

    with pytest.raises(UnitChangeError, match=message):
        station_create(bureau=bureau(code), name=name, actor=None)


def test_a_csv_file_imports_every_station_under_its_bureau(tree: None, admin: User) -> None:
    created = stations_import(text=GOOD_CSV, actor=admin)

    assert [s.name for s in created] == [
        "广州市公安局天河区分局石牌派出所",
        "广州市公安局天河区分局棠下派出所",
        "东莞市公安局长安分局乌沙派出所",
    ]
    assert [Unit.objects.get_parent(s).code for s in created] == ["440106", "440106", "441900119"]
    assert [s.code for s in created] == ["440106PS001", "440106PS002", "DG0119WS"]
    assert UnitChange.objects.filter(unit__in=created, actor=admin).count() == 3


def test_a_csv_file_with_a_bad_row_imports_nothing_and_names_each_bad_line(tree: None) -> None:
    station_create(bureau=bureau("440106"), name="石牌派出所", actor=None)
    text = """bureau,name,code
440106,棠下派出所,
440100,越秀某派出所,
440106,石牌派出所,
440106,冼村派出所,bad code
440104,北京街派出所,X1
440104,六榕派出所,X1
999999,某派出所,
440106,员村派出所,,X9
"""
    with pytest.raises(StationImportError) as raised:
        stations_import(text=text, actor=None)

    assert raised.value.errors == [
        (3, "“440100”不是在用的县级公安机关（填代码或全称）。"),
        (4, "广州市公安局天河区分局下已有广州市公安局天河区分局石牌派出所。"),
        (5, "代码只能由字母和数字组成，最多 40 位。"),
        (7, "代码 X1 已被使用。"),
        (8, "“999999”不是在用的县级公安机关（填代码或全称）。"),
        (9, "这一行的列数比表头多。"),
    ]
    assert stations() == ["广州市公安局天河区分局石牌派出所"]  # the good rows were not imported either


def test_a_csv_file_without_the_header_is_refused(tree: None) -> None:
    with pytest.raises(StationImportError) as raised:
        stations_import(text="440106,石牌派出所\n", actor=None)
    assert raised.value.errors[0][0] == 1
    assert stations() == []


def test_an_import_for_one_city_refuses_a_bureau_elsewhere(tree: None) -> None:
    with pytest.raises(StationImportError) as raised:
        stations_import(text="bureau,name\n440305,粤海派出所\n", actor=None, within=bureau("440100"))
    assert raised.value.errors == [(2, "“440305”不是在用的县级公安机关（填代码或全称）。")]


def test_the_command_imports_a_file_and_reports_bad_lines(tree: None, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("\ufeff" + GOOD_CSV, encoding="utf-8")  # as a spreadsheet saves it, with a BOM
    out = StringIO()
    call_command("import_stations", str(good), stdout=out)
    assert "stations imported: 3" in out.getvalue()

    bad = tmp_path / "bad.csv"
    bad.write_text("bureau,name\n440106,员村派出所\n440106,\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_stations", str(bad), stderr=err)
    assert "line 3: 缺少派出所名称。" in err.getvalue()
    assert len(stations()) == 3


def test_a_station_merges_only_into_a_station_and_a_bureau_with_stations_waits(tree: None, admin: User) -> None:
    shipai = station_create(bureau=bureau("440106"), name="石牌派出所", actor=None)
    tangxia = station_create(bureau=bureau("440106"), name="棠下派出所", actor=None)

    with pytest.raises(UnitChangeError, match="派出所只能并入派出所。"):
        unit_merge(source=shipai, target=bureau("440106"), actor=admin, reason="撤并")
    with pytest.raises(UnitChangeError, match="请先处理该单位下属的派出所。"):
        unit_merge(source=bureau("440106"), target=bureau("440104"), actor=admin, reason="撤并")
    unit_merge(source=shipai, target=tangxia, actor=admin, reason="撤并")
    assert Unit.objects.get(pk=shipai.pk).merged_into == tangxia


def test_the_admin_adds_a_station_under_a_county_bureau(staff_client: Client, tree: None) -> None:
    tianhe = bureau("440106")
    change_page = unescape(staff_client.get(reverse("admin:orgs_unit_change", args=[tianhe.pk])).content.decode())
    url = reverse("admin:orgs_unit_add-station", args=[tianhe.pk])
    assert url in change_page

    response = staff_client.post(url, {"name": "石牌派出所", "name_en": "", "code": ""})

    assert response.status_code == 302
    assert stations() == ["广州市公安局天河区分局石牌派出所"]
    again = staff_client.post(url, {"name": "石牌派出所", "name_en": "", "code": ""})
    assert again.context["form"].errors["name"] == ["广州市公安局天河区分局下已有广州市公安局天河区分局石牌派出所。"]


def test_the_admin_imports_a_csv_file_and_shows_each_bad_line(staff_client: Client, tree: None) -> None:
    url = reverse("admin:orgs_unit_import-stations", args=[bureau("440100").pk])
    bad = SimpleUploadedFile("stations.csv", "bureau,name\n440106,石牌派出所\n440305,粤海派出所\n".encode())

    response = staff_client.post(url, {"file": bad})

    body = unescape(response.content.decode())
    assert "文件中有 1 处错误，未导入任何派出所。" in body
    assert "第 3 行：“440305”不是在用的县级公安机关（填代码或全称）。" in body
    assert stations() == []
    good = SimpleUploadedFile("stations.csv", GOOD_CSV.split("441900119")[0].encode())
    assert staff_client.post(url, {"file": good}).status_code == 302
    assert len(stations()) == 2


def test_an_outsider_is_refused_the_station_pages(client: Client, outsider: User, tree: None) -> None:
    sign_in(client, outsider)
    for name in ["add-station", "import-stations"]:
        response = client.post(reverse(f"admin:orgs_unit_{name}", args=[bureau("440106").pk]), {"name": "x"})
        assert response.status_code == 403
    assert stations() == []


def test_the_desk_unit_picker_offers_a_station_under_its_bureau_only(
    client: Client, acceptor: User, outsider: User, tree: None
) -> None:
    shipai = station_create(bureau=bureau("440106"), name="石牌派出所", actor=None)
    url = reverse("console:lookup_units") + "?scope=under&q=石牌派出所"

    sign_in(client, acceptor)  # the Guangdong desk: Tianhe and its station are under it
    options = client.get(url).json()["options"]
    assert [o["value"] for o in options] == [f"{shipai.code} 广州市公安局天河区分局石牌派出所"]
    sign_in(client, outsider)  # Shenzhen's staff: not under their bureau
    assert client.get(url).json()["options"] == []
