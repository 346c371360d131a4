"""The exit-entry default named our tracker ("issue 20") as its source; an administrator who saved the
default unchanged (to switch it off, say) has that text in a row. Such rows get the new wording; a source
an administrator edited is left as it is."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OLD_SOURCE = (
    "《中华人民共和国出境入境管理法》第十二条、第十五条（县级以上地方人民政府公安机关出入境管理机构受理）；"
    "多数城市由市局出入境管理支队统一办理、区县只设受理窗口的做法（issue 20）。"
)
NEW_SOURCE = (
    "《中华人民共和国出境入境管理法》第十二条、第十五条（县级以上地方人民政府公安机关出入境管理机构受理）；"
    "多数城市的通行做法：市公安局出入境管理支队统一办理，区县只设受理窗口。"
)


def _replace(apps: Any, old: str, new: str) -> None:
    apps.get_model("routing", "CityLevelFunction").objects.filter(source=old).update(source=new)


def use_the_new_source(apps: Any, schema_editor: Any) -> None:
    _replace(apps, OLD_SOURCE, NEW_SOURCE)


def use_the_old_source(apps: Any, schema_editor: Any) -> None:
    _replace(apps, NEW_SOURCE, OLD_SOURCE)


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_city_level_function")]

    operations = [migrations.RunPython(use_the_new_source, use_the_old_source)]
