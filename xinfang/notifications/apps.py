from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xinfang.notifications"
    verbose_name = _("通知")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from xinfang.explanations.signals import explanation_answered, explanation_requested
        from xinfang.letters.models import Extension, Instruction, SupervisionOrder
        from xinfang.letters.signals import letter_event_recorded, message_posted
        from xinfang.notifications import receivers as r

        uid = "xinfang.notifications"
        letter_event_recorded.connect(r.on_letter_event, dispatch_uid=f"{uid}.event")
        message_posted.connect(r.on_message, dispatch_uid=f"{uid}.message")
        post_save.connect(r.on_extension_saved, sender=Extension, dispatch_uid=f"{uid}.extension")
        post_save.connect(r.on_instruction_saved, sender=Instruction, dispatch_uid=f"{uid}.instruction")
        post_save.connect(r.on_supervision_saved, sender=SupervisionOrder, dispatch_uid=f"{uid}.supervision")
        explanation_requested.connect(r.on_explanation_requested, dispatch_uid=f"{uid}.explanation")
        explanation_answered.connect(r.on_explanation_answered, dispatch_uid=f"{uid}.explanation_answer")
