"""Hypothesis strategies over the real unit tree, shared by the routing and access property tests."""

from __future__ import annotations

from functools import cache

from django.db.models import QuerySet
from hypothesis import strategies as st

from xinfang.orgs.choices import PoliceType, UnitKind
from xinfang.orgs.models import Mailbox, Unit


@cache
def bureau_codes() -> list[str]:
    return list(Unit.objects.filter(kind=UnitKind.BUREAU).order_by("path").values_list("code", flat=True))


@cache
def division_codes() -> list[str]:
    return [code for code in bureau_codes() if code.isdigit()]


@cache
def mailbox_slugs() -> list[str]:
    return list(Mailbox.objects.order_by("slug").values_list("slug", flat=True))


def places() -> st.SearchStrategy[str]:
    known = st.sampled_from(division_codes())
    return st.one_of(st.just(""), known, known.map(lambda code: f"{code}101"), st.just("659099"))


def accused_units() -> st.SearchStrategy[str]:
    """A bureau code, or one of its departments (``440106-traffic``)."""
    department = st.sampled_from(["", *PoliceType.values])
    return st.tuples(st.sampled_from(bureau_codes()), department).map(lambda t: f"{t[0]}-{t[1]}" if t[1] else t[0])


def units_under(unit: Unit, *, include_self: bool = True) -> QuerySet[Unit]:
    """Every unit in the subtree of ``unit`` (one indexed prefix query)."""
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)
