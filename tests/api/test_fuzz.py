"""Schemathesis over every operation of the partner API, with a valid token: no server error, every
answer as the OpenAPI description says (status, content type, schema), and no operation that
answers successfully without its token (``ignored_auth`` probes each success without one and with
a wrong one). The schema's examples (a real citizen's letter, a call to the seat) reach the
successful paths; generated data the others."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from xinfang.accounts.models import User
from xinfang.api.schemas import LetterIn
from xinfang.orgs.models import Mailbox

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          ignored_auth]  # fmt: skip


# Loaded from the application itself (WSGI, in this process): the description needs no database.
# (``schemathesis.pytest.from_fixture`` does not run under pytest 9: it reads a removed node attribute.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
# The workflows follow a real letter from its receipt: valid requests only. Left to every mode, the
# stateful run also makes negative cases of the header parameters, which drop the Authorization
# header of every step (all refused 401; seen with schemathesis 4.32.5, depending on the run).
workflows = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
workflows.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])


@pytest.fixture(autouse=True)
def _requests_keep_the_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the test's database connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)  # fmt: skip
def test_every_operation_holds_to_its_description(
    case: Any, key: str, partner_mailbox: Mailbox, citizen: User, seat_agent: User
) -> None:
    if "mailbox" in (case.path_parameters or {}):
        case.path_parameters["mailbox"] = partner_mailbox.slug  # reach the lists, not only 404s
    if "Idempotency-Key" in (case.headers or {}):
        case.headers["Idempotency-Key"] = str(uuid.uuid4())  # generated keys repeat: each case its own request
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_the_fuzzing_covers_every_operation() -> None:
    """``parametrize`` makes one test per operation: all of them, none left out by a filter."""
    from xinfang.api.v1 import api

    operations = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    assert sum(len(item) for item in operations.values()) == 7


@pytest.mark.django_db
def test_the_linked_workflows_hold_to_the_description(
    key: str, partner_mailbox: Mailbox, citizen: User, seat_agent: User
) -> None:
    """Stateful: a submitted letter's receipt leads (OpenAPI links) to its status, conversation and
    the writer's message; every step checked as above, the steps after a receipt succeeding."""
    followed: list[tuple[str, int]] = []
    refusals: list[str] = []  # what a refused step was told (to explain a failure)

    # Every other letter the workflows send is the description's own example (to the partner's
    # mailbox): generated letters are nearly always refused (422: a NUL in a field, no such place),
    # and whether one of 15 runs happened to send a valid one depended on Hypothesis's seed, which
    # changes with the test's source (derandomize): the links after a receipt went untested by luck.
    example = {**LetterIn.model_config["json_schema_extra"]["examples"][0], "mailbox": partner_mailbox.slug}  # type: ignore[index]
    letters_sent = [0]

    class Workflow(workflows.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            if "Idempotency-Key" in (case.headers or {}):
                case.headers["Idempotency-Key"] = str(uuid.uuid4())
            if case.operation.label == "POST /api/v1/letters":
                letters_sent[0] += 1
                if letters_sent[0] % 2:
                    case.body = dict(example)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {key}"}}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            followed.append((case.operation.label, response.status_code))
            if response.status_code in (401, 403) and len(refusals) < 3:
                refusals.append(f"{case.operation.label} {response.status_code} {response.text[:200]}")
            case.validate_response(response, checks=CHECKS, headers={"Authorization": f"Bearer {key}"})

    Workflow.run(
        settings=settings(
            max_examples=15, stateful_step_count=4, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck),
        )
    )  # fmt: skip
    # a link was followed to a real letter
    assert ("POST /api/v1/letters/status", 200) in followed, (followed[:8], refusals)
