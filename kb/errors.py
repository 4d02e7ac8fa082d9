"""The core's one error family: every failure a user can cause is a KBError."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One broken rule: which file, which field, which rule."""

    file: str
    field: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.rule}"


class KBError(Exception):
    """A failure caused by input or configuration; its message is safe to show to the user."""


class DocumentRejected(KBError):
    """One or more documents break the contract; nothing of them was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class StoreMismatch(KBError):
    """The store was built by another embedding model; mixing vectors would corrupt ranking."""


class BadRequest(KBError):
    """A question or request that cannot be served as asked (empty, too long, bad date...)."""


class NotFound(KBError):
    """What was asked for (a document, a run) does not exist."""


class Unauthorized(KBError):
    """Who is asking is unknown (no or a bad token, password or session): HTTP 401."""


class Forbidden(KBError):
    """Who is asking is known, but their role does not allow it: HTTP 403."""


class GateRefused(KBError):
    """A new document version would break evaluation items that were answered correctly; the
    result names them (an override with a written reason may publish anyway)."""

    def __init__(self, result: Any):  # evals.gate.GateResult, which the core cannot import
        self.result = result
        names = ", ".join(f.item_id for f in result.failures)
        super().__init__(f"refused by the evaluation gate: {result.summary()} ({names}); "
                         "fix the document, or override with a written reason")


class TooLarge(KBError):
    """A request body over the limit of its route: HTTP 413, refused before it is read."""


class TooManyAttempts(KBError):
    """Too many failed sign-ins of a user or from an address: HTTP 429 for a while."""
