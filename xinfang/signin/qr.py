"""The enrolment QR code as inline SVG (no script, no external image, nothing for a CSP to block)."""

from __future__ import annotations

from base64 import b32encode

import qrcode
from django.utils.safestring import SafeString, mark_safe
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str, *, label: str) -> SafeString:
    """``data`` as a scalable QR code; ``label`` is what a screen reader announces."""
    image = qrcode.make(data, image_factory=SvgPathImage, border=2)
    root = image.get_image()
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("role", "img")
    root.set("aria-label", label)  # ElementTree escapes attribute values
    root.set("class", "qr")
    svg: str = image.to_string(encoding="unicode")
    # Our own SVG; ElementTree escaped the label.
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, as authenticator apps expect it typed."""
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
