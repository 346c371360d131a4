"""Enumerations of the organisation tree."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitLevel(models.TextChoices):
    MINISTRY = "ministry", _("部级")
    PROVINCE = "province", _("省级")
    PREFECTURE = "prefecture", _("地市级")
    COUNTY = "county", _("县级")


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("公安机关")
    DEPARTMENT = "department", _("警种部门")
    # A police station (派出所) under its county-level bureau: a unit of its own that letters can be
    # sent to, inside its bureau for recusal (``orgs.recusal``). Added by administrators (admin, CSV).
    STATION = "station", _("派出所")


class PoliceType(models.TextChoices):
    """Police-type departments (警种) that every bureau has (SPEC §2)."""

    PUBLIC_ORDER = "public_order", _("治安")
    CRIMINAL = "criminal", _("刑侦")
    TRAFFIC = "traffic", _("交通管理")
    EXIT_ENTRY = "exit_entry", _("出入境管理")
    HOUSEHOLD = "household", _("户政")
    CYBER = "cyber", _("网络安全保卫")
    ECONOMIC = "economic", _("经济犯罪侦查")
    NARCOTICS = "narcotics", _("禁毒")
    DETENTION = "detention", _("监所管理")
    LEGAL = "legal", _("法制")
    INSPECTION = "inspection", _("督察")
    DISCIPLINE = "discipline", _("纪检监察")
    PETITION = "petition", _("信访")


# Departments that may receive a report against another unit (SPEC §5, recusal).
OVERSIGHT_POLICE_TYPES = (PoliceType.INSPECTION, PoliceType.DISCIPLINE)

# English name parts for each police type, used to compose department names.
POLICE_TYPE_NAME_EN = {
    PoliceType.PUBLIC_ORDER: "Public Order Division",
    PoliceType.CRIMINAL: "Criminal Investigation Division",
    PoliceType.TRAFFIC: "Traffic Management Division",
    PoliceType.EXIT_ENTRY: "Exit-Entry Administration Division",
    PoliceType.HOUSEHOLD: "Household Registration Division",
    PoliceType.CYBER: "Cyber Security Division",
    PoliceType.ECONOMIC: "Economic Crime Investigation Division",
    PoliceType.NARCOTICS: "Narcotics Control Division",
    PoliceType.DETENTION: "Detention Management Division",
    PoliceType.LEGAL: "Legal Affairs Division",
    PoliceType.INSPECTION: "Police Inspection Division",
    PoliceType.DISCIPLINE: "Discipline Inspection and Supervision Division",
    PoliceType.PETITION: "Letters and Visits Division",
}

# Chinese suffix of a police-type department by the level of its bureau: 局 in the Ministry,
# 总队 in a provincial organ, 支队 in a city bureau, 大队 in a county bureau.
DEPARTMENT_SUFFIX_ZH = {
    UnitLevel.MINISTRY: "局",
    UnitLevel.PROVINCE: "总队",
    UnitLevel.PREFECTURE: "支队",
    UnitLevel.COUNTY: "大队",
}
