"""The contract's metadata rules, checked all at once so an editor sees every problem in one go."""

import datetime as dt
import re

from kb.errors import Problem
from kb.models import CATEGORIES, DocMeta

DOC_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
RISK_LEVELS = ("R1", "R2", "R3", "R4", "R5")
KNOWN_FIELDS = set(DocMeta.model_fields) - {"extra"}


def validate_meta(raw: dict, body: str, file: str) -> tuple[DocMeta | None, list[Problem]]:
    """A DocMeta when every rule holds, else None and one Problem per broken rule."""
    problems: list[Problem] = []

    def bad(field: str, rule: str) -> None:
        problems.append(Problem(file, field, rule))

    _check_identity(raw, bad)
    dates = {name: _date(raw.get(name), name, bad) for name in ("effective_from", "effective_to")}
    if dates["effective_from"] and dates["effective_to"] and dates["effective_from"] > dates["effective_to"]:
        bad("effective_to", "must not be before effective_from")
    raw = {**raw, "products": _names(raw.get("products", []))}
    _check_lists(raw, bad)
    risk = raw.get("risk_level")
    if risk is not None and risk not in RISK_LEVELS:
        bad("risk_level", "must be one of R1, R2, R3, R4, R5")
    if not body.strip():
        bad("body", "must not be empty")
    if problems:
        return None, problems
    known = {k: v for k, v in raw.items() if k in KNOWN_FIELDS}
    extra = {k: _plain(v) for k, v in raw.items() if k not in KNOWN_FIELDS}
    return DocMeta(**{**known, **dates, "extra": extra}), []


def _check_identity(raw: dict, bad) -> None:
    """doc_id, title, category and version: what names a document version."""
    doc_id, title, category = raw.get("doc_id"), raw.get("title"), raw.get("category")
    if doc_id is None:
        bad("doc_id", "required")
    elif not isinstance(doc_id, str) or not DOC_ID.fullmatch(doc_id):
        bad("doc_id", "must match [a-z0-9][a-z0-9-]* (lower-case letters, digits, hyphens)")
    if title is None:
        bad("title", "required")
    elif not isinstance(title, str) or not title.strip():
        bad("title", "must be a non-empty string")
    if category is None:
        bad("category", "required")
    elif category not in CATEGORIES:
        bad("category", f"must be one of {', '.join(CATEGORIES)}")
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        bad("version", f"must be an integer from 1 to {MAX_VERSION}")


def _check_lists(raw: dict, bad) -> None:
    for name in ("products", "intents"):
        _string_list(raw.get(name, []), name, bad)
    for ref in _string_list(raw.get("disclosures", []), "disclosures", bad):
        if not DOC_ID.fullmatch(ref):
            bad("disclosures", f"'{ref}' is not a valid doc_id")


MAX_VERSION = 2**31 - 1  # stored as a 32-bit integer by Chroma and the app database


def _date(value, name: str, bad) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        bad(name, f"not a date ({str(value)[:40]}); an ISO date YYYY-MM-DD")
        return None


def _names(value):
    """Product names as written: a bare number among them (a hotline or product code such as
    95390, unquoted in YAML) is a name, not a type error."""
    if not isinstance(value, list):
        return value
    return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]


def _string_list(value, name: str, bad) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        bad(name, "must be a list of non-empty strings")
        return []
    return value


def _plain(value):
    """Unknown fields are kept as metadata; dates become ISO strings so they store as JSON."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
