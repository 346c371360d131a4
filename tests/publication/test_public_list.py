"""The public list of a mailbox's published letters at scale (issue 18 §1, "fast at 100,000"): it never
counts every match — the total is exact up to a cap and "more than" above it — pages go no deeper
than a limit, an old link past the end shows the last page, and the month filter is a range of the
local month. The cap and the page size are made small here; scripts/bench_publication.py measures
the real ones at 100,000 published letters (docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import text_of
from xinfang.letters.models import Letter
from xinfang.orgs.models import Mailbox, Unit
from xinfang.publication import selectors
from xinfang.publication.models import Publication, PublicationState

pytestmark = pytest.mark.django_db


def published_rows(mailbox: Mailbox, unit: Unit, titles: list[str], at: dt.datetime | None = None) -> None:
    """Replied letters already published, stored the way scripts/bench_publication.py stores 100,000
    (the workflow itself is tested in test_services.py and test_pages.py)."""
    at = at or timezone.now() - dt.timedelta(hours=1)
    letters = Letter.objects.bulk_create(
        Letter(
            tracking_number=f"GD-T{i:09d}", query_code_hash="-", mailbox=mailbox, letter_type="suggestion",
            channel="web", subject=title, text=f"{title}。", state="replied", intake_unit=mailbox.owner,
            handling_unit=unit, received_at=at - dt.timedelta(days=20), replied_at=at, reply_text="已采纳。",
            consent_to_publish=True,
        )
        for i, title in enumerate(titles)
    )  # fmt: skip
    Publication.objects.bulk_create(
        Publication(
            letter=letter, mailbox=mailbox, unit=unit, state=PublicationState.PUBLISHED, title=letter.subject,
            published_text=letter.text, published_reply=letter.reply_text,
            published_at=at - dt.timedelta(minutes=i),
        )
        for i, letter in enumerate(letters)
    )  # fmt: skip


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "PUBLIC_PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 3)
    monkeypatch.setattr(selectors, "MAX_PUBLIC_PAGE", 3)


def test_above_the_cap_the_list_says_more_than_and_pages_on_without_a_last_page(
    client: Client, gd_mailbox: Mailbox, tianhe: Unit, small_pages: None
) -> None:
    published_rows(gd_mailbox, tianhe, [f"户籍窗口第{i}号建议" for i in range(7)])
    first = text_of(client.get("/m/gd/published/", {"q": "户籍窗口"}))
    assert "超过 3 封" in first and "第 1 页" in first and "下一页" in first and "上一页" not in first
    response = client.get("/m/gd/published/", {"q": "户籍窗口", "page": "3"})
    third = text_of(response)
    assert "户籍窗口第4号建议" in third and "上一页" in third
    assert "page=2" in response.content.decode() and "q=%E6%88%B7" in response.content.decode()  # keeps the search
    assert "下一页" not in third  # no deeper than MAX_PUBLIC_PAGE, though 7 letters would need 4 pages
    assert "户籍窗口第4号建议" in text_of(client.get("/m/gd/published/", {"q": "户籍窗口", "page": "99"}))


def test_below_the_cap_the_total_and_the_pages_are_exact_and_an_old_link_shows_the_last_page(
    client: Client, gd_mailbox: Mailbox, tianhe: Unit, small_pages: None
) -> None:
    published_rows(gd_mailbox, tianhe, ["户籍窗口周末开放", "夜间施工噪音", "户籍迁移材料"])
    first = text_of(client.get("/m/gd/published/", {"q": "户籍"}))
    assert "共 2 封" in first and "下一页" not in first and "第 1 / 1 页" not in first  # one page: no pager
    assert "共 3 封" in text_of(client.get("/m/gd/published/"))
    past_the_end = text_of(client.get("/m/gd/published/", {"page": "9"}))
    assert "第 2 / 2 页" in past_the_end and "户籍迁移材料" in past_the_end
    english = text_of(client.get("/m/gd/published/", {"q": "户籍"}, headers={"accept-language": "en"}))
    assert "2 letters" in english


def test_a_page_never_counts_more_matches_than_the_cap(gd_mailbox: Mailbox, tianhe: Unit, small_pages: None) -> None:
    published_rows(gd_mailbox, tianhe, [f"建议{i}" for i in range(6)])
    with CaptureQueriesContext(connection) as queries:
        page = selectors.public_page(gd_mailbox, selectors.PublicFilters(), 1)
    assert (page.total, page.total_capped, page.num_pages, len(page.rows)) == (3, True, None, 2)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT 4" in counts[0].upper()


def test_the_month_filter_is_the_local_month(client: Client, gd_mailbox: Mailbox, tianhe: Unit) -> None:
    late_november = dt.datetime(2026, 11, 30, 23, 30, tzinfo=timezone.get_current_timezone())  # 15:30 UTC
    published_rows(gd_mailbox, tianhe, ["十一月最后一晚公开的信"], at=late_november)
    assert "十一月最后一晚公开的信" in text_of(client.get("/m/gd/published/", {"month": "2026-11"}))
    assert "十一月最后一晚公开的信" not in text_of(client.get("/m/gd/published/", {"month": "2026-12"}))


def test_a_two_character_word_is_found_without_spaces_and_not_across_them(gd_mailbox: Mailbox, tianhe: Unit) -> None:
    published_rows(gd_mailbox, tianhe, ["户籍窗口周末开放", "夜间施工噪音", "门 户 籍贯", "ETC 通道"])
    titles = [p.title for p in selectors.published(gd_mailbox, selectors.PublicFilters(query="户籍"))]
    assert titles == ["户籍窗口周末开放"]
    assert [p.title for p in selectors.published(gd_mailbox, selectors.PublicFilters(query="tc"))] == ["ETC 通道"]
    assert [p.title for p in selectors.published(gd_mailbox, selectors.PublicFilters(query="噪音 夜间"))] == [
        "夜间施工噪音"
    ]


def test_on_postgresql_a_two_character_word_is_looked_up_in_the_index_of_character_pairs(
    needs_postgres: None, gd_mailbox: Mailbox, tianhe: Unit
) -> None:
    """pg_trgm cannot index fewer than three characters; migration 0005's GIN index can."""
    published_rows(gd_mailbox, tianhe, ["户籍窗口周末开放", "夜间施工噪音"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be read whole anyway
        cursor.execute("SET LOCAL enable_indexscan = off")  # nor walked in another index's order
    plan = Publication.objects.filter(selectors._contains("户籍")).order_by().explain()
    assert "publication_search_bigrams" in plan
