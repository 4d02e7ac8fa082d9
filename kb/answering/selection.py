"""Selection: what the answer says. The best-scored unit decides the document; further units of
that document join it while they score nearly as well (a second fact of the question, a second
row of a table) and the answer stays short. A unit that sends the reader to another document in
force for the facts (另见《跨境汇款手续费标准》) hands the answer to that document.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from kb.fitted import Selection
from kb.text import normalize
from kb.units import Unit
from kb.vocab import alternation, load_checked

_WORDS = load_checked("referral.yaml", lists=("before_title", "own_bank"))
_REFERENCE = re.compile(rf"{alternation(_WORDS['before_title'])}{alternation(_WORDS['own_bank'])}?《([^》]+)》")


def select(units: list[Unit], probabilities: np.ndarray, holds: list[frozenset[str]],
           selection: Selection, limits: tuple[int, int], within: str | None = None) -> list[Unit]:
    """The answer's units: the best first, what joins it in reading order. `within`: only this
    document's units. `holds`: the
    question's words each unit holds; `limits`: the most characters and units."""
    max_chars, max_units = limits
    order = [i for i in np.argsort(-probabilities) if within is None or units[i].hit.doc_key == within]
    if not order:
        return []
    best = order[0]
    chosen, length, held = [best], len(units[best].display), set(holds[best])
    bar = max(selection.floor, selection.ratio * probabilities[best])
    for i in order[1:]:
        unit = units[i]
        if len(chosen) == max_units or probabilities[i] < min(bar, selection.cover_floor):
            break
        adds = bool(holds[i] - held) and probabilities[i] >= selection.cover_floor
        if (probabilities[i] >= bar or adds) and unit.hit.doc_key == units[best].hit.doc_key and \
                length + len(unit.display) <= max_chars and unit.display not in {units[j].display for j in chosen}:
            chosen.append(i)
            length += len(unit.display)
            held |= holds[i]
    rest = sorted((units[i] for i in chosen[1:]), key=lambda u: (u.hit.chunk.number, u.position))
    return [units[best], *rest]


def referred(chosen: list[Unit], hits: Sequence[Any], catalog: Any) -> str | None:
    """The document in force that the best unit refers the reader to for the facts, if it is
    among the retrieved ones."""
    if not chosen:
        return None
    titles = {normalize(catalog.meta(h.doc_key).title): h.doc_key for h in hits}
    own = chosen[0].hit.doc_key
    for unit in chosen:
        for title in _REFERENCE.findall(normalize(unit.display)):
            if titles.get(title, own) != own:
                return str(titles[title])
    return None


def join(parts: Iterable[str]) -> str:
    """Units read as one answer: each ends on its own punctuation or a semicolon."""
    text = ""
    for part in parts:
        part = part.strip()
        text += part if part[-1] in "。！？；!?;" else part + "；"
    return text[:-1] + "。" if text.endswith("；") else text
