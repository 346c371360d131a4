"""Complaints and reports routed before the accused unit had to be decided count as decided as routed.

Without this, a letter already passed down (province → city) could not be passed further until
someone decided again what the front desk decided implicitly when it routed it. Letters still at
the front desk stay undecided: the desk decides them now.
"""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    Letter = apps.get_model("letters", "Letter")
    routed = Letter.objects.filter(
        letter_type__in=["complaint", "report"], accused_decided_at__isnull=True, assigned_at__isnull=False
    )
    routed.update(accused_decided_at=F("assigned_at"))


def backwards(apps, schema_editor):
    pass  # the decision fields are removed with 0008's reverse


class Migration(migrations.Migration):
    dependencies = [("letters", "0008_letter_add_accused_post_and_decision")]

    operations = [migrations.RunPython(forwards, backwards)]
