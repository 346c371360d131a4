"""The generated authorisation matrix (issue 7): every role × unit relation × every page that shows a letter.

The world (``tests/security/matrix.py``): four letters to the Guangzhou mailbox in different states, written
by a real-name citizen whose name, phone, ID number and address are canaries, with canary text, subject,
messages, an internal note and file names. They accuse the **Haizhu District branch (440105)**, a county
bureau under Guangzhou: not an ancestor of the handling unit (Tianhe, 440106), so recusal must hide the
letters from Haizhu and its departments while Guangzhou and Guangdong still follow them.

Expected outcomes come from the POLICY TABLE below, written as data from docs/security.md — never from
``xinfang.letters.access``. Every request is one case; every case of the accused side (Haizhu and its
departments) must contain no canary and no tracking number at all. ``test_the_matrix_covers_every_url``
fails when a URL pattern appears that the matrix neither covers nor excludes with a reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db.models import Model
from django.http import HttpResponseBase
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.matrix import (
    ACCUSED_SIDE,
    ACCUSED_WITHOUT_THE_BOX,
    ANONYMOUS,
    IDENTITY,
    LETTER_KEYS,
    MASKED_NAME,
    NOTE,
    PHONE,
    Viewer,
    World,
    all_viewers,
    canaries_in,
    page_text,
)
from xinfang.accounts.models import Role
from xinfang.explanations.models import ExplanationRequest
from xinfang.letters.models import Letter, Message
from xinfang.statistics.selectors import STATISTICS_ROLES

pytestmark = pytest.mark.django_db

# ================================================================ THE POLICY TABLE (docs/security.md)

ALL = frozenset(LETTER_KEYS)
AT_TIANHE = frozenset({"handling", "drafted", "review"})
# Accusing Haizhu only in the officer fields or only in the text (issue 13): in handling at Guangzhou's
# inspection department, where the desk's confirmed accusation sent them.
AT_GZ = frozenset(ACCUSED_WITHOUT_THE_BOX)
NONE: frozenset[str] = frozenset()
ANY_STAFF = frozenset(Role.values)
STAFF_CONTENT = frozenset({"subject", "text", "note", "message_from", "message_to", "file", "note_file"})
WRITER_CONTENT = frozenset({"subject", "text", "message_from", "message_to", "file"})  # never the internal note

# 1. Which letters staff of each unit may open: the units holding a letter (front desk, handling unit,
#    reviewer) and every bureau above them; recusal hides them from the accused bureau and all under it.
SEES: dict[str, frozenset[str]] = {
    "same": AT_TIANHE,  # Tianhe handles three; the fourth is still at Guangzhou's front desk
    "subordinate": AT_TIANHE,  # a department counts as its bureau
    "superior_city": ALL,  # Guangzhou received all four and reviews one
    "superior_province": ALL,
    "sibling": NONE,
    "accused": NONE,
    "under_accused": NONE,
}

# 2. Who may reveal the writer's identity: the front desk (seat agents, acceptors) of the intake
#    bureau, and handlers and leaders of the handling bureau. Everyone else sees it masked.
REVEALS: dict[tuple[str, str], frozenset[str]] = {
    ("superior_city", Role.SEAT_AGENT): ALL,
    ("superior_city", Role.ACCEPTOR): ALL,
    ("superior_city", Role.HANDLER): AT_GZ,
    ("superior_city", Role.LEADER): AT_GZ,
    ("same", Role.HANDLER): AT_TIANHE,
    ("same", Role.LEADER): AT_TIANHE,
    ("subordinate", Role.HANDLER): AT_TIANHE,
    ("subordinate", Role.LEADER): AT_TIANHE,
}

# 3. Who may ask the accused unit for an explanation: handlers and leaders of the unit owing the next step.
ASKS: dict[tuple[str, str], frozenset[str]] = {
    ("same", Role.HANDLER): AT_TIANHE,
    ("same", Role.LEADER): AT_TIANHE,
    ("subordinate", Role.HANDLER): AT_TIANHE,
    ("subordinate", Role.LEADER): AT_TIANHE,
    ("superior_city", Role.HANDLER): frozenset({"received"}) | AT_GZ,
    ("superior_city", Role.LEADER): frozenset({"received"}) | AT_GZ,
}

# 4. Who reads an explanation request: leaders of the accused bureau (and of its departments) only.
ANSWERS_EXPLANATIONS = frozenset({("accused", Role.LEADER), ("under_accused", Role.LEADER)})

LOGIN = "sign-in"  # a redirect to a sign-in page


@dataclass(frozen=True)
class Expect:
    status: int | str
    identity: str = "none"  # "clear", "masked" or "none"
    shows: frozenset[str] = NONE  # content canaries shown (of those the letter has)
    letters: frozenset[str] | None = None  # tracking numbers shown (None: not checked)
    reveal_button: bool | None = None
    # Other letters the page may list besides ``letters`` (the desk's earlier letters on the same
    # matter): only ever letters the viewer may open.
    may_also_list: frozenset[str] = NONE


def _gated(viewer: Viewer, roles: frozenset[str], *, citizen: int | str = 403) -> Expect | None:
    """The console's gate: anonymous visitors sign in, citizens are refused, staff need one of ``roles``."""
    if viewer.key == ANONYMOUS:
        return Expect(LOGIN)
    if viewer.is_citizen:
        return Expect(citizen)
    if viewer.role not in roles:
        return Expect(403)
    return None


def _portal(viewer: Viewer, allowed: Expect) -> Expect:
    """The citizen portal: the writer's own pages; another citizen 404; staff 403; anonymous sign in."""
    if viewer.key == ANONYMOUS:
        return Expect(LOGIN)
    if viewer.is_staff:
        return Expect(403)
    return allowed if viewer.key == "writer" else Expect(404)


# ---------------------------------------------------------------- pages of one letter (GET)


def letter_page(viewer: Viewer, letter: str) -> Expect:
    gate = _gated(viewer, ANY_STAFF)
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    reveal = letter in REVEALS.get((viewer.relation, viewer.role), NONE)
    return Expect(200, "masked", STAFF_CONTENT, frozenset({letter}), reveal)


def desk_letter(viewer: Viewer, letter: str) -> Expect:
    gate = _gated(viewer, frozenset({Role.ACCEPTOR}))
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    reveal = letter in REVEALS.get((viewer.relation, viewer.role), NONE)
    earlier = SEES[viewer.relation] - {letter}  # the repeat-candidates panel (tests/console/test_desk_repeats.py)
    # The acceptance page lists the writer's attachments (only the "handling" letter has one); never internal files.
    shows = frozenset({"subject", "text"}) | (frozenset({"file"}) if letter == "handling" else NONE)
    return Expect(200, "masked", shows, frozenset({letter}), reveal, earlier)


def identity_page(viewer: Viewer, letter: str) -> Expect:
    gate = _gated(viewer, ANY_STAFF)
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    if letter not in REVEALS.get((viewer.relation, viewer.role), NONE):
        return Expect(403)
    return Expect(200, "masked", NONE, frozenset({letter}))


def call_registered(viewer: Viewer, letter: str) -> Expect:
    gate = _gated(viewer, frozenset({Role.SEAT_AGENT}))
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    return Expect(200, "masked", frozenset({"subject"}), frozenset({letter}))


def call_receipt(viewer: Viewer, letter: str) -> Expect:
    """The caller's receipt (JSON: the tracking number and hashes): staff who may see the letter. No seat
    registered these letters, so the registering seat's own right (tests/console/test_seat_receipt.py) is
    not in play."""
    gate = _gated(viewer, ANY_STAFF)
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    return Expect(200, "none", NONE, frozenset({letter}))


def explanation_form(viewer: Viewer, letter: str) -> Expect:
    gate = _gated(viewer, ANY_STAFF)
    if gate is not None:
        return gate
    if letter not in SEES[viewer.relation]:
        return Expect(404)
    if letter not in ASKS.get((viewer.relation, viewer.role), NONE):
        return Expect(403)
    return Expect(200, "none", frozenset({"text"}), frozenset({letter}))  # the text, redacted, to edit


def portal_letter(viewer: Viewer, letter: str) -> Expect:
    return _portal(viewer, Expect(200, "none", WRITER_CONTENT, frozenset({letter})))


def portal_submitted(viewer: Viewer, letter: str) -> Expect:
    return _portal(viewer, Expect(200, "none", NONE, frozenset({letter})))


def nobody(viewer: Viewer, letter: str) -> Expect:
    """Pages no one opens by a letter's id alone (a lookup needs the query code; a publication has its own id)."""
    return Expect(404)


def _no_back_office(viewer: Viewer) -> Expect:
    """Staff signed in with both factors but without admin rights are told so (403); others go to sign in."""
    return Expect(403) if viewer.is_staff else Expect(LOGIN)


def admin_letter(shows: frozenset[str]) -> Callable[[Viewer, str], Expect]:
    """The Django admin: superusers only (administrators), and only the letters their unit may see
    (recusal included); never the identity nor the letter's text. A letter out of reach is "not
    found": the admin sends the user back to its index, as for a deleted one."""

    def expect(viewer: Viewer, letter: str) -> Expect:
        if viewer.role != Role.ADMINISTRATOR:
            return _no_back_office(viewer)
        if letter not in SEES[viewer.relation]:
            return Expect(302)
        return Expect(200, "none", shows, frozenset({letter}))

    return expect


def explanation_detail(viewer: Viewer, target: str) -> Expect:
    gate = _gated(viewer, frozenset({Role.LEADER}))
    if gate is not None:
        return gate
    if (viewer.relation, viewer.role) not in ANSWERS_EXPLANATIONS:
        return Expect(404)
    return Expect(200, "none", NONE, NONE)


def attachment(viewer: Viewer, target: str) -> Expect:
    """Files: staff who may open the letter; the writer their own, never an internal one; anyone else 404."""
    if viewer.is_staff:
        return Expect(200, shows=frozenset({target})) if "handling" in SEES[viewer.relation] else Expect(404)
    if viewer.key == "writer" and target == "file":
        return Expect(200, shows=frozenset({"file"}))
    return Expect(404)


# page → (targets: letters or objects, expected outcome)
DETAIL: dict[str, tuple[tuple[str, ...], Callable[[Viewer, str], Expect]]] = {
    "console:letter": (("received", "handling", *ACCUSED_WITHOUT_THE_BOX), letter_page),
    "console:desk_letter": (("received", "handling", *ACCUSED_WITHOUT_THE_BOX), desk_letter),
    "console:identity_reveal": (("handling", *ACCUSED_WITHOUT_THE_BOX), identity_page),
    "console:call_registered": (("received", "handling", *ACCUSED_WITHOUT_THE_BOX), call_registered),
    "console:call_receipt": (("received", "handling", *ACCUSED_WITHOUT_THE_BOX), call_receipt),
    "console:explanations:new": (("received", "handling"), explanation_form),
    "console:explanations:detail": (("explanation",), explanation_detail),
    "portal:letter": (("received", "handling"), portal_letter),
    "portal:submitted": (("handling",), portal_submitted),
    "portal:lookup_letter": (("handling",), nobody),
    "portal:published_detail": (("handling",), nobody),
    "files:attachment_download": (("file", "note_file"), attachment),
    "admin:letters_letter_change": (("received", "handling"), admin_letter(frozenset({"subject"}))),
    "admin:letters_letter_history": (("handling",), admin_letter(NONE)),
}


# ---------------------------------------------------------------- list pages (GET)


@dataclass(frozen=True)
class ListPage:
    roles: frozenset[str]  # staff roles the page is for (others 403)
    letters: dict[str, frozenset[str]]  # unit relation → letters listed
    identity: str = "none"  # how a listed writer appears
    subject: bool = True  # rows show the subject


LISTS: dict[str, ListPage] = {
    "console:home": ListPage(ANY_STAFF, {}),
    "console:desk_queue": ListPage(frozenset({Role.ACCEPTOR}), {"superior_city": frozenset({"received"})}, "masked"),
    "console:work": ListPage(
        frozenset({Role.HANDLER, Role.LEADER}),
        {
            "same": frozenset({"handling", "drafted"}),
            "subordinate": frozenset({"handling", "drafted"}),
            "superior_city": frozenset({"review"}) | AT_GZ,
        },
    ),
    "console:approvals": ListPage(
        frozenset({Role.LEADER}), {"same": frozenset({"drafted"}), "subordinate": frozenset({"drafted"})}
    ),
    # Under supervision (the order on ``handling``) or under review, for the leaders of every bureau holding them.
    "console:important": ListPage(
        frozenset({Role.LEADER}),
        {
            relation: frozenset({"handling", "review"})
            for relation in ("same", "subordinate", "superior_city", "superior_province")
        },
    ),
    # Figures of the viewer's bureau and its subtree, read from the rollups: counts, never a letter.
    "console:statistics": ListPage(STATISTICS_ROLES, {}),
    "console:statistics_assessment": ListPage(STATISTICS_ROLES, {}),
    "console:statistics_hotspots": ListPage(STATISTICS_ROLES, {}),
    # The periodic reports of the viewer's bureau: a list of stored files (none in this world), never a letter.
    "console:statistics_reports": ListPage(STATISTICS_ROLES, {}),
    # The drill-down: letters of the viewer's bureau's subtree received this month that the viewer may open.
    # All the world's letters are of this month and taken in or handled under Guangzhou: each viewer's SEES.
    "console:statistics_letters": ListPage(STATISTICS_ROLES, SEES),
    "console:supervision": ListPage(frozenset({Role.INSPECTOR}), {}),  # counts of late letters: none is late
    # What each bureau owes: Tianhe two letters; Guangzhou (front desk, reviewer) and Guangdong all four.
    "console:supervision_letters": ListPage(
        frozenset({Role.INSPECTOR}),
        {
            "same": frozenset({"handling", "drafted"}),
            "subordinate": frozenset({"handling", "drafted"}),
            "superior_city": ALL,
            "superior_province": ALL,
        },
    ),
    "console:supervision_orders": ListPage(
        frozenset({Role.INSPECTOR}), {"superior_city": frozenset({"handling"})}, subject=False
    ),
    # The screen-pop with the canary phone (posted): the caller masked and the earlier letters, only for seats
    # whose bureau holds the Guangzhou mailbox the letters came through; to any other seat the caller is
    # unknown, exactly as a number without an account.
    "console:call": ListPage(
        frozenset({Role.SEAT_AGENT}), {r: SEES[r] for r in ("superior_city", "superior_province")}, "masked"
    ),
    "console:explanations:inbox": ListPage(frozenset({Role.LEADER}), {}),
    # Early warnings (analysis.early_warning): none in this world; inspectors only.
    "console:warnings": ListPage(frozenset({Role.INSPECTOR}), {}),
    # Publication (issue 18): candidates are replied letters with the writer's consent; none here is replied.
    "console:publication": ListPage(frozenset({Role.PUBLISHER}), {}),
    "console:publication_approvals": ListPage(frozenset({Role.LEADER}), {}),
}
# Pages every signed-in person has, listing only their own things (rows checked against SEES).
OWN_LISTS = ("notifications:inbox", "portal:my_letters", "portal:lookup", "admin:letters_letter_changelist")


def list_expect(page: str, viewer: Viewer) -> Expect:
    if page == "portal:my_letters":
        if viewer.key == "other_citizen":
            return Expect(200, "none", NONE, NONE)
        return _portal(viewer, Expect(200, "none", frozenset({"subject"}), ALL))
    if page == "portal:lookup":
        return Expect(200, "none", NONE, NONE)
    if page == "admin:letters_letter_changelist":
        if viewer.role != Role.ADMINISTRATOR:
            return _no_back_office(viewer)
        return Expect(200, "none", NONE, SEES[viewer.relation])
    if page == "console:home" and viewer.role == Role.ANALYST:
        return Expect(302)  # an analyst's home is the statistics page
    if page == "console:home" and viewer.role == Role.PUBLISHER:
        return Expect(302)  # a publisher's home is the publication candidates
    spec = LISTS[page]
    gate = _gated(viewer, spec.roles)
    if gate is not None:
        return gate
    letters = spec.letters.get(viewer.relation, NONE)
    identity = "masked" if spec.identity == "masked" and letters else "none"
    return Expect(200, identity, frozenset({"subject"}) if letters and spec.subject else NONE, letters)


# ---------------------------------------------------------------- actions (POST), for the side that may not act

POSTS = (
    "console:letter_action",
    "console:desk_letter",
    "console:desk_apply_suggestions",
    "console:desk_link_repeat",
    "console:identity_reveal",
    "console:desk_bulk",
    "console:explanations:withdraw",
    "console:publication_propose",
    "portal:letter_action",
)


def post_expect(page: str, viewer: Viewer, letter: str) -> Expect | None:
    """The refusal the table promises, or None where the viewer may act (not tried: the world is shared)."""
    if page == "portal:letter_action":
        return None if viewer.key == "writer" else portal_letter(viewer, letter)
    roles = {"console:desk_letter": frozenset({Role.ACCEPTOR}), "console:desk_bulk": frozenset({Role.ACCEPTOR}),
             "console:desk_apply_suggestions": frozenset({Role.ACCEPTOR}),
             "console:desk_link_repeat": frozenset({Role.ACCEPTOR}),
             "console:publication_propose": frozenset({Role.PUBLISHER})}  # fmt: skip
    gate = _gated(viewer, roles.get(page, ANY_STAFF))
    if gate is not None:
        return gate
    if page == "console:desk_bulk":
        return Expect(200) if not SEES[viewer.relation] else None  # letters it cannot see are left alone
    if page == "console:identity_reveal":
        reveal = identity_page(viewer, letter)
        return Expect(200, "clear", NONE, frozenset({letter})) if reveal.status == 200 else reveal
    return Expect(404) if letter not in SEES[viewer.relation] else None


# ================================================================ the cases

VIEWERS = all_viewers()
SAMPLE_RECIPIENTS = ("writer", "handler@same")


def post_targets(page: str, viewer: Viewer) -> list[str]:
    letters: tuple[str, ...] = ("received", "handling")
    if page in ("console:explanations:withdraw", "portal:letter_action", "console:desk_bulk"):
        letters = ("handling",)
    return [letter for letter in letters if post_expect(page, viewer, letter) is not None]


def all_cases() -> list[tuple[str, str, str]]:
    """Every (page, viewer, target) the matrix requests: the number reported in docs/security.md."""
    cases = [(p, v.key, t) for p, (targets, _e) in DETAIL.items() for v in VIEWERS for t in targets]
    cases += [(p, v.key, "list") for p in (*LISTS, *OWN_LISTS) for v in VIEWERS]
    cases += [(p, v.key, t) for p in POSTS for v in VIEWERS for t in post_targets(p, v)]
    cases += [("notifications:open", v.key, r) for v in VIEWERS for r in SAMPLE_RECIPIENTS]
    return cases


# ================================================================ checking a response


@pytest.fixture(autouse=True)
def _quiet_refusals() -> Iterator[None]:
    """Thousands of expected 403/404s: Django's request log would only drown a real failure."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def problems(
    world: World, viewer: Viewer, response: HttpResponseBase, expect: Expect, *, letter: str = "", echoed: str = ""
) -> list[str]:
    """What differs from the table (empty: the case passes). ``echoed`` is a value the viewer typed in."""
    text = page_text(response)
    if echoed:
        text = text.replace(echoed, "")
    found = canaries_in(text)
    listed = {key for key, item in world.letters.items() if item.tracking_number in text}
    bad = []
    if viewer.accused_side and (found or listed):
        bad.append(f"ACCUSED SIDE SEES {sorted(found)} letters {sorted(listed)}")
    status = response.status_code
    if expect.status == LOGIN:
        location = response.get("Location", "")
        if status != 302 or not re.search(r"login|sign-in", location):
            bad.append(f"status {status} {location}, expected a redirect to sign in")
        return bad
    if status != expect.status:
        return [*bad, f"status {status}, expected {expect.status}"]
    clear = found & set(IDENTITY)
    if expect.identity == "clear" and clear != set(IDENTITY):
        bad.append(f"identity not in clear: only {sorted(clear)}")
    if expect.identity != "clear" and clear:
        bad.append(f"identity in clear: {sorted(clear)}")
    if (MASKED_NAME in text) != (expect.identity == "masked"):
        bad.append(f"masked name {'missing' if expect.identity == 'masked' else 'shown'}")
    content = found - set(IDENTITY)
    wanted = expect.shows & _content_of(letter)
    if content != wanted:
        bad.append(f"content {sorted(content)}, expected {sorted(wanted)}")
    if expect.letters is not None and not expect.letters <= listed <= expect.letters | expect.may_also_list:
        bad.append(f"letters {sorted(listed)}, expected {sorted(expect.letters)}")
    if expect.reveal_button is not None and letter in world.letters:
        button = f'action="/console/identity/{world.letters[letter].public_id}/"' in text
        if button != expect.reveal_button:
            bad.append(f"reveal button {'shown' if button else 'missing'}")
    return bad


def _content_of(target: str) -> frozenset[str]:
    """The content canaries a target carries (the ``handling`` letter has them all)."""
    if target == "handling":
        return STAFF_CONTENT
    if target in LETTER_KEYS:
        return frozenset({"subject", "text"})
    if target in ("file", "note_file"):
        return frozenset({target})
    return STAFF_CONTENT  # lists and other pages: whatever the table says they show


def _report(bad: list[str]) -> None:
    assert not bad, "\n".join(bad)


def _url(world: World, page: str, target: str) -> str:
    if target == "explanation":
        return f"/console/explanations/{world.explanation.public_id}/"
    if target in ("file", "note_file"):
        stored = world.citizen_file if target == "file" else world.note_file
        return f"/files/attachments/{stored.public_id}/"
    letter = world.letters[target]
    pid = letter.public_id
    return {
        "console:letter": f"/console/letters/{pid}/",
        "console:desk_letter": f"/console/desk/{pid}/",
        "console:identity_reveal": f"/console/identity/{pid}/",
        "console:call_registered": f"/console/call/registered/{pid}/",
        "console:call_receipt": f"/console/call/registered/{pid}/receipt.json",
        "console:explanations:new": f"/console/explanations/new/{pid}/",
        "portal:letter": f"/my/letters/{pid}/",
        "portal:submitted": f"/my/letters/{pid}/submitted/",
        "portal:lookup_letter": f"/lookup/{pid}/",
        "portal:published_detail": f"/m/{world.mailbox.slug}/published/{pid}/",
        "admin:letters_letter_change": f"/admin/letters/letter/{letter.pk}/change/",
        "admin:letters_letter_history": f"/admin/letters/letter/{letter.pk}/history/",
    }[page]


def _client(world: World, viewer: Viewer) -> Client:
    return world.clients[viewer.key]


# ================================================================ the tests
#
# One test per page runs every viewer (a failure lists every bad case).


def _detail_case(world: World, page: str, viewer: Viewer) -> list[str]:
    targets, expect = DETAIL[page]
    bad = []
    for target in targets:
        response = _client(world, viewer).get(_url(world, page, target))
        found = problems(world, viewer, response, expect(viewer, target), letter=target)
        bad += [f"{page} {viewer.key} {target}: {p}" for p in found]
    return bad


LIST_PATHS = {
    "console:home": "/console/",
    "console:desk_queue": "/console/desk/",
    "console:work": "/console/work/",
    "console:approvals": "/console/approvals/",
    "console:important": "/console/important/",
    "console:supervision": "/console/supervision/",
    "console:supervision_letters": "/console/supervision/letters/",
    "console:supervision_orders": "/console/supervision/orders/",
    "console:call": "/console/call",  # the number is posted (_list_case)
    "console:explanations:inbox": "/console/explanations/",
    "console:warnings": "/console/warnings/",
    "console:statistics": "/console/statistics/",
    "console:statistics_assessment": "/console/statistics/assessment/",
    "console:statistics_hotspots": "/console/statistics/hotspots/",
    "console:statistics_letters": "/console/statistics/letters/",
    "console:statistics_reports": "/console/statistics/reports/",
    "console:publication": "/console/publication/",
    "console:publication_approvals": "/console/publication/approvals/",
    "notifications:inbox": "/inbox/",
    "portal:my_letters": "/my/letters/",
    "portal:lookup": "/lookup/",
    "admin:letters_letter_changelist": "/admin/letters/letter/",
}


def _list_case(world: World, page: str, viewer: Viewer) -> list[str]:
    client = _client(world, viewer)
    if page == "console:call":
        response = client.post(LIST_PATHS[page], {"action": "lookup", "number": PHONE})
    else:
        response = client.get(LIST_PATHS[page])
    if page == "notifications:inbox":
        bad = _inbox_problems(world, viewer, response)
    else:
        echoed = PHONE if page == "console:call" else ""  # the agent typed the number in
        bad = problems(world, viewer, response, list_expect(page, viewer), echoed=echoed)
    return [f"{page} {viewer.key}: {p}" for p in bad]


def _inbox_problems(world: World, viewer: Viewer, response: HttpResponseBase) -> list[str]:
    """Who is told what is the notifications' own policy (tests/notifications); the matrix holds that no
    one is told of a letter they may not open, and that no identity is in clear."""
    if viewer.key == ANONYMOUS:
        return problems(world, viewer, response, Expect(LOGIN))
    may_open = ALL if viewer.key == "writer" else SEES.get(viewer.relation, NONE)
    text = page_text(response)
    listed = frozenset(key for key, item in world.letters.items() if item.tracking_number in text)
    bad = problems(world, viewer, response, Expect(200, "none", NONE, None))
    if not listed <= may_open:
        bad.append(f"told of letters {sorted(listed - may_open)} it may not open")
    return bad


def _snapshot(world: World) -> tuple[object, ...]:
    letters = tuple(Letter.objects.filter(pk__in=[item.pk for item in world.letters.values()]).order_by("pk")
                    .values_list("state", "version", "handling_unit"))  # fmt: skip
    return letters, Message.objects.count(), tuple(ExplanationRequest.objects.values_list("status", flat=True))


def _post(world: World, page: str, viewer: Viewer, target: str) -> HttpResponseBase:
    letter = world.letters[target]
    pid, client = letter.public_id, _client(world, viewer)
    if page == "console:letter_action":
        return client.post(f"/console/letters/{pid}/do/note/", {"note-text": NOTE})
    if page == "console:desk_letter":
        return client.post(f"/console/desk/{pid}/", {"action": "accept", "accept-version": letter.version})
    if page == "console:desk_apply_suggestions":
        data = {"version": letter.version, "division_code": "440106", "police_type": "public_order"}
        return client.post(f"/console/desk/{pid}/suggestions", data)
    if page == "console:desk_link_repeat":
        earlier = next(item for key, item in world.letters.items() if key != target)
        data = {"earlier": str(earlier.public_id), "version": letter.version}
        return client.post(f"/console/desk/{pid}/repeat", data)
    if page == "console:identity_reveal":
        return client.post(f"/console/identity/{pid}/", {"category": "verify", "reason": "核实信访人身份"})
    if page == "console:desk_bulk":
        ticked = [f"{item.public_id}:{item.version}" for item in world.letters.values()]
        return client.post("/console/desk/bulk", {"action": "accept", "letters": ticked})
    if page == "console:explanations:withdraw":
        return client.post(f"/console/explanations/{world.explanation.public_id}/withdraw/")
    if page == "console:publication_propose":
        return client.post(f"/console/publication/letters/{pid}/propose")
    return client.post(f"/my/letters/{pid}/message/", {"text": NOTE})


def _post_case(world: World, page: str, viewer: Viewer) -> list[str]:
    before = _snapshot(world)
    bad = []
    for target in post_targets(page, viewer):
        expect = post_expect(page, viewer, target)
        assert expect is not None
        response = _post(world, page, viewer, target)
        bad += [f"POST {page} {viewer.key} {target}: {p}" for p in problems(world, viewer, response, expect,
                                                                              letter=target)]  # fmt: skip
    if _snapshot(world) != before:
        bad.append(f"POST {page} {viewer.key}: the letters changed")
    return bad


def _notification_case(world: World, viewer: Viewer) -> list[str]:
    bad = []
    for recipient in SAMPLE_RECIPIENTS:
        notification = next(n for n in world.notifications if n.recipient_id == world.users[recipient].pk)
        response = _client(world, viewer).get(f"/inbox/{notification.public_id}/")
        if viewer.key == ANONYMOUS:
            expect = Expect(LOGIN)
        elif viewer.key == recipient:
            about = frozenset(k for k, item in world.letters.items() if item.pk == notification.letter_id)
            expect = Expect(200, "none", NONE, about)
        else:
            expect = Expect(404)
        bad += [
            f"notifications:open {recipient}'s {viewer.key}: {p}" for p in problems(world, viewer, response, expect)
        ]
    return bad


def _every_viewer(page: str, case: Callable[[Viewer], list[str]]) -> None:
    bad = [problem for viewer in VIEWERS for problem in case(viewer)]
    _report(bad)


@pytest.mark.parametrize("page", DETAIL)
def test_pages_of_a_letter(world: World, page: str) -> None:
    _every_viewer(page, lambda viewer: _detail_case(world, page, viewer))


@pytest.mark.parametrize("page", LIST_PATHS)
def test_list_pages(world: World, page: str) -> None:
    _every_viewer(page, lambda viewer: _list_case(world, page, viewer))


@pytest.mark.parametrize("page", POSTS)
def test_actions_are_refused_and_change_nothing(world: World, page: str) -> None:
    _every_viewer(f"POST {page}", lambda viewer: _post_case(world, page, viewer))


def test_notifications_open_for_their_recipient_only(world: World) -> None:
    _every_viewer("notifications:open", lambda viewer: _notification_case(world, viewer))


# ================================================================ coverage and count

# URL patterns that show no letter, with the reason; every other pattern must be in the matrix.
EXCLUDED = {
    "set_language": "switches the language; shows nothing",
    "signin:*": "staff sign-in, second factor and the account's security page: no letter",
    "portal:sign_up": "account pages: no letter",
    "portal:sign_in": "account pages: no letter",
    "portal:sign_in_code": "account pages: no letter",
    "portal:reset_password": "account pages: no letter",
    "portal:sign_out": "account pages: no letter",
    "portal:send_code": "sends an SMS code: no letter",
    "portal:oidc_start": "sends the citizen to the identity platform: no letter",
    "portal:oidc_callback": "signs in whom the identity platform vouched for, no letter: "
    "tests/accounts/test_oidc_sign_in.py",
    "portal:my_identity": "the signed-in citizen's own identity, no letter: tests/accounts/test_verification.py",
    "portal:home": "public front door: mailboxes only",
    "portal:mailbox": "public mailbox page: published letters only (none here)",
    "portal:published_list": "public list of publications (none here; a publication has its own id)",
    "portal:places": "JSON of place names",
    "portal:write": "the writing form: no existing letter",
    "portal:public_statistics": "a mailbox's public figures: counts from the rollups, never a letter "
    "(tests/statistics/test_public_page.py)",
    "portal:embed_script": "the embedding script of a mailbox: its name and addresses, no letter",
    "portal:embed_frame": "the embedded mailbox window: the mailbox's own text, no letter (tests/portal/test_embed.py)",
    "console:call_emergency_check": "JSON: emergency words found in text the agent is typing",
    "console:lookup_divisions": "JSON of divisions for a picker",
    "console:lookup_units": "JSON of units for a picker",
    "notifications:read_all": "marks the user's own notifications read; shows nothing",
    "portal:transparency_*": "the public transparency log: signed heads, proofs and the verifier; hashes only",
    # Owner-only like portal:letter (letter_for) / the session's lookup grant; another citizen and an
    # anonymous visitor are refused in tests/portal/test_transparency.py (the receipt exists only after commit).
    "portal:receipt_mine": "the writer's receipt (JSON): tests/portal/test_transparency.py",
    "portal:receipt_looked_up": "the looked-up letter's receipt (JSON): tests/portal/test_transparency.py",
    # A notice PDF exists only after the worker's job; owner / recusal checks in tests/notices/test_notices.py.
    "portal:notice_download": "the writer's own notice (PDF): tests/notices/test_notices.py",
    "console:statistics_export": "a spreadsheet of a statistics page or of the drill-down (the same query as "
    "console:statistics_letters, writers masked): tests/statistics/test_pages.py",
    "console:statistics_report_download": "a periodic report (PDF, .xlsx) of a unit in the viewer's subtree, "
    "writers masked; scope and audit in tests/statistics/test_reports.py",
    "console:notice_download": "a notice of a letter the staff member may open (PDF): tests/notices/test_notices.py",
    "favicon": "the product's icon",
    "demo:outbox": "demo mode only: the demo's SMS and e-mail for staff (404 outside demo mode, citizens refused): "
    "tests/notifications/test_demo_outbox.py",
    "files:attachment_preview": "an attachment shown in place: the same rule as files:attachment_download "
    "(attachment_for), staff only: tests/console/test_letter_page_small_things.py",
    "console:letters_export": "a letter list as .xlsx: the list's own page roles and query, then only letters the "
    "viewer may see, writers masked: tests/statistics/test_list_exports.py",
    "console:exports": "the requester's own exports: tests/statistics/test_list_exports.py",
    "console:export_download": "an export's file, to its requester only (404 to anyone else): "
    "tests/statistics/test_list_exports.py",
    # A publication exists only for a replied letter with consent (none in this world).
    "console:publication_detail": "one publication of a letter the staff member may open: "
    "tests/publication/test_pages.py::test_staff_without_the_role_or_the_letter_are_refused",
    # The partner API answers a partner's token, never a session: a letter only to whoever holds its
    # tracking number and query code within the token's mailboxes, the screen-pop through the seat's own
    # look-up (caller_look_up), published letters only.
    "api_v1:*": "the partner API (Bearer tokens, no session): tests/api/test_letters.py::test_it_validates_ownership, "
    "tests/api/test_tokens.py::test_every_operation_refuses_a_missing_or_wrong_key, "
    "tests/api/test_screen_pop.py, tests/api/test_fuzz.py (ignored_auth)",
    # Open311 has no session either: the list shows published letters, a letter by number needs its
    # query code unless published; a submission needs a partner token holding letters:submit.
    "open311:*": "Open311 GeoReport v2 (api_key, no session): "
    "tests/open311/test_open311.py::test_it_validates_ownership, "
    "::test_a_bad_api_key_is_refused_in_open311_error_format, ::test_the_public_never_sees_the_writer_or_the_letter, "
    "tests/open311/test_who_reads_what.py",
}
COVERED = {*DETAIL, *LISTS, *OWN_LISTS, *POSTS, "notifications:open"}
# Admin pages of models that hold or point at a letter: covered above, or excluded here with the reason.
LETTER_ADMIN_EXCLUDED = {
    "admin:letters_letter_add": "the letter admin is read-only: add refused to everyone",
    "admin:letters_letter_delete": "the letter admin is read-only: delete refused to everyone",
    # The walk of every admin page by a superuser of the accused bureau: tests/security/test_admin_confidentiality.py.
    "admin:letters_supervisionorder_*": "superusers only, scoped like the letter admin; admin confidentiality walk",
    "admin:notifications_notification_*": "superusers only, the letters' own scope; admin confidentiality walk",
    "admin:notifications_delivery_*": "superusers only, the letters' own scope; admin confidentiality walk",
    "admin:publication_publication_*": "superusers only, the letters' own scope; admin confidentiality walk",
    "admin:notices_notice_*": "superusers only, read-only, the letters' own scope (LetterScopedAdmin)",
    "admin:mailin_inboundmessage_*": "superusers only, read-only, the letters' own scope (LetterScopedAdmin)",
}


def _reaches_letter(model: type[Model], hops: int = 2) -> bool:
    """The model is a letter or points at one within ``hops`` foreign keys (a delivery → its notification → letter)."""
    if model is Letter:
        return True
    related = [f.related_model for f in model._meta.get_fields() if f.many_to_one or f.one_to_one]
    return hops > 0 and any(isinstance(r, type) and _reaches_letter(r, hops - 1) for r in related if r is not model)


def _letter_admin_prefixes() -> tuple[str, ...]:
    return tuple(f"admin:{m._meta.app_label}_{m._meta.model_name}_" for m in admin.site._registry if _reaches_letter(m))


def _names(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _names(pattern, inner or namespace)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name or ""), str(pattern.pattern)


def _excluded(name: str, table: dict[str, str]) -> bool:
    return any(name == key or (key.endswith("*") and name.startswith(key[:-1])) for key in table)


def test_the_matrix_covers_every_url() -> None:
    """A new page (an export, another app's letter page) fails here until it is in the matrix or excluded."""
    missing = []
    letter_admin = _letter_admin_prefixes()
    for name, route in _names(get_resolver()):
        if name.startswith("admin:"):
            if name.startswith(letter_admin) and name not in COVERED and not _excluded(name, LETTER_ADMIN_EXCLUDED):
                missing.append(f"{name} ({route})")
            continue
        if name not in COVERED and not _excluded(name, EXCLUDED):
            missing.append(f"{name} ({route})")
    assert not missing, "URL patterns the authorisation matrix does not cover:\n" + "\n".join(missing)


MINIMUM_CASES = 2564  # the number docs/security.md reports


def test_the_matrix_runs_at_least_the_reported_number_of_cases() -> None:
    cases = all_cases()
    accused = [c for c in cases if c[1].split("@")[-1] in ACCUSED_SIDE]
    print(f"\nauthorisation matrix: {len(cases)} cases, {len(accused)} of them on the accused side")
    assert len(cases) >= MINIMUM_CASES
