"""Reads for the inbox and the headers that show how many notifications are unread."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from xinfang.accounts.models import User
from xinfang.letters.access import explanation_requests_for
from xinfang.notifications.models import Kind, Notification


def inbox(user: User) -> QuerySet[Notification]:
    """``user``'s notifications, newest first (each page shows a slice)."""
    return Notification.objects.filter(recipient=user).select_related("letter").order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_for(user: User, public_id: str) -> Notification:
    """One of ``user``'s own notifications, or 404 (another person's is never revealed)."""
    try:
        return inbox(user).get(public_id=public_id)
    except (Notification.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def letter_url(notification: Notification, user: User) -> str | None:
    """The letter page the notification is about, for this kind of user, when that page exists."""
    if notification.letter is None:
        return None
    name = settings.NOTIFICATIONS_LETTER_URLS["citizen" if user.is_citizen else "staff"]
    try:
        return reverse(name, kwargs={"public_id": notification.letter.public_id})
    except NoReverseMatch:
        return None


def explanation_url(notification: Notification, user: User) -> str | None:
    """The page of the explanation request a request notification is about, while ``user`` may open it.

    The notification carries no letter: the request is found from its cause ("explanation:<id>")
    through the access policy, so a withdrawn request, or a reader who no longer answers for the
    accused bureau, gets no link.
    """
    cause, _sep, pk = notification.source.partition(":")
    if notification.kind != Kind.EXPLANATION_REQUESTED or cause != "explanation" or not pk.isdigit():
        return None
    public_id = explanation_requests_for(user).filter(pk=int(pk)).values_list("public_id", flat=True).first()
    return reverse("console:explanations:detail", args=[public_id]) if public_id is not None else None
