"""The demo cast: staff accounts for the national 12389 platform, Guangdong and its 21 cities.

Every demo account shares one documented password (``DEMO_PASSWORD``, also in docs/demo.md), so a
person trying the product can log in as any role. The cast is created through ``staff_create``
like any other account; it is data for a demonstration, never for a real deployment.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from xinfang.accounts.models import Role, User
from xinfang.accounts.services import staff_create
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Unit
from xinfang.orgs.services import department_for

DEMO_PASSWORD = "xinfang-demo-2026"  # noqa: S105 (published in docs/demo.md on purpose)
GUANGDONG_CODE = "440000"


@dataclass(frozen=True)
class DemoStaff:
    """One demo account: where it sits and what it may do."""

    username: str
    full_name: str
    unit_code: str
    roles: tuple[str, ...]
    superuser: bool = False


# The people a visitor is most likely to log in as; run_product prints them.
FEATURED_CAST: tuple[DemoStaff, ...] = (
    DemoStaff("mps-seat", "王芳", "MPS-discipline", (Role.SEAT_AGENT,)),
    DemoStaff("mps-acceptor", "张伟", "MPS-discipline", (Role.ACCEPTOR,)),
    DemoStaff("mps-inspector", "刘洋", "MPS-discipline", (Role.INSPECTOR,)),
    DemoStaff("gd-seat", "陈静", GUANGDONG_CODE, (Role.SEAT_AGENT,)),
    DemoStaff("gd-acceptor", "李明", GUANGDONG_CODE, (Role.ACCEPTOR,)),
    DemoStaff("gd-leader", "黄国栋", GUANGDONG_CODE, (Role.LEADER,)),
    DemoStaff("gd-inspector", "梁志强", f"{GUANGDONG_CODE}-{PoliceType.INSPECTION}", (Role.INSPECTOR,)),
    DemoStaff("gd-publisher", "林晓东", GUANGDONG_CODE, (Role.PUBLISHER,)),
    DemoStaff("gd-analyst", "周慧敏", GUANGDONG_CODE, (Role.ANALYST,)),
    DemoStaff("gd-admin", "吴建华", GUANGDONG_CODE, (Role.ADMINISTRATOR,), superuser=True),
    DemoStaff("tianhe-handler", "何嘉欣", "440106", (Role.HANDLER,)),
    DemoStaff("tianhe-leader", "罗振宇", "440106", (Role.LEADER,)),
)

# District branches that handle letters themselves. Cities without districts (Dongguan,
# Zhongshan) handle at the city bureau, whose handler is in the city cast.
COUNTY_CAST: tuple[DemoStaff, ...] = (
    DemoStaff("tianhe-handler-2", "郑俊杰", "440106", (Role.HANDLER,)),
    DemoStaff("yuexiu-handler", "邓婉婷", "440104", (Role.HANDLER,)),
    DemoStaff("yuexiu-leader", "曾永强", "440104", (Role.LEADER,)),
    DemoStaff("futian-handler", "钟丽华", "440304", (Role.HANDLER,)),
    DemoStaff("futian-handler-2", "冯家乐", "440304", (Role.HANDLER,)),
    DemoStaff("futian-leader", "谢少华", "440304", (Role.LEADER,)),
    DemoStaff("nanshan-handler", "蔡文静", "440305", (Role.HANDLER,)),
    DemoStaff("nanshan-leader", "彭锦涛", "440305", (Role.LEADER,)),
)

# Each city bureau gets one of each: (username suffix, role, department's police type or None).
CITY_POSTS: tuple[tuple[str, str, str | None], ...] = (
    ("acceptor", Role.ACCEPTOR, None),
    ("handler", Role.HANDLER, None),
    ("leader", Role.LEADER, None),
    ("inspector", Role.INSPECTOR, PoliceType.INSPECTION),
)

# City staff names are drawn from common surnames and given names. The two list lengths are
# coprime, so the i-th pick (surname i, given name 7i) repeats only after 31 × 41 people.
SURNAMES = "陈黄李林张梁刘吴王杨郑谢罗何许郭邱赖曾邓钟冯叶蔡苏卢彭潘朱徐杜"
GIVEN_NAMES = (
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "勇", "艳", "杰", "涛", "明", "超",
    "霞", "平", "刚", "秀英", "建华", "志强", "海燕", "晓东", "国栋", "文静", "俊杰", "嘉欣",
    "子豪", "伟明", "丽华", "少华", "锦涛", "振宇", "慧敏", "婉婷", "家乐", "永强", "淑贞",
    "泽鹏", "映红", "炳坤", "雪梅",
)  # fmt: skip


@dataclass(frozen=True)
class SeedResult:
    created: list[User]
    existing: list[str]


def staff_exists() -> bool:
    """True if any staff account exists (a seeded or a real deployment)."""
    return User.objects.filter(kind=User.Kind.STAFF).exists()


def guangdong_cities() -> list[Unit]:
    """The 21 prefecture-level city bureaus of Guangdong, by division code (none before the tree is loaded)."""
    guangdong = Unit.objects.filter(code=GUANGDONG_CODE).first()
    if guangdong is None:
        return []
    return list(
        Unit.objects.filter(
            path__startswith=guangdong.path, kind=UnitKind.BUREAU, level=UnitLevel.PREFECTURE, is_active=True
        ).order_by("code")
    )


def city_username_prefix(city: Unit) -> str:
    """``guangzhou`` for Guangzhou City: the English division name without its type word."""
    return slugify(city.division_name_en.rsplit(" ", 1)[0]) or city.code


def _city_names() -> Iterator[str]:
    """Names for city staff, skipping those already given to the fixed cast."""
    fixed = {p.full_name for p in (*FEATURED_CAST, *COUNTY_CAST)}
    for index in range(len(SURNAMES) * len(GIVEN_NAMES)):
        name = SURNAMES[index % len(SURNAMES)] + GIVEN_NAMES[(7 * index) % len(GIVEN_NAMES)]
        if name not in fixed:
            yield name


def city_cast(cities: list[Unit]) -> list[tuple[DemoStaff, Unit]]:
    """An acceptor, a handler, a leader and an inspector (in the inspection department) per city."""
    names = _city_names()
    cast: list[tuple[DemoStaff, Unit]] = []
    for city in cities:
        prefix = city_username_prefix(city)
        for suffix, role, police_type in CITY_POSTS:
            unit = department_for(city, police_type) if police_type else city
            cast.append((DemoStaff(f"{prefix}-{suffix}", next(names), unit.code, (role,)), unit))
    return cast


def demo_cast() -> list[tuple[DemoStaff, Unit]]:
    """Every demo account with its unit, in a stable order."""
    fixed = [*FEATURED_CAST, *COUNTY_CAST]
    units = {u.code: u for u in Unit.objects.filter(code__in={p.unit_code for p in fixed})}
    return [(p, units[p.unit_code]) for p in fixed] + city_cast(guangdong_cities())


def seed_staff() -> SeedResult:
    """Create every demo account whose username is free; existing usernames are left untouched."""
    cast = demo_cast()
    taken = set(User.objects.filter(username__in=[p.username for p, _ in cast]).values_list("username", flat=True))
    created = []
    password_hash = make_password(DEMO_PASSWORD)  # one hash shared by the whole cast: seconds, not a minute
    with transaction.atomic():
        for person, unit in cast:
            if person.username not in taken:
                created.append(_create(person, unit, password_hash))
    return SeedResult(created=created, existing=sorted(taken))


def _create(person: DemoStaff, unit: Unit, password_hash: str) -> User:
    user = staff_create(
        username=person.username,
        password_hash=password_hash,
        unit=unit,
        roles=person.roles,
        actor=None,
        full_name=person.full_name,
        language="zh-hans",
    )
    if person.superuser:
        # The demo administrator also gets Django's admin site, which checks these two flags.
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user
