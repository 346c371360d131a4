"""Each new letter gets a random salt for its receipt in the transparency log.

Letters received before have no receipt; they get an empty salt (added with the default "" and
only then given the random default, so that the existing rows do not share one salt).
"""

from django.db import migrations, models

import xinfang.letters.models


class Migration(migrations.Migration):
    dependencies = [
        ("letters", "0009_letter_routed_letters_count_as_decided"),
    ]

    operations = [
        migrations.AddField(
            model_name="letter",
            name="receipt_salt",
            field=models.CharField(default="", editable=False, max_length=32),
        ),
        migrations.AlterField(
            model_name="letter",
            name="receipt_salt",
            field=models.CharField(default=xinfang.letters.models.new_receipt_salt, editable=False, max_length=32),
        ),
    ]
