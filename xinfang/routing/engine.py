"""The routing decision (SPEC §5): 属地管理、分级负责，谁主管谁负责.

``propose`` reads a plain ``RoutingRequest`` (not a letter) and returns a ``Proposal``: the unit
that should handle the letter, every reason in order, and the subtree that recusal forbids, so that
an acceptor who picks another unit can be checked with ``Proposal.allows``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xinfang.orgs import recusal
from xinfang.orgs.choices import OVERSIGHT_POLICE_TYPES, PoliceType, UnitLevel
from xinfang.orgs.models import Mailbox, Unit
from xinfang.orgs.selectors import bureau_above, province_of, unit_by_id
from xinfang.orgs.services import department_or_plan
from xinfang.routing.models import RoutingRule, reachable
from xinfang.routing.selectors import Place, city_function_for, current_unit, matching_rules, place_of
from xinfang.vocabulary import ACCUSATION_TYPES, LetterType

PROVINCE_DEPTH = 2
# The four municipalities: their districts' parent is a province-level bureau that works as their city bureau.
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})


class Routable(Protocol):
    """What routing reads of a letter (``letters.models.Letter`` has it): routing never imports letters."""

    mailbox: Mailbox
    intake_unit: Unit
    handling_unit: Unit | None
    letter_type: str
    division_code: str
    police_type: str
    accused_unit: Unit | None
    accuses_leadership: bool
    subject: str
    text: str


@dataclass(frozen=True)
class Reason:
    """One line of the explanation: a stable ``code``, a lazy sentence and its values.

    ``text`` renders in the active language each time it is read, so one proposal can be stored
    in both languages without routing twice.
    """

    code: str
    template: Promise | str
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.template) % {name: str(value) for name, value in self.values.items()}


@dataclass(frozen=True)
class Bilingual:
    """Administrators' data in Chinese and English, read in the language active when shown."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if self.en and (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class DivisionName:
    """A unit's division name, read in the language active when the reason is rendered."""

    unit: Unit

    def __str__(self) -> str:
        return self.unit.division_display


@dataclass(frozen=True, kw_only=True)
class RoutingRequest:
    """What routing needs to know about a letter."""

    mailbox: Mailbox
    letter_type: str
    division_code: str = ""
    police_type: str = ""
    accused_unit: Unit | None = None
    accuses_leadership: bool = False
    text: str = ""  # the letter's subject and text: the words that place a function at city level

    def __post_init__(self) -> None:
        if self.letter_type not in LetterType.values:
            raise ValueError(f"unknown letter type {self.letter_type!r}")
        if self.police_type and self.police_type not in PoliceType.values:
            raise ValueError(f"unknown police type {self.police_type!r}")


@dataclass(frozen=True)
class Proposal:
    """The proposed unit, why, and what recusal forbids.

    ``accused`` is the unit the letter accuses (None: no accusation); ``orgs.recusal`` says which
    units it keeps out (``recusal_floor``: the accused bureau and everything under it, but for
    the Ministry's own oversight department when the Ministry is accused).
    """

    unit: Unit
    reasons: tuple[Reason, ...]
    accused: Unit | None = None

    @property
    def recusal_floor(self) -> Unit | None:
        return recusal.recusal_floor(self.accused) if self.accused is not None else None

    def allows(self, unit: Unit) -> bool:
        """Whether an acceptor may send the letter to ``unit`` instead of the proposal."""
        return not recusal.recused(unit, self.accused)

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(reason.code for reason in self.reasons)

    @property
    def explanation(self) -> str:
        return "\n".join(reason.text for reason in self.reasons)


def propose(request: RoutingRequest) -> Proposal:
    """Propose the unit that should handle a letter, with every reason.

    1. Territorial (属地管理): the bureau whose jurisdiction holds the place, never outside the
       mailbox owner's jurisdiction; the national 12389 platform reaches every province but only
       down to the provincial organ.
    2. Police type (警种): the matching department of that bureau.
    3. Administrator rules: the first active matching rule that the mailbox can reach replaces 1–2.
    4. Recusal and graded responsibility (回避、分级负责), last so that no rule can override them:
       an accusation goes to the inspection (complaints) or discipline (reports) department one
       level above the accused bureau, two levels for its leadership.

    It writes nothing: a county department that does not exist yet is proposed as an unsaved plan
    (``orgs.services.department_or_plan``), created by the service that sends the letter there.
    """
    reasons: list[Reason] = []
    unit = _by_police_type(_city_level(_territorial(request, reasons), request, reasons), request.police_type, reasons)
    rule, rule_target = _first_rule(request, reasons)
    if rule_target is not None:
        unit = rule_target
    if request.accused_unit is None or request.letter_type not in ACCUSATION_TYPES:
        return Proposal(unit=unit, reasons=tuple(reasons))
    return _recuse(request, request.accused_unit, proposed=unit, rule=rule, reasons=reasons)


def _territorial(request: RoutingRequest, reasons: list[Reason]) -> Unit:
    owner = unit_by_id(request.mailbox.owner_id)
    code = request.division_code.strip()
    if not code:
        reasons.append(Reason("no_place", _("信件未写明地点，由信箱主管单位%(owner)s受理。"), {"owner": owner}))
        return owner
    place = place_of(code)
    if place is None:
        text = _("地点代码“%(code)s”不在行政区划数据中，由信箱主管单位%(owner)s受理。")
        reasons.append(Reason("unknown_place", text, {"code": code, "owner": owner}))
        return owner
    bureau = place.bureau
    _explain_place(code, place, reasons)
    if request.mailbox.is_national:
        return _national_reach(bureau, reasons)
    if not bureau.is_within(owner.bureau):
        text = _(
            "该地点不在本信箱主管单位%(owner)s的辖区内；信件不转出辖区，先由%(owner)s受理，必要时再转送%(bureau)s。"
        )
        reasons.append(Reason("outside_mailbox", text, {"owner": owner.bureau, "bureau": bureau}))
        return owner
    return bureau


def _explain_place(code: str, place: Place, reasons: list[Reason]) -> None:
    """Say which division found the bureau (a town code, a merged county) and whose jurisdiction it is."""
    bureau = place.bureau
    if place.matched_code != code:
        text = _("地点代码 %(code)s 不在行政区划数据中，按其所属区划 %(matched)s（%(place)s）确定管辖。")
        values = {"code": code, "matched": place.matched_code, "place": DivisionName(place.division)}
        reasons.append(Reason("place_prefix", text, values))
    if place.merged_from is not None:
        text = _("%(old)s已并入%(new)s，由%(new)s管辖。")
        reasons.append(Reason("merged", text, {"old": place.merged_from, "new": bureau}))
    text = _("地点 %(code)s（%(place)s）属于%(bureau)s管辖。")
    values = {"code": place.matched_code, "place": DivisionName(place.division), "bureau": bureau}
    reasons.append(Reason("territorial", text, values))


def _national_reach(bureau: Unit, reasons: list[Reason]) -> Unit:
    """The 12389 platform hands letters to provincial organs, which transfer them further down."""
    province = province_of(bureau) or bureau
    if province.pk != bureau.pk:
        text = _("12389 全国平台只分流到省级公安机关：交由%(province)s，再由其转交%(bureau)s。")
        reasons.append(Reason("national_province", text, {"province": province, "bureau": bureau}))
    return province


def _city_level(unit: Unit, request: RoutingRequest, reasons: list[Reason]) -> Unit:
    """A function the city bureau runs for its counties (``routing.defaults``) goes to the city bureau.

    Not for a county-level city directly under its province (仙桃, 石河子: no city bureau above runs
    it), and never above the mailbox's own unit (a county's mailbox keeps the letter; its desk
    forwards it)."""
    if unit.level != UnitLevel.COUNTY:
        return unit
    function = city_function_for(request.police_type, request.text)
    if function is None:
        return unit
    city = bureau_above(unit, 1)
    if city.level != UnitLevel.PREFECTURE and city.division_code not in MUNICIPALITIES:
        return unit
    if not request.mailbox.is_national and not city.is_within(unit_by_id(request.mailbox.owner_id).bureau):
        return unit
    text = _("%(reason)s：由%(city)s办理，不由%(county)s办理。")
    reasons.append(Reason("city_level", text, {"reason": Bilingual(function.reason, function.reason_en),
                                                "city": city, "county": unit}))  # fmt: skip
    return city


def _by_police_type(unit: Unit, police_type: str, reasons: list[Reason]) -> Unit:
    if not police_type:
        reasons.append(Reason("no_police_type", _("未指定警种，由%(unit)s本级分办。"), {"unit": unit}))
        return unit
    department = department_or_plan(unit.bureau, police_type)
    text = _("警种为“%(type)s”，由%(department)s承办。")
    reasons.append(Reason("police_type", text, {"type": PoliceType(police_type).label, "department": department}))
    return department


def _first_rule(request: RoutingRequest, reasons: list[Reason]) -> tuple[RoutingRule | None, Unit | None]:
    """The first matching rule whose target is still in service and reachable from the mailbox."""
    rules = matching_rules(
        mailbox=request.mailbox,
        letter_type=request.letter_type,
        police_type=request.police_type,
        division_code=request.division_code.strip(),
    )
    for rule in rules:
        target = current_unit(rule.target)
        if target is None:
            text = _("分流规则“%(rule)s”的目标%(target)s已撤销，未适用。")
            reasons.append(Reason("rule_skipped", text, {"rule": rule, "target": rule.target}))
            continue
        if not reachable(request.mailbox, target):
            text = _("分流规则“%(rule)s”的目标%(target)s既不在本信箱主管单位的辖区内，也不是其上级，未适用。")
            reasons.append(Reason("rule_skipped", text, {"rule": rule, "target": target}))
            continue
        reasons.append(
            Reason("rule", _("适用分流规则“%(rule)s”，由%(target)s办理。"), {"rule": rule, "target": target})
        )
        return rule, target
    return None, None


def _recuse(
    request: RoutingRequest, accused: Unit, *, proposed: Unit, rule: RoutingRule | None, reasons: list[Reason]
) -> Proposal:
    """Recusal and graded responsibility for a complaint or report against ``accused``.

    1. The accused bureau (a department counts as its bureau) and everything under it are out.
    2. The Ministry has no one above: its discipline department handles it (its inspection
       department if the discipline department itself is accused).
    3. Otherwise the bureau one level up the tree, two for the leadership, capped at the Ministry.
    4. A rule's target stands only if it is already an inspection or discipline department of
       that bureau or one above it; otherwise recusal overrides it.
    5. The national platform hands the letter to the provincial organ if the bureau is lower.
    """
    floor = recusal.recusal_floor(accused)
    reasons.append(_recusal_reason(request.letter_type, accused, floor))
    if recusal.recusal_exception(accused) is not None:
        return _at_the_ministry(accused, floor, proposed=proposed, rule=rule, reasons=reasons)
    above = bureau_above(floor, 2 if request.accuses_leadership else 1)
    reasons.append(_graded_reason(request.accuses_leadership, floor, above))
    if rule is not None:
        reasons.append(_rule_vs_recusal(rule, proposed, kept=_oversees(proposed, above)))
        if _oversees(proposed, above):
            return Proposal(unit=proposed, reasons=tuple(reasons), accused=accused)
    handler = above
    if request.mailbox.is_national and above.depth > PROVINCE_DEPTH:
        handler = _national_reach(above, reasons)
    department = department_or_plan(handler, _oversight_type(request))
    reasons.append(_oversight_reason(request, department))
    return Proposal(unit=department, reasons=tuple(reasons), accused=accused)


def _at_the_ministry(
    accused: Unit, ministry: Unit, *, proposed: Unit, rule: RoutingRule | None, reasons: list[Reason]
) -> Proposal:
    """Nobody is above the Ministry: its discipline department (inspection, if that is the accused) handles it."""
    department = recusal.recusal_exception(accused)
    assert department is not None, "the unit tree gives the Ministry every police-type department"
    if rule is not None:
        reasons.append(_rule_vs_recusal(rule, proposed, kept=proposed.pk == department.pk))
    text = _("被投诉或举报的是公安部本级，没有更高一级的公安机关，由%(department)s办理。")
    reasons.append(Reason("highest", text, {"department": department}))
    return Proposal(unit=department, reasons=tuple(reasons), accused=accused)


def _rule_vs_recusal(rule: RoutingRule, target: Unit, *, kept: bool) -> Reason:
    if kept:
        text = _(
            "分流规则“%(rule)s”指定的%(target)s是被投诉或举报单位上级的督察或纪检监察部门，符合回避要求，予以保留。"
        )
        return Reason("rule_kept", text, {"rule": rule, "target": target})
    text = _("分流规则“%(rule)s”指定的%(target)s不符合回避要求，已被回避规则取代。")
    return Reason("rule_overridden", text, {"rule": rule, "target": target})


def _oversees(unit: Unit, above: Unit) -> bool:
    """An inspection or discipline department of ``above`` or of a bureau over it."""
    return unit.is_department and unit.police_type in OVERSIGHT_POLICE_TYPES and above.is_within(unit.bureau)


def _oversight_type(request: RoutingRequest) -> PoliceType:
    """Inspection (督察) or discipline (纪检监察): the matter decides, the letter type only sets the default.

    Conduct — abuse of power, inaction, procedure, attitude — is inspection's; corruption, money or
    gifts, business on the side, drink-driving, leaked information are discipline's. The acceptor
    (or the analysis suggestion the acceptor applied) says which by choosing that department as the
    police type; without a choice a report goes to discipline and a complaint to inspection.
    """
    if request.police_type in OVERSIGHT_POLICE_TYPES:
        return PoliceType(request.police_type)
    return PoliceType.DISCIPLINE if request.letter_type == LetterType.REPORT else PoliceType.INSPECTION


def _recusal_reason(letter_type: str, accused: Unit, floor: Unit) -> Reason:
    is_report = letter_type == LetterType.REPORT
    if floor.pk != accused.pk:  # a department or a station: its bureau is out
        text = (
            _("信件举报%(accused)s，按回避原则，其所属%(floor)s及下属单位均不办理此件。")
            if is_report
            else _("信件投诉%(accused)s，按回避原则，其所属%(floor)s及下属单位均不办理此件。")
        )
    else:
        text = (
            _("信件举报%(accused)s，按回避原则，该单位及其下属单位均不办理此件。")
            if is_report
            else _("信件投诉%(accused)s，按回避原则，该单位及其下属单位均不办理此件。")
        )
    return Reason("recusal", text, {"accused": accused, "floor": floor})


def _graded_reason(accuses_leadership: bool, floor: Unit, above: Unit) -> Reason:
    if not accuses_leadership:
        return Reason("graded", _("按照分级负责原则，由上一级%(above)s办理。"), {"above": above})
    if floor.depth - above.depth < 2:  # two levels were asked, but the Ministry is the top
        text = _("信件反映%(floor)s领导班子的问题，应提高两级，但最高只到%(above)s。")
    else:
        text = _("信件反映%(floor)s领导班子的问题，提高两级，由%(above)s办理。")
    return Reason("leadership", text, {"floor": floor, "above": above})


def _oversight_reason(request: RoutingRequest, department: Unit) -> Reason:
    if request.police_type in OVERSIGHT_POLICE_TYPES:
        text = _("按所反映问题的性质（%(type)s），由%(department)s办理。")
        return Reason("oversight", text, {"type": PoliceType(request.police_type).label, "department": department})
    if request.letter_type == LetterType.REPORT:
        return Reason("oversight", _("举报违法违纪由纪检监察部门%(department)s办理。"), {"department": department})
    return Reason("oversight", _("投诉由督察部门%(department)s办理。"), {"department": department})


def intake_unit_for(mailbox: Mailbox, accused_unit: Unit | None) -> Unit:
    """The front desk that receives a letter: the mailbox's unit, unless recusal forbids it.

    A letter to the Guangzhou mailbox accusing the Guangzhou bureau (or a unit above it) is
    received one level above the accused bureau, whose staff may see it.
    """
    if recusal.recused(mailbox.owner, accused_unit):
        assert accused_unit is not None
        return recusal.recusal_exception(accused_unit) or bureau_above(recusal.recusal_floor(accused_unit), 1)
    return mailbox.owner


def propose_for_letter(letter: Routable) -> Proposal:
    """The proposal for a letter from where it now is.

    At the front desk the letter's own mailbox bounds the search; once a unit above has passed it
    down (12389 → province → city), the holder's own mailbox does, so each level routes within
    its own jurisdiction.
    """
    holder = (letter.handling_unit or letter.intake_unit).bureau
    mailbox = letter.mailbox
    if holder.pk != letter.intake_unit.bureau.pk:
        mailbox = Mailbox.objects.filter(owner=holder, is_active=True).first() or mailbox
    return propose(
        RoutingRequest(
            mailbox=mailbox,
            letter_type=letter.letter_type,
            division_code=letter.division_code,
            police_type=letter.police_type,
            accused_unit=letter.accused_unit,
            accuses_leadership=letter.accuses_leadership,
            text=f"{letter.subject}\n{letter.text}",
        )
    )


def explanation_record(letter: Routable) -> tuple[Proposal, list[dict[str, str]]]:
    """The proposal, and its reasons in both languages to store with an assignment.

    The explanation is read long after, by people using either language, so it is rendered in
    each rather than stored in whichever language the acceptor happened to use.
    """
    proposal = propose_for_letter(letter)
    record = []
    for reason in proposal.reasons:
        rendered = {"code": reason.code}
        for language in ("zh-hans", "en"):
            with translation.override(language):
                rendered[language] = reason.text
        record.append(rendered)
    return proposal, record
