"""Encrypt anonymous callers' numbers at rest (xinfang.vault) and find them by a keyed hash.

1. ``phone`` becomes text wide enough for ciphertext; ``phone_hash`` is added, indexed.
2. Every existing number is encrypted and hashed, a batch at a time.
3. ``phone`` becomes the vault's field type (no change in the database).
The reverse decrypts, so it needs the keys that encrypted the rows.
"""

from typing import Any

from django.db import migrations, models

import xinfang.vault.fields
from xinfang.vault import LOOKUP_PHONE, decrypt, encrypt, lookup_hash

BATCH = 500
CONTEXT = "letters.anonymous_caller.phone"  # the model field's context: bound into every value, never to change


def _in_batches(model: Any) -> Any:
    rows = list(model.objects.order_by("pk")[:BATCH])
    while rows:
        yield rows
        rows = list(model.objects.filter(pk__gt=rows[-1].pk).order_by("pk")[:BATCH])


def encrypt_numbers(apps: Any, schema_editor: Any) -> None:
    caller_model = apps.get_model("letters", "AnonymousCaller")
    for rows in _in_batches(caller_model):
        for row in rows:
            row.phone_hash = lookup_hash(LOOKUP_PHONE, row.phone)
            row.phone = encrypt(row.phone, context=CONTEXT)
        caller_model.objects.bulk_update(rows, ["phone", "phone_hash"])


def decrypt_numbers(apps: Any, schema_editor: Any) -> None:
    caller_model = apps.get_model("letters", "AnonymousCaller")
    for rows in _in_batches(caller_model):
        for row in rows:
            row.phone = decrypt(row.phone, context=CONTEXT)
        caller_model.objects.bulk_update(rows, ["phone"])


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0004_attachment_evidence_and_sanitised_copy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="anonymouscaller", name="phone", field=models.TextField(blank=True, verbose_name="来电号码")
        ),
        migrations.AddField(
            model_name="anonymouscaller",
            name="phone_hash",
            field=xinfang.vault.fields.BlindIndexField(
                db_index=True, default="", editable=False, max_length=64, purpose="phone", source="phone"
            ),
        ),
        migrations.RunPython(encrypt_numbers, decrypt_numbers),
        migrations.AlterField(
            model_name="anonymouscaller",
            name="phone",
            field=xinfang.vault.fields.EncryptedTextField(blank=True, context=CONTEXT, verbose_name="来电号码"),
        ),
    ]
