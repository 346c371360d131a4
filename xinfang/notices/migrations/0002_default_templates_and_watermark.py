"""The declared wording of every notice as editable rows, and the watermark at today's last timeline row.

Decisions taken before notices existed get none: the job starts after the last event already recorded.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from xinfang.notices.defaults import DEFAULTS

    NoticeTemplate = apps.get_model("notices", "NoticeTemplate")
    NoticeWatermark = apps.get_model("notices", "NoticeWatermark")
    LetterEvent = apps.get_model("letters", "LetterEvent")
    for kind, words in DEFAULTS.items():
        NoticeTemplate.objects.get_or_create(
            kind=str(kind),
            defaults={
                "title": words.title,
                "series": words.series,
                "opening": words.opening,
                "closing": words.closing,
                "legal_basis": words.legal_basis,
                "rights": words.rights,
            },
        )
    last = LetterEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    NoticeWatermark.objects.get_or_create(name="letter_events", defaults={"last_event_id": last})


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("notices", "NoticeTemplate").objects.all().delete()
    apps.get_model("notices", "NoticeWatermark").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_notices_templates_numbers"),
        ("letters", "0012_trackingcounter"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
