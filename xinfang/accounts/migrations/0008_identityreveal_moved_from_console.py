"""``IdentityReveal`` moves from the console (an interface app) to accounts, beside the identity it records.

State only: the table keeps its name, ``console_identityreveal``, and every row stays where it is
(``console.0003`` drops the model from the console's state after this). The model's content type
is relabelled, so the admin history and permissions that name it follow it; the reverse puts it
back.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODEL = "identityreveal"


def relabel(apps: Any, schema_editor: Any, old: str, new: str) -> None:
    """Give the content type of ``old``.MODEL to ``new``, unless ``new`` already has one."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=new, model=MODEL).exists():
        content_types.filter(app_label=old, model=MODEL).update(app_label=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    relabel(apps, schema_editor, "console", "accounts")


def backwards(apps: Any, schema_editor: Any) -> None:
    relabel(apps, schema_editor, "accounts", "console")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_citizenidentity_normalise_id_number_and_phone"),
        ("console", "0002_identityreveal_add_category"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdentityReveal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("contact", "联系信访人了解信件情况"),
                                    ("verify", "核实身份以便答复"),
                                    ("investigate", "调查核实反映的问题"),
                                    ("legal", "依法或纪检监察机关要求"),
                                    ("other", "其他"),
                                ],
                                max_length=16,
                                verbose_name="查看事由",
                            ),
                        ),
                        ("reason", models.TextField(verbose_name="查看理由")),
                        ("at", models.DateTimeField(verbose_name="查看时间")),
                        (
                            "actor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="查看人",
                            ),
                        ),
                        (
                            "letter",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="letters.letter",
                                verbose_name="信件",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "身份查看记录",
                        "verbose_name_plural": "身份查看记录",
                        "db_table": "console_identityreveal",
                        "ordering": ["at", "id"],
                        "indexes": [models.Index(fields=["letter", "at"], name="identityreveal_letter_at_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
