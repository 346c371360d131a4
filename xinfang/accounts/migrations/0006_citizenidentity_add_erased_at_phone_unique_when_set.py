"""Identity retention (accounts.retention): ``erased_at``, and one account per mobile number only
among identities that still have one (erased identities all have an empty ``phone_hash``).

``phone_hash`` keeps a plain index for the look-ups; the uniqueness moves to a partial constraint.
"""

from django.db import migrations, models

import xinfang.vault.fields


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_citizen_identity_encrypted_with_lookup_hashes"),
    ]

    operations = [
        migrations.AddField(
            model_name="citizenidentity",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="身份信息删除时间"),
        ),
        migrations.AlterField(
            model_name="citizenidentity",
            name="phone_hash",
            field=xinfang.vault.fields.BlindIndexField(
                db_index=True, default="", editable=False, max_length=64, purpose="phone", source="phone"
            ),
        ),
        migrations.AddConstraint(
            model_name="citizenidentity",
            constraint=models.UniqueConstraint(
                condition=models.Q(("phone_hash", ""), _negated=True),
                fields=("phone_hash",),
                name="citizenidentity_phone_unique",
            ),
        ),
    ]
