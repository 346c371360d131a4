"""Every write of the publication workflow (issue 18 §1): the writer's consent, then propose, edit,
submit, approve (which publishes) or send back, unpublish.

Each step checks who acts (``rules``), checks the letter is publishable now (``rules.letter_refusal``,
except unpublishing, which is always allowed), changes the state with a conditional update (two
people acting at once cannot both win: the second gets a ``Conflict``) and writes its audit entry
in the same transaction. The letter's own subject, text and reply are never changed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts.models import User
from xinfang.analysis import identifying
from xinfang.audit.models import AuditKind
from xinfang.audit.services import audit_record
from xinfang.errors import Refused
from xinfang.letters.lifecycle import Conflict
from xinfang.letters.models import Letter
from xinfang.publication import rules
from xinfang.publication.models import Publication
from xinfang.publication.models import PublicationState as P

# ---------------------------------------------------------------- the writer's consent


def consent_withdraw(*, letter: Letter, actor: User) -> None:
    """The writer takes back consent, until the letter is published; an unpublished draft is set aside."""
    if letter.citizen_id is None or letter.citizen_id != actor.pk:
        raise Refused(_("只有写信人可以撤回公开同意。"))
    with transaction.atomic():
        if Publication.objects.filter(letter=letter, state=P.PUBLISHED).exists():
            raise Refused(_("这封信已经公开，不能再撤回同意。如需撤下，请联系信箱所在单位。"))
        if Letter.objects.filter(pk=letter.pk, consent_to_publish=True).update(consent_to_publish=False) != 1:
            raise Refused(_("您没有同意公开这封信，无需撤回。"))
        drafts = Publication.objects.filter(letter=letter, state__in=[P.DRAFT, P.SUBMITTED])
        drafts.update(state=P.UNPUBLISHED, unpublish_reason=_("信访人撤回公开同意"), unpublished_at=timezone.now())
        audit_record(
            kind=AuditKind.STATE_CHANGE,
            actor=actor,
            subject=letter,
            data={"action": "publication_consent_withdraw", "tracking_number": letter.tracking_number},
        )
    letter.consent_to_publish = False


# ---------------------------------------------------------------- the redaction proposal


def proposal_for(letter: Letter) -> tuple[str, str, str]:
    """The redacted subject, letter and reply that ``identifying`` proposes (officers' names and
    badge numbers masked too, unless the mailbox's policy shows them)."""
    sensitive = identifying.sensitive_of(letter)
    officer = None
    if not rules.policy_of(letter.mailbox).show_officer_names:
        badge = (letter.accused_badge_number,) if letter.accused_badge_number else ()
        officer = identifying.Sensitive(name=letter.accused_officer_name, numbers=badge)

    def redacted(text: str) -> str:
        text = identifying.mask(text, sensitive)[0]
        return identifying.mask(text, officer)[0] if officer is not None else text

    return redacted(letter.subject), redacted(letter.text), redacted(letter.reply_text)


def _check_texts(letter: Letter, title: str, text: str, reply: str) -> None:
    reason = rules.texts_refusal(letter, title, text, reply)
    if reason:
        raise Refused(reason)


def _check(letter: Letter, refusal: str) -> None:
    reason = refusal or rules.letter_refusal(letter)
    if reason:
        raise Refused(reason)


def _audit(publication: Publication, actor: User, action: str) -> None:
    """The letter is named by its tracking number; no text goes into the log."""
    audit_record(
        kind=AuditKind.STATE_CHANGE,
        actor=actor,
        subject=publication,
        data={"action": action, "tracking_number": publication.letter.tracking_number},
    )


def _move(publication: Publication, frm: tuple[str, ...], **changes: object) -> None:
    """Change the row only if it is still in one of ``frm`` (else someone acted first: ``Conflict``)."""
    if Publication.objects.filter(pk=publication.pk, state__in=frm).update(**changes) != 1:
        raise Conflict(_("这份公开稿的状态已被他人更改，请刷新后再看。"))
    publication.refresh_from_db()


# ---------------------------------------------------------------- the steps


def publication_propose(*, letter: Letter, actor: User) -> Publication:
    """A draft with the redaction that ``identifying`` proposes, for the actor's unit."""
    _check(letter, rules.publisher_refusal(actor, letter))
    if Publication.objects.filter(letter=letter).exists():
        raise Refused(_("这封信已有公开稿。"))
    title, text, reply = proposal_for(letter)
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                letter=letter,
                mailbox=letter.mailbox,
                unit=actor.unit,
                title=title[:200],
                published_text=text,
                published_reply=reply,
                proposed_by=actor,
            )
            _audit(publication, actor, "publication_propose")
    except IntegrityError as exc:  # another publisher proposed it at the same moment
        raise Conflict(_("这封信已有公开稿。")) from exc
    return publication


def publication_edit(*, publication: Publication, actor: User, title: str, text: str, reply: str) -> Publication:
    """The publisher's edit of a draft (or of an unpublished one, which becomes a draft again)."""
    letter = publication.letter
    _check(letter, rules.publisher_refusal(actor, letter))
    _check_texts(letter, title, text, reply)
    with transaction.atomic():
        _move(
            publication, (P.DRAFT, P.UNPUBLISHED),
            state=P.DRAFT, title=title.strip(), published_text=text.strip(), published_reply=reply.strip(),
        )  # fmt: skip
        _audit(publication, actor, "publication_edit")
    return publication


def publication_submit(*, publication: Publication, actor: User) -> Publication:
    """Send the draft to the publishing unit's leaders."""
    letter = publication.letter
    _check(letter, rules.publisher_refusal(actor, letter))
    _check_texts(letter, publication.title, publication.published_text, publication.published_reply)
    with transaction.atomic():
        _move(publication, (P.DRAFT,), state=P.SUBMITTED, submitted_at=timezone.now(), sent_back_reason="")
        _audit(publication, actor, "publication_submit")
    return publication


def publication_approve(*, publication: Publication, actor: User) -> Publication:
    """A leader of the publishing unit approves: the publication is public from now on."""
    _check(publication.letter, rules.approver_refusal(actor, publication))
    with transaction.atomic():
        now = timezone.now()
        _move(publication, (P.SUBMITTED,), state=P.PUBLISHED, published_at=now, published_by=actor, unpublish_reason="")
        _audit(publication, actor, "publication_approve")
    return publication


def publication_send_back(*, publication: Publication, actor: User, reason: str) -> Publication:
    """A leader of the publishing unit returns the draft to the publisher with a reason."""
    refusal = rules.approver_refusal(actor, publication)
    if refusal:
        raise Refused(refusal)
    if not reason.strip():
        raise Refused(_("请写明退回理由。"))
    with transaction.atomic():
        _move(publication, (P.SUBMITTED,), state=P.DRAFT, sent_back_reason=reason.strip())
        _audit(publication, actor, "publication_send_back")
    return publication


def publication_unpublish(*, publication: Publication, actor: User, reason: str) -> Publication:
    """Take a published letter down, at any time, with a reason (consent and state do not matter)."""
    refusal = rules.unpublisher_refusal(actor, publication)
    if refusal:
        raise Refused(refusal)
    if not reason.strip():
        raise Refused(_("请写明撤下理由。"))
    with transaction.atomic():
        _move(
            publication, (P.PUBLISHED,),
            state=P.UNPUBLISHED, unpublished_at=timezone.now(), unpublish_reason=reason.strip(),
        )  # fmt: skip
        _audit(publication, actor, "publication_unpublish")
    return publication
