"""Encrypt citizens' identities at rest (xinfang.vault) and find them by keyed hashes.

1. The identity columns become text wide enough for ciphertext; ``phone`` loses its uniqueness,
   which moves to ``phone_hash``.
2. Citizens' names leave ``User.first_name`` (the identity holds the name, encrypted).
3. Every existing row is encrypted and its hashes computed, a batch at a time.
4. The columns become the vault's field types (no change in the database) and ``phone_hash`` unique.
The reverse decrypts, so it needs the keys that encrypted the rows.
"""

from typing import Any

from django.db import migrations, models

import xinfang.vault.fields
from xinfang.vault import LOOKUP_ID_NUMBER, LOOKUP_PHONE, decrypt, encrypt, lookup_hash

BATCH = 500
# The contexts of the model's EncryptedTextFields: bound into every value, never to change.
CONTEXTS = {
    "real_name": "accounts.citizen_identity.real_name",
    "id_number": "accounts.citizen_identity.id_number",
    "phone": "accounts.citizen_identity.phone",
    "address": "accounts.citizen_identity.address",
}


def _in_batches(model: Any) -> Any:
    rows = list(model.objects.order_by("pk")[:BATCH])
    while rows:
        yield rows
        rows = list(model.objects.filter(pk__gt=rows[-1].pk).order_by("pk")[:BATCH])


def encrypt_identities(apps: Any, schema_editor: Any) -> None:
    identity_model = apps.get_model("accounts", "CitizenIdentity")
    for rows in _in_batches(identity_model):
        for row in rows:
            row.phone_hash = lookup_hash(LOOKUP_PHONE, row.phone)
            row.id_number_hash = lookup_hash(LOOKUP_ID_NUMBER, row.id_number)
            for field, context in CONTEXTS.items():
                setattr(row, field, encrypt(getattr(row, field), context=context))
        identity_model.objects.bulk_update(rows, [*CONTEXTS, "phone_hash", "id_number_hash"])


def decrypt_identities(apps: Any, schema_editor: Any) -> None:
    identity_model = apps.get_model("accounts", "CitizenIdentity")
    for rows in _in_batches(identity_model):
        for row in rows:
            for field, context in CONTEXTS.items():
                setattr(row, field, decrypt(getattr(row, field), context=context))
        identity_model.objects.bulk_update(rows, list(CONTEXTS))


def forget_citizen_names(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "User").objects.filter(kind="citizen").update(first_name="", last_name="")


def restore_citizen_names(apps: Any, schema_editor: Any) -> None:
    """Runs after decrypt_identities in the reverse direction, so the names are in clear here."""
    identity_model = apps.get_model("accounts", "CitizenIdentity")
    user_model = apps.get_model("accounts", "User")
    for identity in identity_model.objects.only("user_id", "real_name").iterator(chunk_size=BATCH):
        user_model.objects.filter(pk=identity.user_id).update(first_name=identity.real_name)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_sms_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="citizenidentity", name="real_name", field=models.TextField(verbose_name="姓名")
        ),
        migrations.AlterField(
            model_name="citizenidentity", name="id_number", field=models.TextField(verbose_name="身份证号码")
        ),
        migrations.AlterField(
            model_name="citizenidentity", name="phone", field=models.TextField(verbose_name="手机号码")
        ),
        migrations.AlterField(
            model_name="citizenidentity", name="address", field=models.TextField(blank=True, verbose_name="联系地址")
        ),
        migrations.AddField(
            model_name="citizenidentity",
            name="phone_hash",
            field=xinfang.vault.fields.BlindIndexField(
                default="", editable=False, max_length=64, purpose="phone", source="phone"
            ),
        ),
        migrations.AddField(
            model_name="citizenidentity",
            name="id_number_hash",
            field=xinfang.vault.fields.BlindIndexField(
                db_index=True, default="", editable=False, max_length=64, purpose="id_number", source="id_number"
            ),
        ),
        migrations.RunPython(forget_citizen_names, restore_citizen_names),
        migrations.RunPython(encrypt_identities, decrypt_identities),
        migrations.AlterField(
            model_name="citizenidentity",
            name="real_name",
            field=xinfang.vault.fields.EncryptedTextField(context=CONTEXTS["real_name"], verbose_name="姓名"),
        ),
        migrations.AlterField(
            model_name="citizenidentity",
            name="id_number",
            field=xinfang.vault.fields.EncryptedTextField(context=CONTEXTS["id_number"], verbose_name="身份证号码"),
        ),
        migrations.AlterField(
            model_name="citizenidentity",
            name="phone",
            field=xinfang.vault.fields.EncryptedTextField(context=CONTEXTS["phone"], verbose_name="手机号码"),
        ),
        migrations.AlterField(
            model_name="citizenidentity",
            name="address",
            field=xinfang.vault.fields.EncryptedTextField(
                blank=True, context=CONTEXTS["address"], verbose_name="联系地址"
            ),
        ),
        migrations.AlterField(
            model_name="citizenidentity",
            name="phone_hash",
            field=xinfang.vault.fields.BlindIndexField(
                default="", editable=False, max_length=64, purpose="phone", source="phone", unique=True
            ),
        ),
    ]
