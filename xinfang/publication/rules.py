"""The one rule of what may be published, and who may take each step (issue 18 §1).

``letter_refusal`` says why a letter may not be published now, or ``""``: the writer has not
consented (or withdrew), the letter is not replied or concluded (a letter under review is not), or
it accuses an officer or a unit and its mailbox's policy does not allow that. The candidates list
(``selectors.candidates_for``) filters by the same conditions (:func:`publishable_q`), and every
step of ``services`` asks this function, so the console, the admin and any later API agree.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from xinfang.accounts.models import Role, User
from xinfang.analysis import identifying
from xinfang.letters.access import letters_visible_to, same_bureau
from xinfang.letters.accusation import names_an_officer
from xinfang.letters.models import Letter, LetterState
from xinfang.orgs.models import Mailbox
from xinfang.publication.models import DEFAULT_POLICY, Publication, PublicationPolicy, PublicationState
from xinfang.vocabulary import ACCUSATION_TYPES

S = LetterState
# Replied, rated, review answered, concluded or closed after a reply; never while a review or a
# re-examination is pending (the answer may still change).
PUBLISHABLE_STATES = (S.REPLIED, S.EVALUATED, S.REVIEW_ANSWERED, S.CONCLUDED, S.CLOSED)
# A complaint or report is about police by its type, whatever the fields say (the text decides too:
# :func:`accuses`); the filter keeps what the fields and the type can tell.
NOT_ACCUSING = Q(
    accused_unit__isnull=True, accused_officer_name="", accused_badge_number="", accuses_leadership=False
) & ~Q(letter_type__in=ACCUSATION_TYPES)


def policy_of(mailbox: Mailbox) -> PublicationPolicy:
    """The mailbox's policy, or the declared defaults when it has none."""
    return PublicationPolicy.objects.filter(mailbox=mailbox).first() or DEFAULT_POLICY


def accuses(letter: Letter) -> bool:
    """Whether the letter is about police: by the fields, by its type (complaint, report), or by its
    text naming an officer — a box the writer left unticked does not make it publishable."""
    return bool(
        letter.accused_unit_id
        or letter.accused_officer_name
        or letter.accused_badge_number
        or letter.accuses_leadership
        or letter.letter_type in ACCUSATION_TYPES
        or names_an_officer(f"{letter.subject}\n{letter.text}")
    )


def publishable_q() -> Q:
    """:func:`letter_refusal` as a filter on letters (empty refusal ⇔ matched)."""
    allowed = Q(mailbox__publication_policy__allow_accusing=True)
    return Q(consent_to_publish=True, state__in=PUBLISHABLE_STATES, replied_at__isnull=False) & (NOT_ACCUSING | allowed)


def letter_refusal(letter: Letter) -> str:
    if not letter.consent_to_publish:
        return _("信访人没有同意公开这封信（或已撤回同意），不能公开。")
    if letter.state not in PUBLISHABLE_STATES or letter.replied_at is None:
        return _("只有已答复或已终结的信件可以公开；复查、复核期间不能公开。")
    if accuses(letter) and not policy_of(letter.mailbox).allow_accusing:
        return _("这封信反映民警或单位，本信箱的公开规则不允许公开此类信件。")
    return ""


def publisher_refusal(actor: User, letter: Letter) -> str:
    """Why ``actor`` may not prepare this letter's publication: a publisher who may see the letter."""
    if not actor.has_role(Role.PUBLISHER):
        return _("只有公开发布员可以拟定和提交公开信件。")
    if not letters_visible_to(actor).filter(pk=letter.pk).exists():
        return _("您无权查看这封信件。")
    return ""


def approver_refusal(actor: User, publication: Publication) -> str:
    """Why ``actor`` may not approve or send back: a leader of the publishing unit's bureau."""
    if not actor.has_role(Role.LEADER) or not same_bureau(actor, publication.unit):
        return _("只有公开单位的领导可以审批公开信件。")
    return ""


def unpublisher_refusal(actor: User, publication: Publication) -> str:
    """A publisher who may see the letter, or a leader of the publishing unit's bureau."""
    if actor.has_role(Role.LEADER) and same_bureau(actor, publication.unit):
        return ""
    if actor.has_role(Role.PUBLISHER) and letters_visible_to(actor).filter(pk=publication.letter_id).exists():
        return ""
    return _("只有公开发布员或公开单位的领导可以撤下公开信件。")


def texts_refusal(letter: Letter, title: str, text: str, reply: str) -> str:
    """Why these texts may not be published: one is empty, or one still holds something that
    ``identifying`` would mask (the publisher's edit must not put back what the proposal masked)."""
    if not (title.strip() and text.strip() and reply.strip()):
        return _("公开标题、来信内容和答复内容都不能为空。")
    sensitive = identifying.sensitive_of(letter)
    found: list[identifying.Leak] = []
    for value in (title, text, reply):
        found += [leak for leak in identifying.mask(value, sensitive)[1] if leak not in found]
    if found:
        return _("公开内容中仍有可能识别个人的信息（%(kinds)s）。请删除，或改为“%(mask)s”。") % {
            "kinds": identifying.describe(found),
            "mask": identifying.MASK,
        }
    return ""


def available_steps(actor: User, publication: Publication) -> frozenset[str]:
    """The steps ``actor`` may take on ``publication`` now (the pages offer exactly these; the
    services also check the letter, whose refusal the page shows if it comes)."""
    state = publication.state
    steps = set()
    if not publisher_refusal(actor, publication.letter):
        if state in (PublicationState.DRAFT, PublicationState.UNPUBLISHED):
            steps.add("edit")
        if state == PublicationState.DRAFT:
            steps.add("submit")
    if state == PublicationState.SUBMITTED and not approver_refusal(actor, publication):
        steps |= {"approve", "send_back"}
    if state == PublicationState.PUBLISHED and not unpublisher_refusal(actor, publication):
        steps.add("unpublish")
    return frozenset(steps)


def consent_withdrawable(letter: Letter) -> bool:
    """The writer may still withdraw consent: given, and the letter not published (a letter taken
    down may be published again, so it counts as not published)."""
    published = Publication.objects.filter(letter=letter, state=PublicationState.PUBLISHED)
    return letter.consent_to_publish and not published.exists()
