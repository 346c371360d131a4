"""Every write to a letter is one of these services (STYLE habit 2), one module per concern.

Each is keyword-only, takes ``actor``, runs in one transaction, goes through ``lifecycle.apply``
(by way of ``_common._step``) for the state change and its timeline row, and stores the due dates that
``due_dates.compute`` derives. Errors the user can act on are ``LifecycleError`` (a ``xinfang.errors.Refused``)
with a translated message; two staff acting at once get ``Conflict``.

Callers import from here; the modules say where each service lives:

- ``query_codes``: Query codes: the secret a writer gets once, stored only as a keyed hash.
- ``intake``: Intake: a letter arrives (portal, seat, post, e-mail, API) and gets its number, clock and first unit.
- ``desk``: The front desk: accept, refuse, refer, redirect to 110, assign, apply suggestions, decide the
  accused unit, return misrouted letters.
- ``handling``: Handling: start, extensions, report-back, draft, approve and send the reply.
- ``appeals``: After the reply: the writer's evaluation, review and re-examination, and linking a repeat letter.
- ``oversight``: Leaders' instructions and inspectors' supervision orders.
- ``upkeep``: Letters follow changes to the unit tree and to the holiday calendar.
- ``messages``: Messages between the writer and the staff on a letter.
"""

from xinfang.letters.access import accused_undecided, accused_undecided_message
from xinfang.letters.services.appeals import (
    letter_answer_reexam,
    letter_answer_review,
    letter_evaluate,
    letter_link_repeat,
    letter_request_reexam,
    letter_request_review,
)
from xinfang.letters.services.desk import (
    letter_accept,
    letter_apply_suggestions,
    letter_assign,
    letter_clear_emergency_flag,
    letter_redirect_emergency,
    letter_refer,
    letter_refuse,
    letter_request_info,
    letter_return_misrouted,
    letter_set_accused,
    letter_supply_info,
)
from xinfang.letters.services.handling import (
    letter_approve_reply,
    letter_decide_extension,
    letter_draft_reply,
    letter_reject_reply,
    letter_reply_directly,
    letter_report_back,
    letter_request_extension,
    letter_start_handling,
    superior_bureau,
)
from xinfang.letters.services.intake import Submission, letter_submit
from xinfang.letters.services.messages import MESSAGE_MAX_LENGTH, message_post, messages_mark_read
from xinfang.letters.services.oversight import (
    instruction_create,
    instruction_respond,
    supervision_order_issue,
    supervision_order_respond,
    supervision_raise_automatic,
)
from xinfang.letters.services.query_codes import (
    QUERY_CODE_ALPHABET,
    QUERY_CODE_LENGTH,
    hash_query_code,
    new_query_code,
    normalise_query_code,
    query_code_matches,
)
from xinfang.letters.services.upkeep import letters_follow_merged_unit, letters_recompute_provisional_due_dates

__all__ = [
    "MESSAGE_MAX_LENGTH",
    "QUERY_CODE_ALPHABET",
    "QUERY_CODE_LENGTH",
    "Submission",
    "accused_undecided",
    "accused_undecided_message",
    "hash_query_code",
    "instruction_create",
    "instruction_respond",
    "letter_accept",
    "letter_answer_reexam",
    "letter_answer_review",
    "letter_apply_suggestions",
    "letter_approve_reply",
    "letter_assign",
    "letter_clear_emergency_flag",
    "letter_decide_extension",
    "letter_draft_reply",
    "letter_evaluate",
    "letter_link_repeat",
    "letter_redirect_emergency",
    "letter_refer",
    "letter_refuse",
    "letter_reject_reply",
    "letter_reply_directly",
    "letter_report_back",
    "letter_request_extension",
    "letter_request_info",
    "letter_request_reexam",
    "letter_request_review",
    "letter_return_misrouted",
    "letter_set_accused",
    "letter_start_handling",
    "letter_submit",
    "letter_supply_info",
    "letters_follow_merged_unit",
    "letters_recompute_provisional_due_dates",
    "message_post",
    "messages_mark_read",
    "new_query_code",
    "normalise_query_code",
    "query_code_matches",
    "superior_bureau",
    "supervision_order_issue",
    "supervision_order_respond",
    "supervision_raise_automatic",
]
