"""Each notice is rendered by its own background task, so every worker shares the rendering.

The job only numbers the notices (and enqueues again the render of one whose task was lost or
failed); a render task takes the notice's row with a lock another worker skips, so a notice is
rendered once and its writer told once, however many workers run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import make_staff
from tests.console.conftest import sign_in
from tests.factories import receive
from tests.notifications.conftest import drain
from tests.notifications.test_postgres_workers import race
from xinfang.accounts.models import Role, User
from xinfang.letters import services as s
from xinfang.letters.models import Letter, RefusalReason
from xinfang.notices import services
from xinfang.notices.models import Notice
from xinfang.notices.services import notice_render, notices_issue
from xinfang.notices.tasks import render_notice
from xinfang.notifications.models import Notification
from xinfang.orgs.models import Mailbox, Unit

LATER = dt.timedelta(minutes=6)  # past the job's patience with a notice still without a file


def refused(citizen: User, mailbox: Mailbox, acceptor: User) -> Letter:
    letter = receive(citizen, mailbox, subject="房屋买卖合同纠纷")
    s.letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.COURTS)
    return letter


def render_tasks(notice: Notice) -> list[str]:
    rows = DBTaskResult.objects.filter(task_path=render_notice.module_path, args_kwargs__args=[notice.pk])
    return list(rows.values_list("status", flat=True))


def told(notice: Notice) -> int:
    return Notification.objects.filter(source=f"notice:{notice.pk}").count()


def test_a_refusals_notice_is_rendered_by_its_task_not_by_the_job(
    citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    letter = refused(citizen, gd_mailbox, acceptor)
    assert notices_issue()["issued"] == 1
    notice = Notice.objects.get(letter=letter)
    assert not notice.file and told(notice) == 0  # numbered and dated, not rendered yet
    assert render_tasks(notice) == ["READY"]
    drain()
    notice.refresh_from_db()
    with default_storage.open(notice.file.name, "rb") as handle:
        assert handle.read().startswith(b"%PDF")
    assert render_tasks(notice) == ["SUCCESSFUL"] and told(notice) == 1


def test_the_job_enqueues_again_a_notice_whose_task_was_lost_and_only_once(
    citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    letter = refused(citizen, gd_mailbox, acceptor)
    notices_issue()
    notice = Notice.objects.get(letter=letter)
    DBTaskResult.objects.filter(task_path=render_notice.module_path).delete()  # the task was lost
    assert notices_issue()["requeued"] == 0  # a young notice's task may simply not have run yet
    assert notices_issue(now=timezone.now() + LATER)["requeued"] == 1
    assert notices_issue(now=timezone.now() + LATER)["requeued"] == 0  # its task is waiting: no flood
    drain()
    notice.refresh_from_db()
    assert notice.file and told(notice) == 1
    assert notices_issue(now=timezone.now() + LATER)["requeued"] == 0


def test_a_notice_that_fails_to_render_does_not_stop_the_others_and_is_rendered_later(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = refused(citizen, gd_mailbox, acceptor), refused(citizen, gd_mailbox, acceptor)
    real = services.notice_pdf

    def pdf_failing_for_the_first(content: Any) -> bytes:
        if content.tracking_number == first.tracking_number:
            raise OSError("font cache unavailable")
        return real(content)

    monkeypatch.setattr(services, "notice_pdf", pdf_failing_for_the_first)
    notices_issue()
    drain()  # the failure is logged, not a failed task
    assert not Notice.objects.get(letter=first).file and Notice.objects.get(letter=second).file
    monkeypatch.setattr(services, "notice_pdf", real)
    assert notices_issue(now=timezone.now() + LATER)["requeued"] == 1
    drain()
    notice = Notice.objects.get(letter=first)
    assert notice.file and told(notice) == 1


def test_a_notice_that_never_renders_is_tried_further_apart_then_left_to_an_administrator(
    citizen: User, gd_mailbox: Mailbox, acceptor: User, guangdong: Unit, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter = refused(citizen, gd_mailbox, acceptor)
    real = services.notice_pdf

    def broken(content: Any) -> bytes:
        raise OSError("font cache unavailable")

    monkeypatch.setattr(services, "notice_pdf", broken)
    start = timezone.now()
    notices_issue(now=start)
    drain()  # the first try, by the task the notice was issued with
    tries = [0]  # the minutes at which a render was tried
    for minutes in [*range(6, 3 * 60, 4), 30 * 24 * 60]:  # the job every few minutes for 3 hours, and a month on
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            if notices_issue()["requeued"]:
                tries.append(minutes)
                drain()
    notice = Notice.objects.get(letter=letter)
    assert not notice.file and notice.render_failures == services.RENDER_TRIES
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    assert len(tries) == services.RENDER_TRIES  # then no more tries, however long the job runs
    assert gaps == sorted(gaps) and gaps[-1] >= 4 * gaps[0]  # further and further apart

    monkeypatch.setattr(services, "notice_pdf", real)  # the cause is fixed; an administrator asks again
    admin = make_staff("gd-admin", guangdong, Role.ACCEPTOR)
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = sign_in(Client(), User.objects.get(pk=admin.pk))
    listed = client.get("/admin/notices/notice/?rendered=stopped").content.decode()
    assert notice.document_number in listed
    answer = client.post("/admin/notices/notice/", {"action": "render_again", "_selected_action": [notice.pk]})
    assert answer.status_code == 302
    drain()
    notice.refresh_from_db()
    assert notice.file and notice.render_failures == 0 and told(notice) == 1


@pytest.mark.postgres_only
def test_two_workers_rendering_one_notice_at_once_render_it_once_and_tell_the_writer_once(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None,
    citizen: User, gd_mailbox: Mailbox, acceptor: User, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    letter = refused(citizen, gd_mailbox, acceptor)
    notices_issue()
    notice = Notice.objects.get(letter=letter)
    real, renders, lock = services.notice_pdf, [], threading.Lock()

    def slow_pdf(content: Any) -> bytes:
        with lock:
            renders.append(content.document_number)
        time.sleep(0.5)  # long enough that the second worker arrives while the first renders
        return real(content)

    monkeypatch.setattr(services, "notice_pdf", slow_pdf)
    outcomes = race(lambda: notice_render(notice_id=notice.pk), lambda: notice_render(notice_id=notice.pk))
    assert sorted(outcomes, key=bool) == [False, True]
    assert renders == [notice.document_number]
    notice.refresh_from_db()
    assert notice.file and told(notice) == 1
