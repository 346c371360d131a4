"""Models that moved between apps keep their rows: the moves change Django's state, never a table."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.accounts.models import IdentityReveal, User
from xinfang.letters.models import Letter
from xinfang.letters.services import letter_submit
from xinfang.orgs.models import Mailbox
from xinfang.pages.models import ThrottleCount
from xinfang.publication.models import Publication
from xinfang.vocabulary import Channel, LetterType

# The last migrations before the moves (issue 14): the console held IdentityReveal, the portal Publication
# and ThrottleCount.
BEFORE_THE_MOVES = [
    ("accounts", "0007_citizenidentity_normalise_id_number_and_phone"),
    ("console", "0002_identityreveal_add_category"),
    ("portal", "0002_add_throttle_count"),
    ("publication", None),
    ("pages", None),
]
AT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)


@pytest.mark.usefixtures("restores_what_the_flush_removes")
def test_identity_reveals_publications_and_throttle_counts_keep_their_rows_when_their_models_move(
    transactional_db: None, tree: None, citizen: User, acceptor: User, gd_mailbox: Mailbox
) -> None:
    letter = letter_submit(
        mailbox=gd_mailbox, actor=citizen, letter_type=LetterType.SUGGESTION, channel=Channel.WEB,
        subject="建议公开办事指南", text="建议派出所把户籍办理的材料清单贴在门口。", division_code="440106",
    ).letter  # fmt: skip
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVES)
    old = executor.loader.project_state([node for node in BEFORE_THE_MOVES if node[1] is not None]).apps
    reveal = old.get_model("console", "IdentityReveal").objects.create(
        letter_id=letter.pk, actor_id=acceptor.pk, category="legal", reason="纪检监察机关调查需要", at=AT
    )
    public_id = uuid.uuid4()
    publication = old.get_model("portal", "Publication").objects.create(
        public_id=public_id, letter_id=letter.pk, title="关于公开办事指南的建议", published_text="建议公开材料清单。",
        published_reply="已在各派出所公示。", published_at=AT, published_by_id=acceptor.pk,
    )  # fmt: skip
    count = old.get_model("portal", "ThrottleCount").objects.create(
        scope="lookup-client", key="9" * 64, hits=3, window_ends_at=AT
    )
    old_type, _ = ContentType.objects.get_or_create(app_label="portal", model="publication")
    LogEntry.objects.create(
        user_id=acceptor.pk, content_type_id=old_type.pk, object_id=str(publication.pk), object_repr="标题",
        action_flag=CHANGE, change_message="标题",
    )  # fmt: skip

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = IdentityReveal.objects.get(pk=reveal.pk)
    assert (moved.letter_id, moved.actor_id, moved.category, moved.reason, moved.at) == (
        letter.pk, acceptor.pk, IdentityReveal.Category.LEGAL, "纪检监察机关调查需要", AT
    )  # fmt: skip
    released = Publication.objects.get(pk=publication.pk)
    assert (released.public_id, released.letter, released.title, released.published_text) == (
        public_id, letter, "关于公开办事指南的建议", "建议公开材料清单。"
    )  # fmt: skip
    assert (released.published_reply, released.published_at) == ("已在各派出所公示。", AT)
    assert released.published_by == acceptor
    assert Letter.objects.get(pk=letter.pk).publication == released
    counted = ThrottleCount.objects.get(pk=count.pk)
    assert (counted.scope, counted.key, counted.hits, counted.window_ends_at) == ("lookup-client", "9" * 64, 3, AT)
    history = LogEntry.objects.get(object_id=str(publication.pk))
    assert (history.content_type.app_label, history.content_type.model) == ("publication", "publication")
    fresh = MigrationExecutor(connection)
    assert not fresh.migration_plan(fresh.loader.graph.leaf_nodes())  # fully migrated again
