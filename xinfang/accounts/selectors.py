"""Reads from accounts, including the one way to read a letter writer's identity.

Identity fields are read only here (and written only in ``accounts.services``). They are
encrypted at rest (``xinfang.vault``): look-ups by phone or ID number go through their keyed
hashes, here, and never through the encrypted columns (which refuse to be searched).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xinfang.accounts.id_numbers import normalise_mobile, normalise_resident_id
from xinfang.accounts.models import CitizenIdentity, User
from xinfang.vault import LOOKUP_ID_NUMBER, LOOKUP_PHONE, lookup_hash

if TYPE_CHECKING:
    from xinfang.letters.models import AnonymousCaller, Letter


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; a Latin name keeps its first letter."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last two digits."""
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_id_number(id_number: str) -> str:
    """440106199001011234 → 4401**********1234."""
    return id_number[:4] + "*" * max(len(id_number) - 8, 0) + id_number[-4:] if id_number else ""


def erased_text() -> str:
    """What pages show in place of an identity erased under the retention period (accounts.retention)."""
    return _("已按保存期限删除")


@dataclass(frozen=True)
class WriterIdentity:
    """Who wrote a letter. ``anonymous`` for a caller who gave no name; ``erased``: the values are gone."""

    name: str
    phone: str
    id_number: str
    address: str
    anonymous: bool
    erased: bool = False

    @property
    def masked_name(self) -> str:
        if self.anonymous:
            return _("匿名来电人")
        return erased_text() if self.erased else mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return erased_text() if self.erased else mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return erased_text() if self.erased else mask_id_number(self.id_number)


def citizen_identity(user: User) -> CitizenIdentity | None:
    try:
        return user.identity
    except CitizenIdentity.DoesNotExist:
        return None


def writer_identity(letter: Letter) -> WriterIdentity:
    """The identity behind a letter, in clear: callers show ``masked_*`` unless revealing."""
    caller = letter.anonymous_caller if letter.anonymous_caller_id is not None else None
    if caller is not None:
        erased = caller.erased_at is not None
        return WriterIdentity(name="", phone=caller.phone, id_number="", address="", anonymous=True, erased=erased)
    identity = citizen_identity(letter.citizen) if letter.citizen is not None else None
    if identity is None:  # never the account's name: citizens' names live only in the vault
        return WriterIdentity(name="", phone="", id_number="", address="", anonymous=False)
    return WriterIdentity(
        name=identity.real_name,
        phone=identity.phone,
        id_number=identity.id_number,
        address=identity.address,
        anonymous=False,
        erased=identity.erased_at is not None,
    )


def citizen_by_phone(phone: str) -> User | None:
    """The citizen account registered with this mobile number (in any spelling), if any."""
    digest = lookup_hash(LOOKUP_PHONE, normalise_mobile(phone))
    identity = CitizenIdentity.objects.select_related("user").filter(phone_hash=digest).first() if digest else None
    return identity.user if identity is not None else None


def citizen_by_id_number(id_number: str) -> User | None:
    """The citizen account bound to this resident ID number (in any spelling), if any."""
    digest = lookup_hash(LOOKUP_ID_NUMBER, normalise_resident_id(id_number))
    identity = CitizenIdentity.objects.select_related("user").filter(id_number_hash=digest).first() if digest else None
    return identity.user if identity is not None else None


def id_number_registered(id_number: str) -> bool:
    """True if a citizen account already holds this resident ID number (in any spelling)."""
    digest = lookup_hash(LOOKUP_ID_NUMBER, normalise_resident_id(id_number))
    return bool(digest) and CitizenIdentity.objects.filter(id_number_hash=digest).exists()


def anonymous_callers_by_phone(phone: str) -> QuerySet[AnonymousCaller]:
    """Every anonymous call registered from this number (for the seat's look-up of earlier calls)."""
    from xinfang.letters.models import AnonymousCaller  # letters builds on accounts, not the reverse

    digest = lookup_hash(LOOKUP_PHONE, normalise_mobile(phone))
    return AnonymousCaller.objects.filter(phone_hash=digest) if digest else AnonymousCaller.objects.none()
