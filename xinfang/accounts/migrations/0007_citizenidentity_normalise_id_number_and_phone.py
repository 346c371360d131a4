"""Store every citizen's ID number and mobile number in their one spelling and re-hash them.

Until issue 13 a number typed partly in full-width or other Unicode digits (``44０１０６…``)
passed validation and was stored, and hashed, as typed: the same ID number could open a second
account, and a look-up by the ASCII number missed the first. Now every number goes through
``accounts.id_numbers`` (NFKC, no separators, upper case) before it is validated or hashed.

1. Every identity not erased is read, a batch at a time (the values are encrypted, so no query
   can pick out the ones to change); the field decrypts it.
2. A row whose ID number or phone changes spelling is saved: the field encrypts the new value
   and the look-up hashes are recomputed from it (as ``vault_rotate`` does).
3. A phone whose one spelling is already another account's is left as it was, since the
   unique constraint on ``phone_hash`` refuses it; an administrator decides which account keeps
   the number. Two accounts that turn out to share one ID number both stay (one person's
   letters, to be linked by hand); sign-up refuses a third.
The reverse does nothing: the one spelling is also what the earlier code would have stored.
Anonymous callers' numbers (``letters``) are re-hashed by ``manage.py vault_rotate``.
"""

from typing import Any

from django.db import migrations

from xinfang.accounts.id_numbers import normalise_mobile, normalise_resident_id
from xinfang.vault import LOOKUP_PHONE, lookup_hash

BATCH = 500


def normalise_identities(apps: Any, schema_editor: Any) -> None:
    identity_model = apps.get_model("accounts", "CitizenIdentity")
    rows = identity_model.objects.filter(erased_at__isnull=True).order_by("pk")
    batch = list(rows[:BATCH])
    while batch:
        for row in batch:
            _normalise(identity_model, row)
        batch = list(rows.filter(pk__gt=batch[-1].pk)[:BATCH])


def _normalise(identity_model: Any, row: Any) -> None:
    id_number, phone = normalise_resident_id(row.id_number), normalise_mobile(row.phone)
    if phone != row.phone:
        taken = identity_model.objects.filter(phone_hash=lookup_hash(LOOKUP_PHONE, phone)).exclude(pk=row.pk)
        phone = row.phone if taken.exists() else phone
    if (id_number, phone) != (row.id_number, row.phone):
        row.id_number, row.phone = id_number, phone
        row.save(update_fields=["id_number", "phone", "id_number_hash", "phone_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_citizenidentity_add_erased_at_phone_unique_when_set"),
    ]

    operations = [
        migrations.RunPython(normalise_identities, migrations.RunPython.noop),
    ]
