"""Writes for notifications: creating them with their deliveries, sending, retrying, recovering, reading."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.accounts.selectors import citizen_identity, writer_identity
from xinfang.letters.models import Letter
from xinfang.notifications import tasks
from xinfang.notifications.defaults import AT_WILL_KINDS, CITIZEN_KINDS
from xinfang.notifications.models import Channel, Delivery, Notification
from xinfang.notifications.recipients import Plan
from xinfang.notifications.rendering import Rendered, render
from xinfang.notifications.sms import SmsDeliveryError, send_sms

logger = logging.getLogger(__name__)
D = Delivery.Status


class PermanentFailure(Exception):
    """The message can never be delivered as it is (no address, refused by the server)."""


# ---------------------------------------------------------------- creating


def notify(*, plan: Plan, letter: Letter | None, source: str, outward: bool = True) -> list[Notification]:
    """Create the notifications of one plan, each with its deliveries and their tasks, in one transaction.

    A cause (``source``) notifies each recipient of each kind once: running this again for the
    same cause (a worker that died half-way is retried) creates nothing new. Without a ``letter``
    (an explanation request, for the accused side) the notification names no letter, and an
    administrator's wording that asks for ``tracking_number`` gets nothing. Without ``outward``
    (a replayed past, ``quiet.inbox_only``) nothing goes out by SMS or e-mail.
    """
    created: list[Notification] = []
    with transaction.atomic():
        if plan.writer and letter is not None:
            created.extend(_notify_writer(plan, letter, source, outward=outward))
        for user in plan.staff:
            made = _notify_one(plan, letter, source, recipient=user, key=f"user:{user.pk}", language=user.language,
                               channels=[Channel.EMAIL] if user.email and outward else [])  # fmt: skip
            created.extend(made)
    return created


def _notify_writer(plan: Plan, letter: Letter, source: str, *, outward: bool) -> list[Notification]:
    """The citizen: in the inbox, and by SMS and e-mail for the steps that matter; an anonymous caller by SMS."""
    key_step = outward and plan.kind in CITIZEN_KINDS and plan.kind != "step"
    citizen = letter.citizen
    if citizen is not None:
        channels = []
        if key_step and citizen_identity(citizen) is not None:
            channels.append(Channel.SMS)
        if key_step and citizen.email:
            channels.append(Channel.EMAIL)
        return _notify_one(plan, letter, source, recipient=citizen, key=f"user:{citizen.pk}",
                           language=citizen.language, channels=channels)  # fmt: skip
    if letter.anonymous_caller_id is not None and key_step and writer_identity(letter).phone:
        return _notify_one(plan, letter, source, recipient=None, key=f"caller:{letter.anonymous_caller_id}",
                           language=settings.LANGUAGE_CODE, channels=[Channel.SMS])  # fmt: skip
    return []


def _notify_one(
    plan: Plan,
    letter: Letter | None,
    source: str,
    *,
    recipient: User | None,
    key: str,
    language: str,
    channels: Iterable[str],
) -> list[Notification]:
    if Notification.objects.filter(source=source, kind=plan.kind, recipient_key=key).exists():
        return []
    public_id = uuid.uuid4()
    link = notification_link(public_id if recipient is not None else None)
    tracking_number = letter.tracking_number if letter is not None else ""
    rendered = render(plan.kind, language, {**plan.values, "tracking_number": tracking_number, "link": link})
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                public_id=public_id, recipient=recipient, recipient_key=key, letter=letter, kind=plan.kind,
                source=source, language=language, title=rendered.title, body=rendered.body,
            )  # fmt: skip
    except IntegrityError:  # another worker notified this recipient of this cause a moment ago
        return []
    for channel in channels:
        text = _channel_text(channel, rendered)
        if text:
            delivery = Delivery.objects.create(
                notification=notification, channel=channel, recipient_key=key, text=text,
                next_attempt_at=timezone.now(),
            )  # fmt: skip
            tasks.deliver.enqueue(delivery.pk)
    return [notification]


def _channel_text(channel: str, rendered: Rendered) -> str | None:
    return rendered.sms if channel == Channel.SMS else rendered.body


def notification_link(public_id: uuid.UUID | None) -> str:
    """Where a message points: the recipient's own inbox entry, or the site for an anonymous caller."""
    site = settings.XINFANG_SITE_URL.rstrip("/")
    if public_id is None:
        return site + "/"
    return site + reverse("notifications:open", args=[public_id])


# ---------------------------------------------------------------- sending


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one delivery once; returns what happened (the task's return value, for the record).

    1. Claim it with a conditional update (PENDING and due → SENDING, one more attempt): of two
       workers holding a task for the same delivery, exactly one goes on.
    2. Throttle a message typed at will per recipient and channel: over the limit, it goes back to
       PENDING for when the window frees (the attempt is not counted), with a task to run then.
       A step of the procedure (accepted, extended, replied …) is never held back.
    3. Send outside any transaction, with the delivery's idempotency key (the same on every try).
    4. Record SENT; or, on a temporary failure, PENDING again after an exponential back-off with a
       new task; or FAILED after the last attempt or a permanent refusal.
    A worker killed between 1 and 4 leaves the delivery SENDING; ``deliveries_recover`` puts it
    back once its claim is older than the lease, and the gateway recognises the repeated key.
    """
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=D.PENDING, next_attempt_at__lte=now).update(
        status=D.SENDING, attempts=F("attempts") + 1, claimed_at=now
    )
    if claimed != 1:
        return "not due or taken"
    delivery = Delivery.objects.select_related("notification__recipient", "notification__letter").get(pk=delivery_id)
    free_at = _throttled_until(delivery, now)
    if free_at is not None:
        _reschedule(delivery, free_at, error="", uncount=True)
        return "throttled"
    try:
        _send(delivery)
    except PermanentFailure as exc:
        _finish(delivery, D.FAILED, error=str(exc))
        return "failed"
    except Exception as exc:  # any other error is worth another try: the network, the gateway, a bug since fixed
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, exc)
        if delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            _finish(delivery, D.FAILED, error=str(exc))
            return "failed"
        _reschedule(delivery, timezone.now() + backoff(delivery.attempts), error=str(exc))
        return "retry"
    _finish(delivery, D.SENT, error="")
    return "sent"


def backoff(attempts: int) -> dt.timedelta:
    """Seconds before the next try after ``attempts`` tries: base, 2×base, 4×base … up to the cap."""
    seconds = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.NOTIFICATIONS_RETRY_MAX_SECONDS))


def _throttled_until(delivery: Delivery, now: dt.datetime) -> dt.datetime | None:
    """When a message typed at will (``AT_WILL_KINDS``) may go; None for now, and always for a step of the procedure."""
    limit, window = settings.NOTIFICATIONS_THROTTLE.get(delivery.channel, (0, 0))
    if limit <= 0 or delivery.notification.kind not in AT_WILL_KINDS:
        return None
    since = now - dt.timedelta(seconds=window)
    recent = Delivery.objects.filter(
        recipient_key=delivery.recipient_key, channel=delivery.channel, sent_at__gte=since,
        notification__kind__in=AT_WILL_KINDS,
    )  # fmt: skip
    sent_times = list(recent.order_by("-sent_at").values_list("sent_at", flat=True)[:limit])
    if len(sent_times) < limit:
        return None
    oldest_counted = sent_times[-1]
    assert oldest_counted is not None
    return oldest_counted + dt.timedelta(seconds=window)


def _reschedule(delivery: Delivery, when: dt.datetime, *, error: str, uncount: bool = False) -> None:
    """Back to PENDING until ``when``, with the task that will try then (``uncount``: this was no attempt)."""
    attempts = F("attempts") - 1 if uncount else F("attempts")
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(
            status=D.PENDING, next_attempt_at=when, attempts=attempts, last_error=error[:2000], claimed_at=None
        )
        tasks.deliver.using(run_after=when).enqueue(delivery.pk)


def _finish(delivery: Delivery, status: str, *, error: str) -> None:
    sent_at = timezone.now() if status == D.SENT else None
    Delivery.objects.filter(pk=delivery.pk, status=D.SENDING).update(
        status=status, sent_at=sent_at, last_error=error[:2000], claimed_at=None
    )


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    key = str(delivery.idempotency_key)
    if delivery.channel == Channel.SMS:
        number = _phone(notification)
        try:
            send_sms(number, delivery.text, idempotency_key=key)
        except SmsDeliveryError as exc:
            if not exc.retryable:
                raise PermanentFailure(str(exc)) from exc
            raise
        return
    _send_email(notification, delivery.text, key)


def _phone(notification: Notification) -> str:
    """The number to text, read through the accounts selectors only (identity stays in one place)."""
    recipient = notification.recipient
    identity = citizen_identity(recipient) if recipient is not None else None
    phone = identity.phone if identity is not None else ""
    if not phone and notification.letter is not None and recipient is None:
        phone = writer_identity(notification.letter).phone
    if not phone:
        raise PermanentFailure("no mobile number")
    return phone


def _send_email(notification: Notification, body: str, key: str) -> None:
    recipient = notification.recipient
    if recipient is None or not recipient.email:
        raise PermanentFailure("no e-mail address")
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "xinfang"
    message = EmailMessage(
        subject=notification.title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        # The same Message-ID on every retry lets mail systems drop a duplicate.
        headers={"Message-ID": f"<{key}@{domain}>", "Content-Language": _content_language(notification.language)},
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as exc:
        raise PermanentFailure(f"recipient refused: {exc}") from exc
    except smtplib.SMTPResponseException as exc:
        if 500 <= exc.smtp_code < 600:
            raise PermanentFailure(f"refused: {exc.smtp_code}") from exc
        raise


def _content_language(code: str) -> str:
    return "zh-Hans" if code == "zh-hans" else code


def delivery_retry(*, delivery: Delivery, actor: User) -> bool:
    """An administrator sends a FAILED delivery again: attempts start over, with the same idempotency key."""
    with transaction.atomic():
        now = timezone.now()
        updated = Delivery.objects.filter(pk=delivery.pk, status=D.FAILED).update(
            status=D.PENDING, attempts=0, next_attempt_at=now, last_error=f"retried by {actor.username}"
        )
        if updated:
            tasks.deliver.enqueue(delivery.pk)
    return bool(updated)


# ---------------------------------------------------------------- recovery


def deliveries_recover(*, lease: dt.timedelta | None = None, limit: int = 1000) -> dict[str, int]:
    """Put back what a dead worker left half-done; safe to run from several workers at once.

    1. Tasks still RUNNING after the lease (the worker died with them) become READY again: every
       task here is idempotent (fan-out once per cause, deliveries claimed conditionally).
    2. Deliveries SENDING with a claim older than the lease go back to PENDING with a new task;
       the resend carries the same idempotency key.
    3. PENDING deliveries whose time passed more than a lease ago get a new task (theirs was lost
       with a dead worker); their time is moved to now, so the next run does not queue them again.
    """
    from django_tasks_db.models import DBTaskResult

    lease = lease or dt.timedelta(seconds=settings.XINFANG_TASK_LEASE_SECONDS)
    now = timezone.now()
    stale = now - lease
    tasks_back = DBTaskResult.objects.filter(
        status="RUNNING", started_at__lt=stale, task_path__startswith="xinfang."
    ).update(status="READY")
    resent = 0
    for pk in Delivery.objects.filter(status=D.SENDING, claimed_at__lt=stale).values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            if Delivery.objects.filter(pk=pk, status=D.SENDING, claimed_at__lt=stale).update(
                status=D.PENDING, next_attempt_at=now, claimed_at=None
            ):
                tasks.deliver.enqueue(pk)
                resent += 1
    requeued = 0
    lost = Delivery.objects.filter(status=D.PENDING, next_attempt_at__lt=stale)
    for pk in lost.values_list("pk", flat=True)[:limit]:
        with transaction.atomic():
            if Delivery.objects.filter(pk=pk, status=D.PENDING, next_attempt_at__lt=stale).update(next_attempt_at=now):
                tasks.deliver.enqueue(pk)
                requeued += 1
    return {"tasks": tasks_back, "sending": resent, "pending": requeued}


# ---------------------------------------------------------------- reading


def notifications_mark_read(*, user: User, public_id: uuid.UUID | None = None) -> int:
    """Mark one of ``user``'s notifications read, or all of them when ``public_id`` is None."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if public_id is not None:
        unread = unread.filter(public_id=public_id)
    return unread.update(read_at=timezone.now())


# ---------------------------------------------------------------- fan-out (run by the worker)


def notify_about(*, source: str, outward: bool = True) -> int:
    """Notify everyone concerned by ``source`` ("event:<id>", "message:<id>", "extension:<id>",
    "instruction:<id>", "supervision:<id>", "explanation:<id>", "explanation_answer:<id>");
    returns how many notifications were created (without ``outward``: in the inboxes only)."""
    found = _load_source(source)
    if found is None:  # the letter (or the request) was deleted meanwhile
        return 0
    letter, plans = found
    return sum(len(notify(plan=plan, letter=letter, source=source, outward=outward)) for plan in plans)


def _load_source(source: str) -> tuple[Letter | None, list[Plan]] | None:
    from xinfang.explanations.models import ExplanationRequest
    from xinfang.letters.models import Extension, Instruction, LetterEvent, Message, SupervisionOrder
    from xinfang.notifications import recipients as r

    kind, _sep, pk = source.partition(":")
    related = ("letter__citizen", "letter__handling_unit", "letter__intake_unit", "letter__mailbox")
    if kind == "event":
        event = LetterEvent.objects.select_related(*related).filter(pk=pk).first()
        return (event.letter, r.plans_for_event(event)) if event else None
    if kind == "message":
        message = Message.objects.select_related(*related).filter(pk=pk).first()
        return (message.letter, r.plans_for_message(message)) if message else None
    if kind == "extension":
        extension = Extension.objects.select_related(*related).filter(pk=pk).first()
        return (extension.letter, r.plans_for_extension(extension)) if extension else None
    if kind == "instruction":
        instruction = Instruction.objects.select_related(*related).filter(pk=pk).first()
        return (instruction.letter, r.plans_for_instruction(instruction)) if instruction else None
    if kind == "supervision":
        order = SupervisionOrder.objects.select_related(*related, "issuing_unit").filter(pk=pk).first()
        return (order.letter, r.plans_for_supervision(order)) if order else None
    if kind in ("explanation", "explanation_answer"):
        request = (
            ExplanationRequest.objects.select_related(
                "letter__accused_unit", "requested_by__unit", "requesting_unit", "accused_bureau"
            )
            .filter(pk=pk)
            .first()
        )
        if request is None:
            return None
        if kind == "explanation":  # the accused side: the plan is about the request, never the letter
            return None, r.plans_for_explanation_request(request)
        return request.letter, r.plans_for_explanation_answer(request)
    raise ValueError(f"unknown notification source {source!r}")
