"""The administrators' pages: the e-mail addresses of the mailboxes, and the received messages (read-only).

The messages follow the letters' access policy (``LetterScope``): an administrator sees those that
became letters their unit may see, with whether and when the writer was answered; the message
itself is not kept once it is a letter, nor the query code once it was sent.
"""

from __future__ import annotations

from django.contrib import admin

from xinfang.letters.admin import LetterScopedAdmin
from xinfang.mailin.models import InboundMessage, MailAddress


@admin.register(MailAddress)
class MailAddressAdmin(admin.ModelAdmin[MailAddress]):
    list_display = ["address", "mailbox", "letter_type", "is_active"]
    list_filter = ["is_active", "letter_type"]
    list_select_related = ["mailbox"]
    search_fields = ["address", "mailbox__name", "mailbox__slug"]


@admin.register(InboundMessage)
class InboundMessageAdmin(LetterScopedAdmin):
    letter_path = "letter"
    list_display = ["received_at", "address", "status", "letter", "replied_at"]
    list_filter = ["status"]
    list_select_related = ["address", "letter"]
    fields = readonly_fields = (
        "public_id", "address", "envelope_sender", "message_id", "size", "received_at", "status", "letter",
        "refusal", "emergency", "processed_at", "reply_to", "reply_attempts", "replied_at", "reply_error",
    )  # fmt: skip
    show_full_result_count = False
