"""The Django admin follows the access policy everywhere (issue 13, item 3).

A superuser who works in the accused bureau (Haizhu, ``administrator@accused`` of the matrix's world) walks
every registered ModelAdmin: the index page with its "recent actions", each changelist, each changelist
searched for a canary, the add page offered a canary letter, the change page of the rows in each table
(and their history page where the table names a letter; elsewhere the oldest and newest rows'), and the
letter autocomplete. No canary of the world's letters (subject, text, messages, the
writer's name and phone …) and no tracking number may appear in any response. Besides the matrix's world
the letters here also have an identity reveal whose typed reason names the writer (an audit row), a draft
publication titled with the subject and edited in the admin (a history entry), and a failed task whose
traceback quotes the writer's phone.

The positive control walks the same pages as a superuser of the Guangzhou bureau, which owns the mailbox
and received the letters: it must see them in the letter, notification, delivery, audit and publication
admins, so the walk cannot pass by hiding everything.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import quote
from django.db.models import Model
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_tasks_db.models import DBTaskResult

from tests.security.matrix import NAME, PHONE, SUBJECT, TEXT, World, canaries_in, page_text
from xinfang.accounts.models import IdentityReveal
from xinfang.accounts.reveal import identity_reveal
from xinfang.letters.models import Letter
from xinfang.publication.models import Publication

pytestmark = pytest.mark.django_db

ACCUSED_ADMIN = "administrator@accused"
CONTROL_ADMIN = "administrator@superior_city"  # the mailbox owner's front desk: it received the letters
# Every row of a table is opened, except in the large tables that name no letter (the unit tree, the
# mailboxes, the holidays): there the oldest and the newest few.
SMALL_TABLE = 200
ROWS_PER_END = 5
# What the control must find, by admin: the letter's own pages and everything that names it.
CONTROL_SEES = {"letters.letter", "notifications.notification", "notifications.delivery", "audit.auditentry",
                "publication.publication"}  # fmt: skip
CONTROL_WALKS = {*CONTROL_SEES, "letters.supervisionorder", "django_tasks_database.dbtaskresult"}


@pytest.fixture(scope="module")
def planted(world: World, django_db_blocker: Any) -> World:
    """What the matrix's world lacks: a reveal reason, a draft publication with its history, a failed task."""
    letter = world.letters["handling"]
    with django_db_blocker.unblock():
        identity_reveal(
            letter=letter, actor=world.users["handler@same"], category=IdentityReveal.Category.CONTACT,
            reason=f"需要联系{NAME}核实窗口收费情况",
        )  # fmt: skip
        publication = Publication.objects.create(
            letter=letter, title=f"{SUBJECT}（公开稿）", published_text=TEXT, published_reply="经核查，答复如下。"
        )
        LogEntry.objects.log_actions(
            user_id=world.users[CONTROL_ADMIN].pk, queryset=[publication], action_flag=CHANGE, change_message="标题"
        )
        DBTaskResult.objects.create(
            task_path="xinfang.notifications.tasks.deliver", args_kwargs={"args": [1], "kwargs": {}},
            status="FAILED", backend_name="default", run_after=letter.received_at,
            exception_class_path="smtplib.SMTPRecipientsRefused",
            traceback=f"smtplib.SMTPRecipientsRefused: {{'{PHONE}@example.cn': (550, b'unknown user')}}",
        )  # fmt: skip
    return world


def _secrets(world: World) -> dict[str, str]:
    """The world's tracking numbers, by name (``canaries_in`` finds the rest)."""
    return {f"tracking_number:{key}": letter.tracking_number for key, letter in world.letters.items()}


def _names_a_letter(model: type[Model], hops: int = 2) -> bool:
    """The model is a letter or points at one within ``hops`` foreign keys (a delivery → its notification → letter)."""
    if model is Letter:
        return True
    related = [f.related_model for f in model._meta.get_fields() if f.many_to_one or f.one_to_one]
    return hops > 0 and any(isinstance(r, type) and _names_a_letter(r, hops - 1) for r in related if r is not model)


def _has_field(model: type[Model], name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def _rows(model: type[Model]) -> tuple[list[Any], set[Any]]:
    """The rows whose change page is opened, and those whose history page is opened too.

    A history page lists the admin's log entries of one row (its name and the fields changed): for a
    table that names a letter every row's; elsewhere the ends', which show whether the page itself
    leaks (a row there names no letter: only an administrator's own words could)."""
    rows = model._default_manager.order_by("pk").values_list("pk", flat=True)
    ends = [*rows[:ROWS_PER_END], *rows.reverse()[:ROWS_PER_END]]
    if _names_a_letter(model):
        return list(rows), set(rows)
    return (list(rows) if rows.count() <= SMALL_TABLE else ends), set(ends)


def _url(model: type[Model], page: str, *args: Any) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)
    except NoReverseMatch:
        return None


def admin_pages(world: World, only: set[str] | None = None) -> Iterator[tuple[str, str, str]]:
    """(model label, URL, search term or "") of every page of the walk (of the admins in ``only``)."""
    if only is None:
        yield "index", reverse("admin:index"), ""
    terms = [SUBJECT, TEXT[:12], NAME, PHONE, world.letters["handling"].tracking_number]
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if only is not None and label not in only:
            continue
        changelist = _url(model, "changelist")
        assert changelist is not None
        yield label, changelist, ""
        if model_admin.search_fields:
            for term in terms:
                yield label, f"{changelist}?q={urllib.parse.quote(term)}", term
        add = _url(model, "add")
        if add is not None:  # the admin fills a field from the query: only a ``letter`` field takes one
            offered = [f"?letter={held.pk}" for held in world.letters.values()] if _has_field(model, "letter") else [""]
            for query in offered:
                yield label, f"{add}{query}", ""
        rows, with_history = _rows(model)
        for pk in rows:
            for page in ("change", "history") if pk in with_history else ("change",):
                url = _url(model, page, quote(pk))
                if url is not None:
                    yield label, url, ""
    for term in terms:
        query = urllib.parse.urlencode(
            {"app_label": "publication", "model_name": "publication", "field_name": "letter", "term": term}
        )
        yield "publication.publication", f"{reverse('admin:autocomplete')}?{query}", term


def sightings(client: Client, world: World, only: set[str] | None = None) -> dict[str, set[str]]:
    """For each page that shows a secret: which (canary names, tracking numbers). A search page shows the
    term searched for in its search box: it counts only when the search found rows."""
    secrets = _secrets(world)
    found: dict[str, set[str]] = {}
    for label, url, term in admin_pages(world, only):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        text = page_text(response)
        if term:
            found_rows = response.context["cl"].result_count if response.context else None
            results = found_rows if found_rows is not None else json.loads(response.content)["results"]
            text = text.replace(term, "") + (f"\n{term}" if results else "")
        seen = canaries_in(text) | {name for name, value in secrets.items() if value in text}
        if seen:
            found[f"{label} {url}"] = seen
    return found


def test_a_superuser_of_the_accused_bureau_finds_no_trace_of_the_letters_in_the_admin(planted: World) -> None:
    found = sightings(planted.clients[ACCUSED_ADMIN], planted)
    assert not found, "the admin shows the accused bureau's superuser:\n" + "\n".join(
        f"{page}: {sorted(seen)}" for page, seen in sorted(found.items())
    )


def test_a_superuser_of_the_receiving_bureau_sees_them(planted: World) -> None:
    """The positive control: the same walk finds the letters where the policy lets the viewer see them."""
    found = sightings(planted.clients[CONTROL_ADMIN], planted, only=CONTROL_WALKS)
    admins = {page.split(" ", 1)[0] for page in found}
    assert admins >= CONTROL_SEES, sorted(admins)
    assert "django_tasks_database.dbtaskresult" not in admins  # a traceback is shown to nobody
    letter = planted.letters["handling"]
    assert {"subject", "tracking_number:handling"} <= found[f"letters.letter {_url(Letter, 'change', letter.pk)}"]
    publication = Publication.objects.get(letter=letter)
    assert "subject" in found[f"publication.publication {_url(Publication, 'history', publication.pk)}"]
    reasons = [seen for page, seen in found.items() if page.startswith("audit.auditentry") and "name" in seen]
    assert reasons, "the reveal's reason (it names the writer) is in an audit row the control may read"
