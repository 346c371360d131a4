"""Writes to the unit tree: loading the real divisions and the administrative changes of each year."""

from __future__ import annotations

import csv
import io
import json
import re
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
from xinfang.orgs.selectors import bureau_above, department_of
from xinfang.table_cache import tables_changed
from xinfang.vocabulary import Channel, LetterType

DIVISIONS_FILE = Path(__file__).resolve().parent / "data" / "divisions.json"
# The town- and street-level sub-bureaus of the four cities without counties (scripts/derive_towns.py).
TOWNS_FILE = Path(__file__).resolve().parent / "data" / "towns.json"
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


def load_units(*, path: Path = DIVISIONS_FILE, towns_path: Path | None = TOWNS_FILE) -> LoadResult:
    """Create the Ministry and every bureau of the divisions file that does not exist yet, then the
    town and street sub-bureaus of the towns file under their cities.

    Idempotent: a second run creates nothing. It never overwrites a unit an administrator
    renamed, merged or retired; differences from the files are reported instead.
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    towns = json.loads(towns_path.read_text(encoding="utf-8")) if towns_path is not None else []
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
        created += _add_towns(towns, existing, builder, differing)
        builder.flush()
        departments_created = _ensure_departments(
            Unit.objects.filter(kind=UnitKind.BUREAU, level__in=EAGER_DEPARTMENT_LEVELS, is_active=True)
        )
    return LoadResult(created=created, departments_created=departments_created, differing=differing)


def _add_towns(
    rows: list[dict[str, str]], existing: dict[str, Unit], builder: _TreeBuilder, differing: list[str]
) -> int:
    """The sub-bureaus of the towns file, each a county-level bureau under its (active) city bureau."""
    created = 0
    for row in rows:
        unit = existing.get(row["code"])
        if unit is not None:
            if unit.division_name != row["name"]:
                differing.append(f"{row['code']}: {unit.division_name} ≠ {row['name']}")
            continue
        city = existing.get(row["parent"])
        if city is None or not city.is_active:
            continue
        existing[row["code"]] = builder.add(
            city,
            code=row["code"],
            name=row["bureau"],
            name_en=row["bureau_en"],
            level=UnitLevel.COUNTY,
            division_code=row["code"],
            division_name=row["name"],
            division_name_en=row["name_en"],
            division_type=row["type"],
        )
        created += 1
    return created


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


def _organ(unit: Unit) -> Unit:
    """The bureau whose departments serve ``unit``: its own bureau, or a station's county-level bureau."""
    return bureau_above(unit, 1) if unit.is_station else unit.bureau


def department_or_plan(bureau: Unit, police_type: str) -> Unit:
    """The police-type department of a bureau, or, if it has none yet, an unsaved plan of it (no
    primary key) with its name and bureau: what routing proposes without writing on a page view.
    The service that sends a letter there creates it (``department_for``)."""
    bureau = _organ(bureau)
    return department_of(bureau, police_type) or Unit(**_department_fields(bureau, police_type))


def department_for(bureau: Unit, police_type: str) -> Unit:
    """The police-type department of a bureau, created the first time it is needed."""
    bureau = _organ(bureau)
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
    if source.is_station != target.is_station:
        raise UnitChangeError(_("派出所只能并入派出所。"))
    if (
        Unit.objects.filter(path__startswith=source.path, kind=UnitKind.STATION, is_active=True)
        .exclude(pk=source.pk)
        .exists()
    ):
        raise UnitChangeError(_("请先处理该单位下属的派出所。"))
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


# ---------------------------------------------------------------- police stations (派出所)

STATION_COLUMNS = ("bureau", "name", "name_en", "code")
MAX_STATION_ROWS = 5000
STATION_CODE = re.compile(r"[A-Za-z0-9]{1,40}")


class StationImportError(UnitChangeError):
    """A CSV file of stations with errors; ``errors`` holds (line, message) and nothing was imported."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        super().__init__(_("文件中有 %(count)d 处错误，未导入任何派出所。") % {"count": len(errors)})


@dataclass(frozen=True)
class StationPlan:
    """One validated station, not yet written."""

    bureau: Unit
    name: str
    name_en: str
    code: str


def station_create(*, bureau: Unit, name: str, actor: User | None, name_en: str = "", code: str = "") -> Unit:
    """A police station under a county-level bureau (the admin's form): checked like one CSV row."""
    plan = _station_plan(bureau, name, name_en, code, taken=_StationsTaken())
    return _stations_write([plan], actor=actor)[0]


def stations_import(*, text: str, actor: User | None, within: Unit | None = None) -> list[Unit]:
    """Police stations from a CSV file (columns ``bureau,name[,name_en][,code]``), all or none.

    1. Read the header and every row; ``bureau`` is an active county-level bureau's code (440106,
       441900119) or its full name, inside ``within`` when given.
    2. Check every row as ``station_create`` would, and against the rows before it in the file.
    3. Any error: raise ``StationImportError`` with each line's message; nothing is written.
    4. Otherwise create them all in one transaction, each with its ``UnitChange`` row.
    """
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [column.strip() for column in reader.fieldnames or [] if column.strip()]
    if "bureau" not in header or "name" not in header or set(header) - set(STATION_COLUMNS):
        columns = ",".join(STATION_COLUMNS)
        raise StationImportError([(1, _("表头应为 %(columns)s（name_en 和 code 可省略）。") % {"columns": columns})])
    bureaus = _county_bureaus(within)
    taken = _StationsTaken()
    plans: list[StationPlan] = []
    errors: list[tuple[int, str]] = []
    for record in reader:
        line = reader.line_num
        if len(plans) + len(errors) >= MAX_STATION_ROWS:
            errors.append((line, _("一次最多导入 %(count)d 行。") % {"count": MAX_STATION_ROWS}))
            break
        row = {key.strip(): (value or "").strip() for key, value in record.items() if key is not None}
        if record.get(None):
            errors.append((line, _("这一行的列数比表头多。")))
            continue
        try:
            bureau = _bureau_named(row.get("bureau", ""), bureaus)
            plans.append(
                _station_plan(bureau, row.get("name", ""), row.get("name_en", ""), row.get("code", ""), taken=taken)
            )
        except UnitChangeError as error:
            errors.append((line, str(error)))
    if errors:
        raise StationImportError(errors)
    if not plans:
        raise StationImportError([(1, _("文件中没有派出所。"))])
    return _stations_write(plans, actor=actor)


class _StationsTaken:
    """Codes and (bureau, name) pairs in use, in the database or earlier in the same file."""

    def __init__(self) -> None:
        self.codes: set[str] = set()
        self.names: set[tuple[int, str]] = set()

    def code_taken(self, code: str) -> bool:
        return code in self.codes or Unit.objects.filter(code=code).exists()

    def name_taken(self, bureau: Unit, name: str) -> bool:
        stations = Unit.objects.filter(path__startswith=bureau.path, kind=UnitKind.STATION, is_active=True)
        return (bureau.pk, name) in self.names or stations.filter(name=name).exists()


def _county_bureaus(within: Unit | None) -> dict[str, list[Unit]]:
    """Active county-level bureaus by code and by full name (a name may belong to several)."""
    found: dict[str, list[Unit]] = {}
    bureaus = Unit.objects.filter(kind=UnitKind.BUREAU, level=UnitLevel.COUNTY, is_active=True)
    if within is not None:
        bureaus = bureaus.filter(path__startswith=within.path)
    for bureau in bureaus:
        found.setdefault(bureau.code, []).append(bureau)
        if bureau.name != bureau.code:
            found.setdefault(bureau.name, []).append(bureau)
    return found


def _bureau_named(value: str, bureaus: dict[str, list[Unit]]) -> Unit:
    matches = bureaus.get(value, [])
    if not value:
        raise UnitChangeError(_("缺少所属公安机关。"))
    if not matches:
        raise UnitChangeError(_("“%(bureau)s”不是在用的县级公安机关（填代码或全称）。") % {"bureau": value[:60]})
    if len(matches) > 1:
        raise UnitChangeError(_("“%(bureau)s”有同名的公安机关，请填代码。") % {"bureau": value[:60]})
    return matches[0]


def _station_plan(bureau: Unit, name: str, name_en: str, code: str, *, taken: _StationsTaken) -> StationPlan:
    """Check one station; the name is completed with its bureau's (石牌派出所 → 广州市公安局天河区分局石牌派出所)."""
    if bureau.kind != UnitKind.BUREAU or bureau.level != UnitLevel.COUNTY or not bureau.is_active:
        raise UnitChangeError(_("派出所只能设在在用的县级公安机关下。"))
    name, name_en, code = name.strip(), name_en.strip(), code.strip()
    full = name if name.startswith(bureau.name) else f"{bureau.name}{name}"
    if not name or full == bureau.name:
        raise UnitChangeError(_("缺少派出所名称。"))
    if len(full) > Unit._meta.get_field("name").max_length:
        raise UnitChangeError(_("派出所名称太长。"))
    if name_en and bureau.name_en and not name_en.endswith(bureau.name_en):
        name_en = f"{name_en}, {bureau.name_en}"
    if len(name_en) > Unit._meta.get_field("name_en").max_length:
        raise UnitChangeError(_("英文名称太长。"))
    if taken.name_taken(bureau, full):
        raise UnitChangeError(_("%(bureau)s下已有%(name)s。") % {"bureau": bureau.name, "name": full})
    if code and not STATION_CODE.fullmatch(code):
        raise UnitChangeError(_("代码只能由字母和数字组成，最多 40 位。"))
    if code and taken.code_taken(code):
        raise UnitChangeError(_("代码 %(code)s 已被使用。") % {"code": code})
    code = code or _next_station_code(bureau, taken)
    taken.codes.add(code)
    taken.names.add((bureau.pk, full))
    return StationPlan(bureau=bureau, name=full, name_en=name_en, code=code)


def _next_station_code(bureau: Unit, taken: _StationsTaken) -> str:
    number = Unit.objects.filter(path__startswith=bureau.path, kind=UnitKind.STATION).count() + 1
    while taken.code_taken(f"{bureau.code}PS{number:03d}"):
        number += 1
    return f"{bureau.code}PS{number:03d}"


def _stations_write(plans: list[StationPlan], *, actor: User | None) -> list[Unit]:
    """Add the stations under their bureaus in one ``bulk_create``, with a ``UnitChange`` row each."""
    try:
        with transaction.atomic():
            fresh = Unit.objects.select_for_update().in_bulk([plan.bureau.pk for plan in plans])
            builder = _TreeBuilder()
            for plan in plans:
                bureau = fresh[plan.bureau.pk]
                builder.add(bureau, code=plan.code, name=plan.name, name_en=plan.name_en, **_station_fields(bureau))
            builder.flush()
            stations = Unit.objects.in_bulk([plan.code for plan in plans], field_name="code")
            UnitChange.objects.bulk_create(
                UnitChange(unit=stations[plan.code], kind=UnitChange.Kind.CREATED, new_name=plan.name, actor=actor)
                for plan in plans
            )
    except IntegrityError as error:  # the tree changed under the same bureau meanwhile
        raise UnitChangeError(_("单位树刚被修改，请重新导入。")) from error
    return [stations[plan.code] for plan in plans]


def _station_fields(bureau: Unit) -> dict[str, object]:
    return {
        "level": bureau.level,
        "kind": UnitKind.STATION,
        "division_code": bureau.division_code,
        "division_name": bureau.division_name,
        "division_name_en": bureau.division_name_en,
        "division_type": bureau.division_type,
    }


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
