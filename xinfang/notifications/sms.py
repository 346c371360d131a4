"""Text messages (SMS) behind one small interface.

``send_sms(number, text, idempotency_key=...)`` hands a message to the backend named by
``settings.SMS_BACKEND``:

- ``console``: writes the message to the log (development);
- ``file``: appends one JSON line per message to ``settings.SMS_FILE_DIR/outbox.jsonl``
  (development and demos: a person can read what would have been sent);
- ``locmem``: appends to :data:`outbox` (tests);
- ``http``: the production gateway. POSTs JSON ``{"to": ..., "text": ...}`` to
  ``settings.SMS_GATEWAY_URL`` with ``Authorization: Bearer <SMS_GATEWAY_KEY>`` and an
  ``Idempotency-Key`` header, so that a retried send is delivered once by the gateway.

A backend raises :class:`SmsDeliveryError` when the message was not accepted; retrying with
back-off is the caller's business (the notification worker), which sends the same key again.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    number: str
    text: str
    idempotency_key: str


class SmsDeliveryError(Exception):
    """The gateway did not accept the message (time-out, refusal, server error)."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class SmsBackend(Protocol):
    def send(self, message: SmsMessage) -> None: ...


outbox: list[SmsMessage] = []


class LocmemBackend:
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class ConsoleBackend:
    def send(self, message: SmsMessage) -> None:
        logger.info("SMS to %s: %s", message.number, message.text)


class FileBackend:
    def send(self, message: SmsMessage) -> None:
        directory = settings.SMS_FILE_DIR
        directory.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": message.number,
            "text": message.text,
            "idempotency_key": message.idempotency_key,
        }
        with (directory / "outbox.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


class HttpGatewayBackend:
    def send(self, message: SmsMessage) -> None:
        url = settings.SMS_GATEWAY_URL
        if not url.startswith(("https://", "http://")):
            raise SmsDeliveryError("SMS_GATEWAY_URL is not set to an http(s) URL", retryable=False)
        body = json.dumps({"to": message.number, "text": message.text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_GATEWAY_KEY}",
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310  # nosec B310
                response.read()
        except urllib.error.HTTPError as exc:
            # 4xx other than 429 means the request itself is wrong: retrying will not help.
            retryable = exc.code >= 500 or exc.code == 429
            raise SmsDeliveryError(f"gateway answered {exc.code}", retryable=retryable) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsDeliveryError(f"gateway unreachable: {exc}") from exc


BACKENDS: dict[str, type[SmsBackend]] = {
    "locmem": LocmemBackend,
    "console": ConsoleBackend,
    "file": FileBackend,
    "http": HttpGatewayBackend,
}


def backend() -> SmsBackend:
    return BACKENDS[settings.SMS_BACKEND]()


def send_sms(number: str, text: str, *, idempotency_key: str | None = None) -> SmsMessage:
    """Send ``text`` to ``number`` through the configured backend; raises SmsDeliveryError."""
    message = SmsMessage(number=number, text=text, idempotency_key=idempotency_key or uuid.uuid4().hex)
    backend().send(message)
    return message
