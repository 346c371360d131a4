"""Writes to the unit tree: loading the real divisions and the administrative changes of each year."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.errors import Refused
from xinfang.orgs import signals
from xinfang.orgs.choices import PoliceType, UnitKind, UnitLevel
from xinfang.orgs.models import Mailbox, Unit, UnitChange, default_channels
from xinfang.orgs.naming import MINISTRY_NAME, MINISTRY_NAME_EN, bureau_names, department_names
from xinfang.orgs.selectors import department_of
from xinfang.table_cache import tables_changed
from xinfang.vocabulary import Channel, LetterType

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "divisions.json"
MINISTRY_CODE = "MPS"

# Departments are created on load for the Ministry, provinces and prefectures (366 bureaus);
# county bureaus get theirs lazily through ``department_for`` when a letter or a user needs one.
EAGER_DEPARTMENT_LEVELS = {UnitLevel.MINISTRY, UnitLevel.PROVINCE, UnitLevel.PREFECTURE}


class UnitChangeError(Refused):
    """An administrative change that would break the tree; the message is for the administrator."""


@dataclass(frozen=True)
class LoadResult:
    created: int
    departments_created: int
    differing: list[str]


class _TreeBuilder:
    """Adds many children to a materialised-path tree in one ``bulk_create``.

    treebeard's ``add_child`` costs several queries per node (40 s for the whole country on
    SQLite); computing the paths here, with treebeard's own path function, takes about a second.
    """

    def __init__(self) -> None:
        self.pending: list[Unit] = []
        self.touched: dict[int, Unit] = {}

    def add(self, parent: Unit, **fields: object) -> Unit:
        parent.numchild += 1
        self.touched[id(parent)] = parent
        node = Unit(
            path=Unit._get_path(parent.path, parent.depth + 1, parent.numchild),
            depth=parent.depth + 1,
            numchild=0,
            **fields,
        )
        self.pending.append(node)
        return node

    def flush(self) -> None:
        Unit.objects.bulk_create(self.pending, batch_size=500)
        saved = [p for p in self.touched.values() if p.pk is not None]
        Unit.objects.bulk_update(saved, ["numchild"], batch_size=500)
        if self.pending or saved:
            tables_changed(Unit)
        self.pending, self.touched = [], {}


def load_units(*, path: Path = DIVISIONS_FILE) -> LoadResult:
    """Create the Ministry and every bureau of the divisions file that does not exist yet.

    Idempotent: a second run creates nothing. It never overwrites a unit an administrator
    renamed, merged or retired; differences from the file are reported instead.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    with transaction.atomic():
        existing = {u.code: u for u in Unit.objects.filter(kind=UnitKind.BUREAU)}
        created = 0
        if MINISTRY_CODE not in existing:
            existing[MINISTRY_CODE] = Unit.objects.add_root(
                {"code": MINISTRY_CODE, "name": MINISTRY_NAME, "name_en": MINISTRY_NAME_EN, "level": UnitLevel.MINISTRY}
            )
            created += 1
        divisions = {row["code"]: row for row in rows}
        differing = []
        builder = _TreeBuilder()
        for row in rows:  # the file lists every parent before its children
            unit = existing.get(row["code"])
            if unit is not None:
                if unit.division_name != row["name"]:
                    differing.append(f"{row['code']}: {unit.division_name} ≠ {row['name']}")
                continue
            parent_row = divisions.get(row["parent"])
            name, name_en = bureau_names(
                division_name=row["name"],
                division_name_en=row["name_en"],
                division_type=row["type"],
                level=row["level"],
                parent_division=(parent_row["name"], parent_row["name_en"]) if parent_row else None,
            )
            existing[row["code"]] = builder.add(
                existing[row["parent"] or MINISTRY_CODE],
                code=row["code"],
                name=name,
                name_en=name_en,
                level=row["level"],
                division_code=row["code"] if row["code"][:1].isdigit() else "",
                division_name=row["name"],
                division_name_en=row["name_en"],
                division_type=row["type"],
            )
            created += 1
        builder.flush()
        departments_created = _ensure_departments(
            Unit.objects.filter(kind=UnitKind.BUREAU, level__in=EAGER_DEPARTMENT_LEVELS, is_active=True)
        )
    return LoadResult(created=created, departments_created=departments_created, differing=differing)


def _ensure_departments(bureaus: Iterable[Unit]) -> int:
    have = set(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("bureau_of_department_id", "police_type"))
    builder = _TreeBuilder()
    for bureau in bureaus:
        for police_type in PoliceType.values:
            if (bureau.pk, police_type) not in have:
                builder.add(bureau, **_department_fields(bureau, police_type))
    created = len(builder.pending)
    builder.flush()
    return created


def _department_fields(bureau: Unit, police_type: str) -> dict[str, object]:
    name, name_en = department_names(
        bureau_name=bureau.name, bureau_name_en=bureau.name_en, level=bureau.level, police_type=police_type
    )
    return {
        "code": f"{bureau.code}-{police_type}",
        "name": name,
        "name_en": name_en,
        "level": bureau.level,
        "kind": UnitKind.DEPARTMENT,
        "police_type": police_type,
        "division_code": bureau.division_code,
        "division_name": bureau.division_name,
        "division_name_en": bureau.division_name_en,
        "division_type": bureau.division_type,
        "bureau_of_department": bureau,
    }


def _add_department(bureau: Unit, police_type: str) -> Unit:
    bureau.refresh_from_db(fields=["path", "numchild", "depth"])
    return Unit.objects.add_child(bureau, _department_fields(bureau, police_type))


def department_or_plan(bureau: Unit, police_type: str) -> Unit:
    """The police-type department of a bureau, or, if it has none yet, an unsaved plan of it (no
    primary key) with its name and bureau: what routing proposes without writing on a page view.
    The service that sends a letter there creates it (``department_for``)."""
    bureau = bureau.bureau
    return department_of(bureau, police_type) or Unit(**_department_fields(bureau, police_type))


def department_for(bureau: Unit, police_type: str) -> Unit:
    """The police-type department of a bureau, created the first time it is needed."""
    bureau = bureau.bureau
    found = department_of(bureau, police_type)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return _add_department(bureau, police_type)
    except IntegrityError:  # another request created it first
        return bureau.departments.get(police_type=police_type)


def unit_create(
    *, parent: Unit, code: str, name: str, name_en: str, division_code: str, actor: User, level: str | None = None
) -> Unit:
    """A new bureau (e.g. a county created this year) under ``parent``.

    The level is the one below the parent's, except under a municipality or the XPCC (no
    prefecture tier) where it is county; ``level`` may also say so for a province-direct county.
    """
    if parent.is_department:
        raise UnitChangeError(_("警种部门下不能新设公安机关。"))
    if not name.strip():
        raise UnitChangeError(_("名称不能为空。"))
    if Unit.objects.filter(code=code).exists():
        raise UnitChangeError(_("代码 %(code)s 已被使用。") % {"code": code})
    if (
        division_code
        and Unit.objects.filter(kind=UnitKind.BUREAU, division_code=division_code, is_active=True).exists()
    ):
        raise UnitChangeError(_("区划代码 %(code)s 已有在用的公安机关。") % {"code": division_code})
    order = [UnitLevel.MINISTRY, UnitLevel.PROVINCE, UnitLevel.PREFECTURE, UnitLevel.COUNTY]
    if parent.level == UnitLevel.COUNTY:
        raise UnitChangeError(_("县级公安机关下不能再设公安机关。"))
    child_level = order[order.index(UnitLevel(parent.level)) + 1]
    if parent.level == UnitLevel.PROVINCE and (parent.division_type == "直辖市" or parent.code == "XPCC"):
        child_level = UnitLevel.COUNTY
    if level is not None:
        if level not in order or order.index(UnitLevel(level)) <= order.index(UnitLevel(parent.level)):
            raise UnitChangeError(_("新设单位的层级必须低于上级单位。"))
        child_level = UnitLevel(level)
    with transaction.atomic():
        parent.refresh_from_db(fields=["path", "numchild", "depth"])
        unit = Unit.objects.add_child(
            parent,
            {"code": code, "name": name, "name_en": name_en, "level": child_level, "division_code": division_code},
        )
        UnitChange.objects.create(unit=unit, kind=UnitChange.Kind.CREATED, new_name=name, actor=actor)
    return unit


def unit_rename(*, unit: Unit, name: str, name_en: str, actor: User, reason: str = "") -> Unit:
    """Rename a unit; the old name stays in its change history."""
    if not name.strip():
        raise UnitChangeError(_("名称不能为空。"))
    with transaction.atomic():
        UnitChange.objects.create(
            unit=unit, kind=UnitChange.Kind.RENAMED, old_name=unit.name, new_name=name, actor=actor, reason=reason
        )
        unit.name, unit.name_en = name, name_en
        unit.save(update_fields=["name", "name_en"])
    return unit


def unit_merge(*, source: Unit, target: Unit, actor: User, reason: str) -> Unit:
    """Merge ``source`` (a bureau) into ``target``.

    1. Refuse merging a unit into itself, into a department, or into a unit under it.
    2. Retire the source and its departments, pointing each at its counterpart in the target.
    3. Hand every open letter of the source (or its departments) to the counterpart, with a
       timeline event on each letter, so nothing open is left with a retired unit.
    """
    if source.pk == target.pk or target.is_within(source):
        raise UnitChangeError(_("不能并入自身或其下级单位。"))
    if not source.is_active:
        raise UnitChangeError(_("该单位已撤销或已合并。"))
    if source.is_department or target.is_department:
        raise UnitChangeError(_("只能合并公安机关，警种部门随之合并。"))
    if not target.is_active:
        raise UnitChangeError(_("不能并入已撤销的单位。"))
    if (
        Unit.objects.filter(path__startswith=source.path, kind=UnitKind.BUREAU, is_active=True)
        .exclude(pk=source.pk)
        .exists()
    ):
        raise UnitChangeError(_("请先处理该单位下属的公安机关。"))
    with transaction.atomic():
        now = timezone.now()
        mapping = {source.pk: target}
        for department in source.departments.all():
            mapping[department.pk] = department_for(target, department.police_type)
        for old_id, new in mapping.items():
            Unit.objects.filter(pk=old_id).update(is_active=False, retired_at=now, merged_into=new)
        UnitChange.objects.create(
            unit=source,
            kind=UnitChange.Kind.MERGED,
            old_name=source.name,
            new_name=target.name,
            target=target,
            actor=actor,
            reason=reason,
        )
        signals.unit_merged.send(sender=Unit, mapping=mapping, actor=actor, reason=reason)
        # The merged unit's mailboxes close; the target's own mailbox takes letters from now on.
        Mailbox.objects.filter(owner_id__in=list(mapping)).update(is_active=False)
        tables_changed(Unit, Mailbox)
    source.refresh_from_db()
    return source


def unit_retire(*, unit: Unit, actor: User, reason: str) -> Unit:
    """Retire a unit that has nothing open left (otherwise it must be merged)."""
    for _receiver, refusal in signals.unit_retiring.send(sender=Unit, unit=unit):
        if refusal:
            raise UnitChangeError(refusal)
    if (
        Unit.objects.filter(path__startswith=unit.path, is_active=True, kind=UnitKind.BUREAU)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise UnitChangeError(_("请先处理该单位下属的公安机关。"))
    if Mailbox.objects.filter(owner__path__startswith=unit.path, is_active=True).exists():
        raise UnitChangeError(_("该单位仍有开通的信箱，请先关闭信箱。"))
    with transaction.atomic():
        now = timezone.now()
        Unit.objects.filter(path__startswith=unit.path).update(is_active=False, retired_at=now)
        tables_changed(Unit)
        UnitChange.objects.create(
            unit=unit, kind=UnitChange.Kind.RETIRED, old_name=unit.name, actor=actor, reason=reason
        )
    unit.refresh_from_db()
    return unit


# Standard two-letter abbreviations of the provincial divisions (GB/T 2260 roman letters), used
# as mailbox tracking-number prefixes; cities add the two digits of their prefecture code.
PROVINCE_ABBR = {
    "11": "BJ", "12": "TJ", "13": "HE", "14": "SX", "15": "NM", "21": "LN", "22": "JL", "23": "HL",
    "31": "SH", "32": "JS", "33": "ZJ", "34": "AH", "35": "FJ", "36": "JX", "37": "SD", "41": "HA",
    "42": "HB", "43": "HN", "44": "GD", "45": "GX", "46": "HI", "50": "CQ", "51": "SC", "52": "GZ",
    "53": "YN", "54": "XZ", "61": "SN", "62": "GS", "63": "QH", "64": "NX", "65": "XJ",
}  # fmt: skip
XPCC_ABBR = "BT"
NATIONAL_SLUG = "12389"


def ensure_default_mailboxes() -> int:
    """The national 12389 platform and a Director's Mailbox for every provincial organ and city bureau.

    Idempotent: existing mailboxes (found by owner) are left as administrators set them.
    """
    owned = set(Mailbox.objects.values_list("owner_id", flat=True))
    new: list[Mailbox] = []
    ministry = Unit.objects.get(code=MINISTRY_CODE)
    discipline = department_for(ministry, PoliceType.DISCIPLINE)
    if discipline.pk not in owned:
        new.append(
            Mailbox(
                slug=NATIONAL_SLUG,
                name="12389 公安机关和人民警察违法违纪举报平台",
                name_en="12389 Reporting Platform for Violations by Public Security Organs and Police",
                owner=discipline,
                tracking_prefix="12389",
                is_national=True,
                allows_anonymous_phone=True,
                channels=[c.value for c in Channel],
                letter_types=[LetterType.COMPLAINT, LetterType.REPORT, LetterType.INQUIRY],
            )
        )
    bureaus = Unit.objects.filter(
        kind=UnitKind.BUREAU, level__in=[UnitLevel.PROVINCE, UnitLevel.PREFECTURE], is_active=True
    ).exclude(pk__in=owned)
    slugs = set(Mailbox.objects.values_list("slug", flat=True))
    for bureau in bureaus:
        abbr = XPCC_ABBR if bureau.code == "XPCC" else PROVINCE_ABBR[bureau.division_code[:2]]
        is_province = bureau.level == UnitLevel.PROVINCE
        prefix = abbr if is_province else f"{abbr}{bureau.division_code[2:4]}"
        slug = abbr.lower() if is_province else f"{abbr.lower()}-{slugify(bureau.division_name_en.rsplit(' ', 1)[0])}"
        if slug in slugs:
            slug = f"{abbr.lower()}-{bureau.division_code}"
        slugs.add(slug)
        new.append(
            Mailbox(
                slug=slug,
                name=f"{bureau.name}{'厅长' if bureau.name.endswith('厅') else '局长'}信箱",
                name_en=f"Director's Mailbox, {bureau.name_en}",
                owner=bureau,
                tracking_prefix=prefix,
                # Provincial organs answer the 12389 line's calls for their province (SPEC §1): their
                # seats register calls, anonymous reports included, into the provincial mailbox.
                channels=[*default_channels(), Channel.TELEPHONE] if is_province else default_channels(),
                allows_anonymous_phone=is_province,
            )
        )
    Mailbox.objects.bulk_create(new)
    tables_changed(Mailbox)
    return len(new)
