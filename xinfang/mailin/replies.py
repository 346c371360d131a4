"""The answer to an e-mail writer, in Chinese and then English in one message.

It carries the tracking number and the query code (the only time the writer sees the code), or
why no letter was registered; and, when the text reads like an emergency happening now (the
portal's check, ``analysis.emergency``), first of all: call 110. Sent with ``Auto-Submitted:
auto-replied`` (RFC 3834) so that the writer's own auto-responder does not answer it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils.translation import gettext, override
from django.utils.translation import gettext as _

from xinfang.mailin.models import InboundMessage

LANGUAGES = ("zh-hans", "en")


def reply_message(message: InboundMessage) -> EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "xinfang"
    headers = {
        "Message-ID": f"<mailin-{message.public_id}@{domain}>",
        "Auto-Submitted": "auto-replied",
        "Content-Language": "zh-Hans, en",
    }
    if message.message_id:
        headers.update({"In-Reply-To": message.message_id, "References": message.message_id})
    subjects, bodies = [], []
    for language in LANGUAGES:
        with override(language):
            subjects.append(_subject(message))
            bodies.append(_body(message))
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n————————\n\n".join(bodies),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.reply_to],
        headers=headers,
    )


def _subject(message: InboundMessage) -> str:
    if message.letter is not None:
        return _("来信已登记：%(number)s") % {"number": message.letter.tracking_number}
    return _("来信未能登记")


def _body(message: InboundMessage) -> str:
    site = settings.XINFANG_SITE_URL.rstrip("/")
    mailbox = message.address.mailbox.display_name
    lines = []
    if message.emergency:
        lines += [_("如果危险正在发生，请立即拨打 110。本信箱不受理报警求助。"), ""]
    if message.letter is not None:
        lines += [
            _("%(mailbox)s已收到您的来信，登记为信件。") % {"mailbox": mailbox},
            _("信件编号：%(number)s") % {"number": message.letter.tracking_number},
            _("查询码：%(code)s") % {"code": message.reply_code},
            _("请妥善保管查询码：它只发给您这一次。凭信件编号和查询码可在 %(url)s 查询办理进展。")
            % {"url": site + reverse("portal:lookup")},
        ]
    else:
        lines += [
            _("%(mailbox)s收到了您的邮件，但未能登记为信件：%(reason)s")
            % {"mailbox": mailbox, "reason": _translated(message.refusal)},
            _("请修改后重新发送，或在 %(url)s 在线写信。") % {"url": site + "/"},
        ]
    lines += ["", _("这是自动回复，请不要回复本邮件。")]
    return "\n".join(lines)


def _translated(refusal: str) -> str:
    """The reason, kept in the source language, in the active one where the catalogs have it
    (a reason with values filled in stays as it was kept)."""
    return gettext(refusal) if refusal else ""
