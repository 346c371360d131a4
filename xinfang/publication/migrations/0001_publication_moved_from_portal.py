"""``Publication`` moves from the portal (an interface app) to its own domain app, ``publication``.

State only: the table keeps its name, ``portal_publication``, and every row stays where it is
(``portal.0003`` drops the model from the portal's state after this). The model's content type
is relabelled, so the admin history and permissions that name it follow it; the reverse puts it
back.
"""

import uuid
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODEL = "publication"


def relabel(apps: Any, schema_editor: Any, old: str, new: str) -> None:
    """Give the content type of ``old``.MODEL to ``new``, unless ``new`` already has one."""
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=new, model=MODEL).exists():
        content_types.filter(app_label=old, model=MODEL).update(app_label=new)


def forwards(apps: Any, schema_editor: Any) -> None:
    relabel(apps, schema_editor, "portal", "publication")


def backwards(apps: Any, schema_editor: Any) -> None:
    relabel(apps, schema_editor, "publication", "portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0002_add_throttle_count"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Publication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("title", models.CharField(max_length=200, verbose_name="公开标题")),
                        ("published_text", models.TextField(verbose_name="公开的来信内容")),
                        ("published_reply", models.TextField(verbose_name="公开的答复内容")),
                        (
                            "published_at",
                            models.DateTimeField(blank=True, db_index=True, null=True, verbose_name="公开时间"),
                        ),
                        (
                            "letter",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="publication",
                                to="letters.letter",
                                verbose_name="信件",
                            ),
                        ),
                        (
                            "published_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="发布人",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "公开信件",
                        "verbose_name_plural": "公开信件",
                        "db_table": "portal_publication",
                        "ordering": ["-published_at", "-pk"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
