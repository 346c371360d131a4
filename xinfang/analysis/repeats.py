"""The same matter again: each letter's signature, and the earlier letters that look like it.

A letter's *signature* (docs/analysis.md, "Repeat letters") has two parts:

- A MinHash (datasketch, :data:`NUM_PERM` permutations) of the character 2- and 3-grams of its
  folded text (``normalise.normalise``), with the formulae every letter has (尊敬的领导, 此致敬礼,
  再次反映, 补充…) taken out and every run of digits read as one ``#``: a re-sent letter with new
  figures, a new paragraph or its sentences reordered keeps most of its grams, a different matter
  written in the same formulae does not share them.
- Structured keys read from the text and the form fields: the writer, the accused unit, the
  officer's name and badge number, unit names (沙河派出所), plate numbers, amounts, the place.

The MinHash is cut into :data:`BANDS` bands of :data:`ROWS` values (LSH). Each band, and each
selective key (writer, badge, plate, officer name), is one row of :class:`SignatureKey` holding a
64-bit hash, indexed: a look-up is one indexed query ``key = ANY(…)`` grouped by letter, on
PostgreSQL and SQLite alike (docs/benchmarks.md). The candidates it finds are then scored from
their stored signatures (:func:`similarity`) and filtered through what the viewer may see.

Signatures are computed by the worker (``index_signatures``, every minute) and, for a letter
shown at the desk before the worker reached it, on the fly (:func:`signature_for`); never in intake.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from xinfang.analysis.identifying import PROVINCES
from xinfang.analysis.models import LetterSignature, SignatureKey
from xinfang.analysis.normalise import fold, normalise
from xinfang.analysis.suggest import BADGE, NAME_THEN_POST, POST_THEN_NAME, TITLES, _clean_name

if TYPE_CHECKING:
    from datasketch import MinHash

    from xinfang.accounts.models import User
    from xinfang.letters.models import Letter

# Bump when the way signatures are made changes: the worker then recomputes the older ones.
METHOD_VERSION = 1
NUM_PERM = 128
# 2 values a band, 64 bands: letters at Jaccard 0.15 share a band with p ≈ 0.77, and 89 % of the
# same-matter pairs share one by text; an unrelated letter shares one with p ≈ 0.0044. Bands are
# hashed with the letter's province (SCOPE), so a look-up reads the collisions of one province's
# letters, not the country's: over all letters, 4,400 index entries per look-up at 1,000,000
# letters and a p95 of 56 ms; 3 values a band (42 bands) read 12 times fewer but found only 41 %
# of the pairs by text (docs/benchmarks.md, docs/analysis.md).
ROWS = 2
BANDS = NUM_PERM // ROWS
SCOPE = "scope"  # keys[SCOPE]: the province (path of the mailbox owner's province) the bands are hashed with
SEED = 20261207

# Formulae of letters in general (greeting, closing, "again", "supplement"): not evidence of one matter.
FORMULAE = re.compile(
    r"尊敬的[\u4e00-\u9fff]{0,4}?(?:领导|同志|局长|负责人)|领导(?:们)?[您你]好|[您你]好|此致|敬礼|谢谢|感谢"
    r"|再次反映|再一次|再次|又一次|第[0-9一二三四五六七八九十]+次|重新反映|继续反映|重复反映|还是没有(?:人)?(?:处理|回复|答复)"
    r"|补充(?:材料|说明|反映|情况)?|上次(?:反映|投诉|举报|来信)|之前(?:反映|投诉|举报)|前次|上封信|上一封信"
    r"|我(?:要|想|再)?(?:实名)?(?:投诉|举报|反映)|特此(?:投诉|举报|反映)|请(?:领导|上级)?(?:尽快|务必|认真)?(?:调查|处理|核实|查处|回复)"
    r"|dear (?:sir|madam|officer)s?(?: or madam)?|to whom it may concern|i am writing(?: again)?(?: to)?|once again"
    r"|again|follow[- ]up|as i (?:wrote|reported|said) before|thank you|yours (?:sincerely|faithfully)|regards|please"
)
# Grams found in more than a few percent of letters of every kind (counted once on the labelled letters of
# tests/analysis/data, which carry no repeat labels): police words, not evidence of one matter.
COMMON_GRAMS = frozenset(
    """
一下 一个 一直 个人 个月 举报 了一 交警 人在 份证 公司 公安 出所 办理 区某 区某派 反映 可以 咨询 处理
大队 孩子 小区 尽快 已经 希望 帮我 建议 建议在 态度 怎么 我们 我在 我家 我的 户口 户籍 投诉 报案 报警
晚上 有人 某派 某派出 楼下 民警 没有 派出 派出所 现在 申请 的户 窗口 网上 被人 要求 警在 议在 证明
请求 请问 身份 身份证 门口 需要
abo ain ake all and ant any app are ark ast ate ati ave bee bou cam can car cer cke com con din ear
eed eek een eig elp enc ent eon epo ere ers ery ffi fic fin fir for fro ght han has hat hel her hin
his hou how ice ide igh ike ill ine ing int ion ire isa ith ive ked lai las lic lin men meo mis mpl
nce nea nig not now off oli ome omp one ore ork ort oul our out par ped per pla ply pol por ppe ppl
rec ree rep res riv rom sho sid sin som ssi sta tak ted ter tha the thi til tio tme tra tsi uld use
uts ver vis wan was wee whe who wit wor
""".split()  # noqa: SIM905
)
KEEP = re.compile(r"[0-9a-z\u4e00-\u9fff]+")
LATIN = re.compile(r"[a-z#0-9]")
DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")

UNIT_SUFFIXES = (
    "派出所|交警大队|交警中队|刑警大队|治安大队|巡警大队|特警大队|分局|公安局|看守所|拘留所|警务站|车管所|出入境"
)
UNIT_NAME = re.compile(rf"([\u4e00-\u9fff]{{2,4}})({UNIT_SUFFIXES})")
PLATE = re.compile(rf"[{PROVINCES}]\s?([a-z])\s?[·.\-]?\s?([0-9a-z]{{5,6}})(?![0-9a-z])")
AMOUNT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(万|千)?\s*(?:元|块|rmb|yuan)|(?:rmb|¥|￥)\s*([0-9]+(?:\.[0-9]+)?)")
ENGLISH_OFFICER = re.compile(r"\b(?:[Oo]fficer|[Cc]onstable|[Ss]ergeant|[Cc]aptain|[Ii]nspector)\s+([A-Z][a-z]+)\b")
ENGLISH_BADGE = re.compile(r"badge(?:\s+(?:number|no\.?|#))?\s*:?\s*([0-9]{5,7})")

# Which keys are retrieval rows (selective enough to index) and how much a shared one weighs.
WRITER, BADGE_KEY, PLATE_KEY, OFFICER, UNIT, AMOUNT_KEY, PLACE, ACCUSED = (
    "writer", "badge", "plate", "officer", "unit", "amount", "place", "accused",
)  # fmt: skip
KEY_WEIGHTS: dict[str, float] = {
    WRITER: 0.12,
    BADGE_KEY: 0.30,
    PLATE_KEY: 0.30,
    OFFICER: 0.12,
    UNIT: 0.04,
    ACCUSED: 0.04,
    AMOUNT_KEY: 0.10,
    PLACE: 0.02,
}
INDEXED_KINDS = (WRITER, BADGE_KEY, PLATE_KEY, OFFICER)
KIND_CODES = {kind: code for code, kind in enumerate((WRITER, BADGE_KEY, PLATE_KEY, OFFICER), start=1)}
BAND_KIND = 0

# A pair at or above this is "the same matter" (chosen on the development pairs: docs/analysis.md).
THRESHOLD = 0.16
# Look-up: at most this many letters are scored, the most keys shared first, a selective key counting
# as SELECTIVE_RANK bands: at 1,000,000 letters some 800 letters of a large province share one band
# with a new letter by chance, and the writer's earlier letter, which may share nothing else, must
# not be lost among them. 20 rather than 40: nearly the same expected F1 at that scale (0.781 against 0.782
# on the held-out pairs, `analysis_eval`) for a quarter less client time (docs/analysis.md).
SCORED = 20
SELECTIVE_RANK = 4
SHOWN = 5
MIN_PASSAGE = 6  # characters


BAND_PERSONS = tuple(f"b{band}".encode() for band in range(BANDS))


@dataclass(frozen=True)
class Signature:
    hashvalues: np.ndarray  # NUM_PERM unsigned 32-bit values
    shingles: int
    keys: dict[str, list[str]] = field(default_factory=dict)

    def bands(self) -> list[int]:
        values = self.hashvalues.astype("<u4").tobytes()
        scope = "".join(self.keys.get(SCOPE, ())).encode() + b"|"
        width = ROWS * 4
        return [
            _hash64_bytes(person, scope + values[band * width : (band + 1) * width])
            for band, person in enumerate(BAND_PERSONS)
        ]

    def index_rows(self) -> list[tuple[int, int]]:
        """``(kind, key)`` pairs to store: one per band, one per selective key (computed once: a
        look-up and the store both ask)."""
        return self._index_rows

    @functools.cached_property
    def _index_rows(self) -> list[tuple[int, int]]:
        rows = [(BAND_KIND, key) for key in self.bands()]
        for kind in INDEXED_KINDS:
            rows.extend(
                (KIND_CODES[kind], _hash64(kind, value.encode()))
                for value in self.keys.get(kind, ())
                if selective(kind, value)
            )
        return list(dict.fromkeys(rows))


def selective(kind: str, value: str) -> bool:
    """Whether a key narrows the letters enough to be looked up by: an officer's full name, not 张 or 张某."""
    return kind != OFFICER or (len(value) >= 2 and not value.endswith("某"))


def _hash64(kind: str, data: bytes) -> int:
    return _hash64_bytes(kind.encode()[:16], data)


def _hash64_bytes(person: bytes, data: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, person=person).digest(), "big", signed=True)


# ---------------------------------------------------------------- text → signature


def content(text: str) -> str:
    """The folded text without the formulae of letters, digits read as ``#``, punctuation dropped."""
    folded = FORMULAE.sub(" ", UNIT_NAME.sub(" ", normalise(text)))
    return " ".join(DIGITS.sub("#", run) for run in KEEP.findall(folded))


def shingles(text: str) -> set[str]:
    """The grams of :func:`content`, less :data:`COMMON_GRAMS`: character 2-grams of Chinese, 3-grams of
    Latin script (one run a word; two letters say nothing of an English text). A gram never spans
    two runs. Chinese 2-grams are words: a letter re-sent in other words keeps them, 3-grams less so
    (the 3-grams lost 0.03–0.06 of F1 on the development pairs)."""
    grams: set[str] = set()
    for run in content(text).split(" "):
        if LATIN.match(run):
            grams.update(run[i : i + 3] for i in range(len(run) - 2))
        else:
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams - COMMON_GRAMS


@functools.lru_cache(maxsize=1)
def _template() -> MinHash:
    # Imported here: datasketch brings SciPy (about a second), and this module is imported by the
    # console's template tags, which Django imports at the first page of every process.
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED)


def minhash(grams: Iterable[str]) -> np.ndarray:
    sketch = _template().copy()
    sketch.clear()
    sketch.update_batch([gram.encode() for gram in grams])
    return sketch.hashvalues.astype(np.uint32)


def text_keys(text: str) -> dict[str, list[str]]:
    """The structured keys the text itself names: officers, badge numbers, unit names, plates, amounts."""
    view = fold(text)
    lowered, digits = view.text, view.digits
    keys: dict[str, set[str]] = {BADGE_KEY: set(), OFFICER: set(), UNIT: set(), PLATE_KEY: set(), AMOUNT_KEY: set()}
    for found in BADGE.finditer(digits):
        keys[BADGE_KEY].add(re.sub(r"\s", "", found.group(1)))
    for found in ENGLISH_BADGE.finditer(lowered):
        keys[BADGE_KEY].add(found.group(1))
    for found in POST_THEN_NAME.finditer(lowered):
        keys[OFFICER].add(_officer(_clean_name(found.group(2))))
    for found in NAME_THEN_POST.finditer(lowered):
        keys[OFFICER].add(_officer(_clean_name(found.group(1))))
    for found in ENGLISH_OFFICER.finditer(text):
        keys[OFFICER].add(found.group(1).lower())
    for found in UNIT_NAME.finditer(lowered):  # 天河区沙河派出所 → 沙河派出所, 越秀区拘留所 → 越秀拘留所
        keys[UNIT].add(found.group(1).rstrip("省市区县镇")[-2:] + found.group(2))
    for found in PLATE.finditer(lowered):
        keys[PLATE_KEY].add(found.group(0)[0] + found.group(1) + found.group(2))
    for found in AMOUNT.finditer(digits):
        number, scale, bare = found.group(1), found.group(2), found.group(3)
        value = float(number or bare) * {"万": 10000, "千": 1000}.get(scale or "", 1)
        if value >= 10:
            keys[AMOUNT_KEY].add(f"{value:g}")
    keys[OFFICER].discard("")
    return {kind: sorted(values) for kind, values in keys.items() if values}


def _officer(name: str) -> str:
    """A name as a key: 张某某, 张某 and 张XX are all "张" plus an unknown given name, kept apart from 张伟."""
    name = re.sub(rf"(?:{TITLES}|民警|辅警|协警|交警)$", "", name)
    return re.sub(r"(某某|某|xx|\*\*)$", "某", name)


def sign_text(text: str, keys: dict[str, list[str]] | None = None) -> Signature:
    """The signature of a text alone (the pairs' evaluation); ``keys`` adds the form's keys."""
    grams = shingles(text)
    found = text_keys(text)
    for kind, values in (keys or {}).items():
        found[kind] = sorted(set(found.get(kind, [])) | set(values))
    return Signature(minhash(grams), len(grams), found)


def letter_field_keys(letter: Letter) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    if letter.citizen_id is not None:
        keys[WRITER] = [f"citizen:{letter.citizen_id}"]
    elif letter.anonymous_caller_id is not None:
        keys[WRITER] = [f"caller:{letter.anonymous_caller_id}"]
    if letter.accused_unit_id is not None:
        keys[ACCUSED] = [str(letter.accused_unit_id)]
    if letter.accused_badge_number.strip():
        keys[BADGE_KEY] = [re.sub(r"\s", "", normalise(letter.accused_badge_number))]
    if len(letter.accused_officer_name.strip()) >= 2:
        keys[OFFICER] = [_officer(normalise(letter.accused_officer_name.strip()))]
    if letter.division_code:
        keys[PLACE] = [letter.division_code]
    return keys


def scope_of(letter: Letter) -> str:
    """The province the letter's mailbox belongs to (a tree path; the Ministry's own for a national mailbox)."""
    from xinfang.orgs.models import Unit

    return str(letter.mailbox.owner.path[: Unit.steplen * 2])


def sign_letter(letter: Letter) -> Signature:
    return sign_text(f"{letter.subject}\n{letter.text}", {**letter_field_keys(letter), SCOPE: [scope_of(letter)]})


# ---------------------------------------------------------------- comparing two signatures


@dataclass(frozen=True)
class Comparison:
    score: float
    jaccard: float
    containment: float
    shared: dict[str, list[str]]


def similarity(a: Signature, b: Signature) -> Comparison:
    """How likely two letters are one matter: text overlap, plus the keys they share.

    The text part is the larger of the estimated Jaccard similarity of the two gram sets and
    their containment (the share of the shorter letter's grams found in the longer one, from the
    Jaccard estimate and the set sizes), so a short supplement of a long letter still counts.
    """
    return _compare(a, float(np.count_nonzero(a.hashvalues == b.hashvalues)) / NUM_PERM, b.shingles, b.keys)


def _compare(a: Signature, jaccard: float, shingles: int, keys: dict[str, list[str]]) -> Comparison:
    """:func:`similarity` of ``a`` and a letter of that estimated Jaccard similarity, gram count and keys."""
    small = min(a.shingles, shingles)
    common = jaccard / (1 + jaccard) * (a.shingles + shingles) if small else 0.0
    containment = min(1.0, common / small) if small else 0.0
    shared = {}
    for kind, values in a.keys.items():
        if kind in KEY_WEIGHTS and (common_values := set(values).intersection(keys.get(kind, ()))):
            shared[kind] = sorted(common_values)
    text = max(jaccard, 0.8 * containment)
    weight = sum(KEY_WEIGHTS[kind] for kind in shared)
    # A shared key is evidence only alongside some shared text (different matters share a station).
    score = text + min(weight, 0.4) * min(1.0, 4 * text)
    return Comparison(round(min(score, 1.0), 3), jaccard, containment, shared)


def same_matter(a: Signature, b: Signature) -> bool:
    return similarity(a, b).score >= THRESHOLD


# ---------------------------------------------------------------- storing


def _to_model(letter_id: int, signature: Signature) -> LetterSignature:
    return LetterSignature(
        letter_id=letter_id,
        version=METHOD_VERSION,
        minhash=signature.hashvalues.astype("<u4").tobytes(),
        shingles=signature.shingles,
        keys=signature.keys,
        computed_at=timezone.now(),
    )


def _from_model(row: LetterSignature) -> Signature:
    return Signature(np.frombuffer(bytes(row.minhash), dtype="<u4").astype(np.uint32), row.shingles, row.keys)


def signatures_store(letters: Sequence[Letter]) -> int:
    """Compute and store the signatures of ``letters`` (replacing older ones), with set-based inserts."""
    if not letters:
        return 0
    made = [(letter.pk, sign_letter(letter)) for letter in letters]
    ids = [pk for pk, _signature in made]
    with transaction.atomic():
        SignatureKey.objects.filter(letter_id__in=ids).delete()
        LetterSignature.objects.filter(letter_id__in=ids).delete()
        LetterSignature.objects.bulk_create([_to_model(pk, signature) for pk, signature in made])
        SignatureKey.objects.bulk_create(
            [
                SignatureKey(letter_id=pk, kind=kind, key=key)
                for pk, signature in made
                for kind, key in signature.index_rows()
            ],
            batch_size=2000,
        )
    return len(made)


def index_signatures(*, batch: int = 500, limit: int = 5000) -> dict[str, int]:
    """The worker's job: sign the letters that have no signature (or an older method's), oldest first."""
    from xinfang.letters.models import Letter

    signed = LetterSignature.objects.filter(version=METHOD_VERSION)  # an anti-join, not NOT IN (1M ids)
    done = 0
    while done < limit:
        pending = list(
            Letter.objects.filter(~Exists(signed.filter(letter_id=OuterRef("pk"))))
            .select_related("mailbox__owner")
            .only(
                "pk", "subject", "text", "citizen_id", "anonymous_caller_id", "accused_unit_id",
                "accused_badge_number", "accused_officer_name", "division_code", "mailbox__owner__path",
            )
            .order_by("pk")[:batch]
        )  # fmt: skip
        if not pending:
            break
        done += signatures_store(pending)
    return {"signed": done}


def signature_for(letter: Letter) -> Signature:
    """The stored signature, or (not indexed yet: the worker has not reached it) one computed now and stored."""
    row = LetterSignature.objects.filter(letter_id=letter.pk, version=METHOD_VERSION).first()
    if row is not None:
        return _from_model(row)
    with contextlib.suppress(IntegrityError):  # the worker stored it a moment ago
        signatures_store([letter])
    return sign_letter(letter)


# ---------------------------------------------------------------- look-up


@dataclass(frozen=True)
class Candidate:
    letter: Letter
    score: float
    shared: dict[str, list[str]]
    passages: list[str]
    same_writer: bool


def candidate_ids(signature: Signature, *, exclude: int | None = None, limit: int = SCORED) -> list[int]:
    """Letters sharing a band or a selective key with ``signature``, the most shared first (one indexed query)."""
    if (sharing := sharing_query(signature, exclude, limit)) is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*sharing)
        return [row[0] for row in cursor.fetchall()]


def sharing_query(signature: Signature, exclude: int | None, limit: int) -> tuple[str, list[Any]] | None:
    """The query for the letters sharing the most keys with ``signature`` and its parameters (None: no keys)."""
    rows = signature.index_rows()
    if not rows:
        return None
    keys = [key for _kind, key in rows]
    selective = [key for kind, key in rows if kind != BAND_KIND]
    sql = _sharing_sql(connection.vendor, len(keys), len(selective), exclude is not None)
    if connection.vendor == "postgresql":
        params: list[Any] = [_array(selective)] if selective else []
        params.append(_array(keys))
    else:
        params = [*selective, *keys]
    return sql, [*params, *([] if exclude is None else [exclude]), limit]


def _array(values: Sequence[int]) -> str:
    """A ``bigint[]`` literal: psycopg adapts a list element by element (a tenth of a millisecond for 65)."""
    return "{" + ",".join(map(str, values)) + "}"


@functools.lru_cache(maxsize=128)
def _sharing_sql(vendor: str, keys: int, selective: int, exclude: bool) -> str:
    """The letters sharing the most of the keys, a selective one counting as :data:`SELECTIVE_RANK`
    bands: on PostgreSQL ``key = ANY(array)`` (one parameter, planned in well under a millisecond;
    an ``IN`` list of 65 parameters took three times as long), elsewhere ``IN``. Either way an
    index range scan of ``signature_key_idx`` per key (``key`` is in the index: no table read)."""
    table = connection.ops.quote_name(SignatureKey._meta.db_table)
    if vendor == "postgresql":
        among, of = "key = ANY(%s::bigint[])", "key = ANY(%s::bigint[])"
    else:
        among, of = f"key IN ({', '.join(['%s'] * keys)})", f"key IN ({', '.join(['%s'] * selective)})"
    rank = f"sum(CASE WHEN {of} THEN {SELECTIVE_RANK} ELSE 1 END)" if selective else "count(*)"
    where = f"{among} AND letter_id <> %s" if exclude else among
    return (
        f"SELECT letter_id, {rank} AS shared FROM {table} WHERE {where} "  # noqa: S608  # nosec B608 (a model table, placeholders)
        "GROUP BY letter_id ORDER BY shared DESC, letter_id DESC LIMIT %s"
    )


@functools.lru_cache(maxsize=128)
def _lookup_sql(sharing: str) -> str:
    table = connection.ops.quote_name(LetterSignature._meta.db_table)
    return (
        f"SELECT s.letter_id, s.minhash, s.shingles, s.keys FROM {table} s "  # noqa: S608  # nosec B608 (a model table)
        f"JOIN ({sharing}) k ON k.letter_id = s.letter_id WHERE s.version = %s"
    )


def lookup(signature: Signature, *, exclude: int | None = None, limit: int = SCORED) -> list[tuple[int, Comparison]]:
    """The letters sharing the most keys with ``signature``, scored from their stored signatures, best
    first: one query (the indexed key look-up joined to the signatures it found)."""
    if (sharing := sharing_query(signature, exclude, limit)) is None:
        return []
    sql, params = sharing
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(sql), [*params, METHOD_VERSION])
        rows = cursor.fetchall()
    if not rows:
        return []
    # The Jaccard estimates of all candidates at once: one array comparison, not one per letter.
    minhashes = np.frombuffer(b"".join(bytes(row[1]) for row in rows), dtype="<u4").reshape(len(rows), NUM_PERM)
    jaccards = (np.count_nonzero(minhashes == signature.hashvalues, axis=1) / NUM_PERM).tolist()
    result = [
        (pk, _compare(signature, jaccard, shingles, json.loads(keys) if isinstance(keys, str) else keys))
        for (pk, _raw, shingles, keys), jaccard in zip(rows, jaccards, strict=True)
    ]
    return sorted(result, key=lambda pair: (-pair[1].score, -pair[0]))


def repeat_candidates(letter: Letter, user: User, *, limit: int = SHOWN) -> list[Candidate]:
    """Earlier letters that may be the same matter as ``letter``, best first, among those ``user`` may see.

    Earlier letters from the same writer are candidates whatever their text; others only when
    their score reaches :data:`THRESHOLD`."""
    from xinfang.letters.access import letters_visible_to

    found = lookup(signature_for(letter), exclude=letter.pk)
    if not found:
        return []
    ids = [pk for pk, _comparison in found]
    visible = letters_visible_to(user).filter(pk__in=ids, received_at__lte=letter.received_at).exclude(pk=letter.pk)
    letters = {other.pk: other for other in visible.select_related("mailbox")}
    chosen: list[Candidate] = []
    for pk, comparison in found:
        other = letters.get(pk)
        if other is None:  # not the viewer's to see, or later than this letter
            continue
        same_writer = WRITER in comparison.shared
        if comparison.score < THRESHOLD and not same_writer:
            continue
        chosen.append(Candidate(other, comparison.score, comparison.shared, passages(letter, other), same_writer))
        if len(chosen) == limit:
            break
    return chosen


def passages(letter: Letter, earlier: Letter, *, most: int = 3) -> list[str]:
    """The longest passages the two texts share, as the earlier letter words them."""
    new, old = fold(letter.text), fold(earlier.text)
    matcher = difflib.SequenceMatcher(None, new.text, old.text, autojunk=False)
    blocks = sorted(
        (block for block in matcher.get_matching_blocks() if block.size >= MIN_PASSAGE), key=lambda b: -b.size
    )
    found: list[str] = []
    for block in blocks:
        start, end = old.span(block.b, block.b + block.size)
        piece = earlier.text[start:end].strip()
        if len("".join(KEEP.findall(normalise(piece)))) >= MIN_PASSAGE - 1:
            found.append(piece)
        if len(found) == most:
            break
    return found
