"""A writer named by a partner channel: the verified citizen account on a phone number whose
real-name identity has the given resident ID number. Shared by the channels that submit letters
for a named writer without a session (Open311's ``phone`` and ``id_number``)."""

from __future__ import annotations

from xinfang.accounts.id_numbers import normalise_resident_id
from xinfang.accounts.models import User
from xinfang.accounts.selectors import citizen_by_phone, citizen_identity


def verified_citizen(phone: str, id_number: str) -> User | None:
    """The active citizen on ``phone`` whose verified, not erased identity has ``id_number``; else None."""
    citizen = citizen_by_phone(phone) if phone else None
    identity = citizen_identity(citizen) if citizen is not None else None
    if (
        citizen is None
        or identity is None
        or not citizen.is_active
        or identity.erased_at is not None
        or identity.verified_at is None
        or normalise_resident_id(identity.id_number) != normalise_resident_id(id_number)
    ):
        return None
    return citizen
