"""Published letters for the demo: a new user sees public letters on the mailbox pages at first run.

The demo's Guangdong publisher and leader take the newest publishable letters (consent given,
replied, not accusing) through the real workflow — proposal by ``analysis.identifying``, submission,
a leader's approval — so the demo shows exactly what the product would publish."""

from __future__ import annotations

from xinfang.accounts.models import User
from xinfang.errors import Refused
from xinfang.publication.selectors import candidates_for
from xinfang.publication.services import publication_approve, publication_propose, publication_submit

DEMO_PUBLISHER = "gd-publisher"
DEMO_LEADER = "gd-leader"


def seed_publications(*, count: int = 12) -> int:
    """Publish up to ``count`` demo letters; returns how many were published."""
    publisher = User.objects.filter(username=DEMO_PUBLISHER, is_active=True).first()
    leader = User.objects.filter(username=DEMO_LEADER, is_active=True).first()
    if publisher is None or leader is None:
        return 0
    published = 0
    for letter in candidates_for(publisher).filter(publication__isnull=True)[: count * 2]:
        try:
            publication = publication_propose(letter=letter, actor=publisher)
            publication_submit(publication=publication, actor=publisher)
            publication_approve(publication=publication, actor=leader)
        except Refused:
            continue  # e.g. a text the detector will not let through unedited: a person would edit it
        published += 1
        if published == count:
            break
    return published
