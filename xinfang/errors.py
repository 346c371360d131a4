"""The one kind of refusal the domain gives: ``Refused``, with its message for the person acting.

Each app names its own cases as subclasses, where a caller needs to tell them apart
(``letters.lifecycle.LifecycleError`` and its ``Conflict``, ``orgs.services.UnitChangeError``,
``deadlines.services.HolidayDataError``). Pages and commands catch ``Refused`` and show
``str(error)``; nothing else about it is needed to say what went wrong. Input that a form can check
by itself is still a form's ``ValidationError``.
"""

from __future__ import annotations


class Refused(Exception):
    """The domain refuses the action; ``str(self)`` says why, in the active language."""
