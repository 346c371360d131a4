"""Police functions that a city (prefecture-level) bureau runs for its counties: the declared defaults.

Territorial routing sends a letter to the county-level bureau of its place. For a few functions that
is the wrong door: the city bureau runs them for the whole city and the district has, at most, a
window. Each entry names the police type, and optionally the words in the letter that narrow it
(vehicle and driver administration is one part of traffic management; a crash on a district road
is still the district's). A row of ``routing.CityLevelFunction`` with the same ``key`` replaces the
entry (an inactive row switches it off); rows with other keys add functions. docs/routing.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from xinfang.orgs.choices import PoliceType


@dataclass(frozen=True)
class CityFunction:
    key: str
    police_type: str
    words: tuple[str, ...]  # any of them in the letter (subject or text); empty: every letter of the type
    reason: str  # Chinese, shown to the acceptor
    reason_en: str
    source: str


CITY_FUNCTIONS: tuple[CityFunction, ...] = (
    CityFunction(
        key="exit_entry",
        police_type=PoliceType.EXIT_ENTRY,
        words=(),
        reason="出入境管理由地市级公安机关出入境管理部门负责，县级公安机关一般只设受理窗口",
        reason_en=(
            "exit-entry administration is run by the city-level bureau's exit-entry division; county-level "
            "bureaus usually have only an application window"
        ),
        source=(
            "《中华人民共和国出境入境管理法》第十二条、第十五条（县级以上地方人民政府公安机关出入境管理机构受理）；"
            "多数城市的通行做法：市公安局出入境管理支队统一办理，区县只设受理窗口。"
        ),
    ),
    CityFunction(
        key="vehicle_admin",
        police_type=PoliceType.TRAFFIC,
        words=(
            "车管所",
            "车辆管理所",
            "驾驶证",
            "驾照",
            "机动车登记",
            "上牌",
            "号牌",
            "过户",
            "年检",
            "年审",
            "科目一",
            "科目二",
            "科目三",
            "驾考",
            "driving licence",
            "driver's license",
            "vehicle registration",
        ),
        reason="机动车登记和驾驶证业务由设区的市公安机关交通管理部门车辆管理所办理",
        reason_en=(
            "vehicle registration and driving licences are handled by the vehicle administration office of the "
            "city's traffic police"
        ),
        source=(
            "《机动车登记规定》第二条、《机动车驾驶证申领和使用规定》第三条（直辖市、设区的市或者相当于同级的"
            "公安机关交通管理部门车辆管理所负责办理本行政区域内的业务）。"
        ),
    ),
)
