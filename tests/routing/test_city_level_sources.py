"""The sources of the functions run at city level read as sources to an administrator (issue 20 §3): a law
or a practice, never our tracker's issue number."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from xinfang.orgs.choices import PoliceType
from xinfang.routing.defaults import CITY_FUNCTIONS, CityFunction
from xinfang.routing.models import CityLevelFunction

TRACKER = re.compile(r"issue|#\d", re.IGNORECASE)
migration = importlib.import_module("xinfang.routing.migrations.0003_citylevelfunction_source_without_issue_number")


@pytest.mark.parametrize("function", CITY_FUNCTIONS, ids=lambda function: function.key)
def test_a_default_names_its_source_not_an_issue_number(function: CityFunction) -> None:
    assert function.source and not TRACKER.search(function.source), function.source


@pytest.mark.django_db
def test_rows_saved_with_the_old_default_source_get_the_new_one_and_edited_rows_are_kept() -> None:
    copied = CityLevelFunction.objects.create(
        key="exit_entry", police_type=PoliceType.EXIT_ENTRY, is_active=False, reason="本市区县自办",
        source=migration.OLD_SOURCE,
    )  # fmt: skip
    edited = CityLevelFunction.objects.create(
        key="exit_entry_shenzhen", police_type=PoliceType.EXIT_ENTRY, reason="市局统一办理",
        source=migration.OLD_SOURCE + "另见市局文件。",
    )  # fmt: skip

    migration.use_the_new_source(apps, None)

    copied.refresh_from_db()
    edited.refresh_from_db()
    assert copied.source == migration.NEW_SOURCE == CITY_FUNCTIONS[0].source
    assert edited.source == migration.OLD_SOURCE + "另见市局文件。"
    migration.use_the_old_source(apps, None)
    copied.refresh_from_db()
    assert copied.source == migration.OLD_SOURCE
