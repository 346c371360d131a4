"""The mail-in task (django-tasks, database backend), queued in the transaction that spools a message.

Idempotent, as every task is: a conversion finds its row already converted, a reply already sent.
"""

from __future__ import annotations

from django_tasks import task


@task()
def process(message_pk: int) -> str:
    """Turn a spooled message into a letter, then answer its writer."""
    from xinfang.mailin.services import message_convert, reply_send

    converted = message_convert(message_pk=message_pk)
    return f"{converted}; reply {reply_send(message_pk=message_pk)}"
