"""The shared words of the domain: letter types and channels, named by mailboxes, routing, time
limits and letters alike.

It sits below every app (it imports none), so that ``orgs``, ``routing`` and ``deadlines`` can
name a letter type without importing ``letters``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterType(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    INQUIRY = "inquiry", _("咨询")
    SUGGESTION = "suggestion", _("意见建议")
    REQUEST = "request", _("求决")
    PRAISE = "praise", _("表扬")


# The letter types that may accuse police: recusal applies to them (``orgs.recusal``).
ACCUSATION_TYPES = (LetterType.COMPLAINT, LetterType.REPORT)


class Channel(models.TextChoices):
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信")
    WEIBO = "weibo", _("微博")
    TELEPHONE = "telephone", _("电话")
    VISIT = "visit", _("来访")
    POST = "post", _("来信（邮寄）")
    EMAIL = "email", _("电子邮件")
    PARTNER_API = "partner_api", _("合作渠道接口")
