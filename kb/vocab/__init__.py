"""Domain vocabulary kept as data: synonyms, question words, situations, alert and phrase rules."""

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# The regular expressions of asking.yaml, each checked on load.
ASKING_PATTERNS = ("yes_no", "quantity", "value", "states_figure", "fee_asked", "a_not_a")


def asking() -> dict[str, Any]:
    """asking.yaml, its patterns checked, read once for every stage that reads questions."""
    return _asking()


@lru_cache(maxsize=1)
def _asking() -> dict[str, Any]:
    return load_checked("asking.yaml", lists=("grade_words",), patterns=ASKING_PATTERNS)


def vocabulary_hash() -> str:
    """A short sha256 over every data file of the vocabulary (its code aside), recorded with
    each fit and each evaluation run: the same words behind two figures, or not."""
    import hashlib

    digest = hashlib.sha256()
    files = [p for p in resources.files(__name__).iterdir() if p.is_file() and p.name.endswith((".yaml", ".txt"))]
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_text(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def read_words(name: str) -> list[str]:
    """The words of a word list, lines starting with '#' left out."""
    return [w for line in read_text(name).splitlines() if not line.lstrip().startswith("#") for w in line.split()]


def alternation(words: list[str]) -> str:
    """One regular-expression alternation of a word list, longest first (手机号码 before 手机),
    for the patterns built from vocabulary files."""
    import re

    return "(?:" + "|".join(sorted(map(re.escape, words), key=len, reverse=True)) + ")"


def load_yaml(name: str) -> Any:
    return yaml.safe_load(read_text(name))


def load_checked(name: str, lists: tuple[str, ...] = (), mappings: tuple[str, ...] = (),
                 patterns: tuple[str, ...] = ()) -> dict[str, Any]:
    """A vocabulary file whose shape is checked on load: each of `lists` a list of words, each of
    `mappings` a mapping, each of `patterns` a regular expression; a broken file names itself and
    the key at start-up, not mid-call."""
    import re

    from kb.errors import KBError

    found = load_yaml(name)
    if not isinstance(found, dict):
        raise KBError(f"kb/vocab/{name}: must be a mapping of key: value")
    for key in lists:
        if not isinstance(found.get(key), list) or not all(isinstance(w, str) and w for w in found[key]):
            raise KBError(f"kb/vocab/{name}: {key}: must be a list of words")
    for key in mappings:
        if not isinstance(found.get(key), dict) or not found[key]:
            raise KBError(f"kb/vocab/{name}: {key}: must be a mapping")
    for key in patterns:
        try:
            re.compile(found[key])
        except (KeyError, TypeError, re.error) as error:
            raise KBError(f"kb/vocab/{name}: {key}: must be a regular expression ({error})") from None
    return found
