"""Stored files on S3-compatible object storage (``XINFANG_STORAGE=s3``, issue 17 §4).

A real S3 server, moto's, runs on a loopback port for this module; boto3 talks HTTP to it (nothing of
boto3 is replaced). Each test gets its own bucket and the storage the settings build from the
``XINFANG_S3_*`` variables (``settings.file_storage``). Files go in through the real services, come
out through the real download views, and the export retention deletes from the bucket. The local
media directory stays empty throughout: nothing a second host could not read is written.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image, PngImagePlugin
from pytest_django.fixtures import Settings

from tests.console.conftest import sign_in
from tests.factories import receive
from tests.notifications.conftest import drain
from xinfang.accounts.models import User
from xinfang.console.selectors_desk import desk_queue
from xinfang.letters import services as s
from xinfang.letters.attachments import AttachmentRejected
from xinfang.letters.models import Attachment, Letter, RefusalReason
from xinfang.letters.services import letter_submit
from xinfang.notices.models import Notice
from xinfang.notices.services import notices_issue
from xinfang.orgs.models import Mailbox
from xinfang.settings import file_storage
from xinfang.statistics import exports
from xinfang.statistics.exports import ListExport
from xinfang.statistics.models import ExportStatus
from xinfang.vocabulary import Channel, LetterType
from xinfang.worker.retention import retention_sweep

REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "xinfang-test", "aws_secret_access_key": "xinfang-test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint: str) -> dict[str, str]:
    """The variables an operator sets, for a bucket of this test's own."""
    bucket = f"xinfang-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS).create_bucket(Bucket=bucket)
    return {
        "XINFANG_STORAGE": "s3",
        "XINFANG_S3_BUCKET": bucket,
        "XINFANG_S3_ENDPOINT_URL": s3_endpoint,
        "XINFANG_S3_REGION": REGION,
        "XINFANG_S3_ACCESS_KEY_ID": CREDENTIALS["aws_access_key_id"],
        "XINFANG_S3_SECRET_ACCESS_KEY": CREDENTIALS["aws_secret_access_key"],
        "XINFANG_S3_PREFIX": "media",
    }


@pytest.fixture
def bucket(s3_env: dict[str, str], settings: Settings, tmp_path: Path) -> Iterator[Any]:
    """The bucket, seen through boto3 directly; the product's storage is the one the variables make."""
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(s3_env)}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CLAMD_ADDRESS = ""
    resource = boto3.resource("s3", endpoint_url=s3_env["XINFANG_S3_ENDPOINT_URL"], region_name=REGION, **CREDENTIALS)
    yield resource.Bucket(s3_env["XINFANG_S3_BUCKET"])
    assert not (tmp_path / "media").exists(), "a file was written to the local disk"


def objects(bucket: Any) -> dict[str, bytes]:
    return {o.key: o.get()["Body"].read() for o in bucket.objects.all()}


def downloaded(response: Any) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def png_with_author() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Zhang San, 13800138000")
    out = io.BytesIO()
    Image.new("RGB", (24, 12), (200, 30, 30)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def test_the_factory_refuses_an_unknown_storage_or_a_bucketless_s3() -> None:
    from django.core.exceptions import ImproperlyConfigured

    assert file_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    for environ in ({"XINFANG_STORAGE": "s3"}, {"XINFANG_STORAGE": "nfs", "XINFANG_S3_BUCKET": "b"}):
        with pytest.raises(ImproperlyConfigured):
            file_storage(environ)


def test_an_attachment_goes_to_the_bucket_and_leaves_through_the_download_view(
    bucket: Any, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    original = png_with_author()
    letter = letter_submit(
        mailbox=gd_mailbox, actor=citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
        subject="户口迁移咨询", text="请问迁入天河区需要哪些材料？", division_code="440106",
        uploads=[SimpleUploadedFile("证明.png", original, content_type="image/png")],
    ).letter  # fmt: skip
    attachment = Attachment.objects.get(letter=letter)
    stored = objects(bucket)
    assert set(stored) == {f"media/{attachment.file.name}", f"media/{attachment.sanitised.name}"}
    assert stored[f"media/{attachment.file.name}"] == original
    assert b"Zhang San" not in stored[f"media/{attachment.sanitised.name}"]

    url = reverse("files:attachment_download", args=[attachment.public_id])
    writer = Client()
    writer.force_login(citizen)
    assert downloaded(writer.get(url)) == stored[f"media/{attachment.sanitised.name}"]
    assert downloaded(sign_in(Client(), acceptor).get(url, {"original": "1"})) == original


def test_a_letter_that_does_not_commit_leaves_no_file_in_the_bucket(
    bucket: Any, settings: Settings, citizen: User, gd_mailbox: Mailbox
) -> None:
    """A second attachment over the per-letter limit rolls the submission back, first file included."""
    settings.XINFANG_ATTACHMENTS_PER_LETTER = 1
    uploads = [SimpleUploadedFile(f"{n}.png", png_with_author(), content_type="image/png") for n in range(2)]
    with pytest.raises(AttachmentRejected):
        letter_submit(
            mailbox=gd_mailbox, actor=citizen, letter_type=LetterType.INQUIRY, channel=Channel.WEB,
            subject="两张照片", text="附两张照片。", division_code="440106", uploads=uploads,
        )  # fmt: skip
    assert not Letter.objects.filter(subject="两张照片").exists()
    assert objects(bucket) == {}


def test_a_written_notice_is_rendered_into_the_bucket_and_the_writer_downloads_it(
    bucket: Any, citizen: User, gd_mailbox: Mailbox, acceptor: User
) -> None:
    letter = receive(citizen, gd_mailbox)
    s.letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    notices_issue()
    drain()  # the notice's render task
    notice = Notice.objects.get(letter=letter)
    stored = objects(bucket)[f"media/{notice.file.name}"]
    assert stored.startswith(b"%PDF")
    writer = Client()
    writer.force_login(citizen)
    assert downloaded(writer.get(reverse("portal:notice_download", args=[notice.public_id]))) == stored


def test_an_export_lives_in_the_bucket_until_the_retention_job_deletes_it(
    bucket: Any, citizen: User, gd_mailbox: Mailbox, acceptor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    receive(citizen, gd_mailbox)
    monkeypatch.setattr(exports, "INLINE_MAX", 0)  # any list goes to the worker
    made = dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)
    spec = ListExport("list:desk", "受理台待办信件", "广东省公安厅", "当前清单", {})
    with time_machine.travel(made, tick=False):
        job = exports.letters_export(viewer=acceptor, letters=desk_queue(acceptor), spec=spec).job
        assert job is not None
        exports.letter_export_make(export_id=job.pk)
    job.refresh_from_db()
    key = f"media/{job.file.name}"
    assert job.status == ExportStatus.READY and key in objects(bucket)
    link = reverse("console:export_download", args=[job.public_id])
    assert downloaded(sign_in(Client(), acceptor).get(link)) == objects(bucket)[key]

    with time_machine.travel(made + dt.timedelta(days=settings.XINFANG_EXPORT_RETENTION_DAYS, hours=1)):
        assert retention_sweep()["exports_expired"] == 1
    assert objects(bucket) == {}
    job.refresh_from_db()
    assert (job.status, job.file.name) == (ExportStatus.EXPIRED, "")


@pytest.mark.postgres_only
def test_a_worker_on_another_host_stores_what_the_web_process_serves(
    needs_postgres: None, restores_what_the_flush_removes: None, transactional_db: None, tree: None,
    bucket: Any, s3_env: dict[str, str], citizen: User, gd_mailbox: Mailbox, acceptor: User, tmp_path: Path,
) -> None:  # fmt: skip
    """The worker process is configured by the variables alone and has a disk of its own (its own
    ``XINFANG_VAR_DIR``): the notice it renders is served by this process from the bucket."""
    letter = receive(citizen, gd_mailbox)
    s.letter_refuse(letter=letter, actor=acceptor, reason=RefusalReason.NOT_POLICE)
    db = connection.settings_dict
    environment = {
        **os.environ,
        **s3_env,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "XINFANG_VAR_DIR": str(tmp_path / "other-host"),
        "XINFANG_SMS_BACKEND": "console",
        "XINFANG_LOG_LEVEL": "WARNING",
        "XINFANG_SECRET_KEY": settings.SECRET_KEY,
        "XINFANG_VAULT_KEYS": ",".join(settings.XINFANG_VAULT_KEYS),
        "XINFANG_LOOKUP_KEY": settings.XINFANG_LOOKUP_KEY,
        "XINFANG_LOG_SIGNING_KEY": settings.XINFANG_LOG_SIGNING_KEY,
    }
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "run_worker", "--until-idle", "-v", "0"]
    run = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-4000:]
    notice = Notice.objects.get(letter=letter)
    assert notice.file.name and not list((tmp_path / "other-host").rglob("*.pdf"))
    writer = Client()
    writer.force_login(citizen)
    body = downloaded(writer.get(reverse("portal:notice_download", args=[notice.public_id])))
    assert body.startswith(b"%PDF") and body == objects(bucket)[f"media/{notice.file.name}"]
