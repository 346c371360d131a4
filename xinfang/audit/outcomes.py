"""What a receipt check's outcome means, in the reader's language (the verifier page and ``verify_receipt``)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def receipt_outcomes() -> dict[str, str]:
    return {
        "valid": _("有效：签名正确，这封信的记录在签名树头所代表的日志中。"),
        "pending": _("尚未封存：日志还没有把这封信写进签名树头。几秒钟后请重新下载回执再核对。"),
        "malformed": _("无效：回执的格式不对，或内容被改动过。"),
        "salt": _("无效：回执中的随机盐与日志记录不符，回执被改动过。"),
        "text": _("无效：填写的正文与回执记录的正文哈希不符。"),
        "key": _("无效：签名树头不是用本平台的密钥签的。"),
        "signature": _("无效：签名树头的签名不对，回执被改动过。"),
        "inclusion": _("无效：包含证明不成立，这条记录不在签名树头所代表的日志中，或回执被改动过。"),
    }
