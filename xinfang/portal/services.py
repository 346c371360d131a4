"""The portal's writes: a letter, a message or supplied information together with its files.

Each calls the letters services and ``attachment_add`` in one transaction (a letter's files are
stored by ``letter_submit`` itself), so a rejected file leaves nothing behind: no letter without
its evidence, no half-posted message. Files already stored for that request are deleted again
when the transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from xinfang.accounts.models import User
from xinfang.letters.attachments import attachment_add
from xinfang.letters.models import Attachment, Letter, Message
from xinfang.letters.services import Submission, letter_submit, letter_supply_info, message_post
from xinfang.orgs.models import Mailbox, Unit


@dataclass
class _Stored:
    attachments: list[Attachment] = field(default_factory=list)

    def delete_files(self) -> None:
        for attachment in self.attachments:
            for stored in (attachment.file, attachment.sanitised):
                if stored:
                    stored.delete(save=False)


@contextmanager
def _files_undone_on_failure() -> Iterator[Callable[..., None]]:
    stored = _Stored()

    def attach(
        *, letter: Letter, uploads: Sequence[UploadedFile[bytes]], actor: User, message: Message | None = None
    ) -> None:
        for upload in uploads:
            stored.attachments.append(attachment_add(letter=letter, upload=upload, actor=actor, message=message))

    try:
        with transaction.atomic():
            yield attach
    except BaseException:
        stored.delete_files()
        raise


@dataclass(frozen=True)
class LetterDraft:
    """What the write form collected (already validated)."""

    letter_type: str
    channel: str
    subject: str
    text: str
    division_code: str
    address: str
    police_type: str
    accused_unit: Unit | None
    accused_officer_name: str
    accused_badge_number: str
    accused_officer_post: str
    accuses_leadership: bool
    consent_to_publish: bool


def letter_write(
    *, mailbox: Mailbox, actor: User, draft: LetterDraft, uploads: Sequence[UploadedFile[bytes]]
) -> Submission:
    """Submit a citizen's letter with its attachments; raises LifecycleError or AttachmentRejected.

    ``letter_submit`` stores the files itself, in the letter's one transaction, before the
    receipt that covers them (and deletes them again if the letter is not saved)."""
    fields: dict[str, Any] = dict(draft.__dict__)
    return letter_submit(mailbox=mailbox, actor=actor, uploads=uploads, **fields)


def message_write(*, letter: Letter, actor: User, text: str, uploads: Sequence[UploadedFile[bytes]]) -> Message:
    """The writer's message to the handler, with files attached to it."""
    with _files_undone_on_failure() as attach:
        message = message_post(letter=letter, actor=actor, kind=Message.Kind.FROM_CITIZEN, text=text)
        attach(letter=letter, uploads=uploads, actor=actor, message=message)
    return message


def info_supply(*, letter: Letter, actor: User, text: str, uploads: Sequence[UploadedFile[bytes]]) -> Letter:
    """The information the front desk asked for; the files go on the letter before its state moves on,
    because the writer may attach files only to an open letter they wrote."""
    with _files_undone_on_failure() as attach:
        attach(letter=letter, uploads=uploads, actor=actor)
        letter_supply_info(letter=letter, actor=actor, text=text)
    return letter
