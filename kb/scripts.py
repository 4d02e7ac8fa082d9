"""Which compliant script fits the contact: situations detected in the question and the answer.

Script documents name the situations they serve in `intents`, in whatever words their authors
chose; kb/vocab/situations.yaml says which names mean the same situation and which phrases of a
question show it. Nothing here knows any one script.
"""

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from kb.catalog import Catalog
from kb.markdown import numbered_steps, sections
from kb.models import Answer, Script, SourceDocument
from kb.text import normalize
from kb.vocab import load_yaml


@dataclass(frozen=True)
class Situation:
    name: str
    labels: frozenset[str]
    cues: tuple[str, ...]
    categories: frozenset[str] = frozenset()
    with_words: tuple[str, ...] = ()

    def holds(self, query: str, cited_categories: set[str]) -> bool:
        if any(cue in query for cue in self.cues):
            return True
        return bool(self.categories & cited_categories) and any(w in query for w in self.with_words)


def label_key(label: str) -> str:
    return re.sub(r"[\s\-]+", "_", normalize(str(label)).strip())


def load_situations() -> list[Situation]:
    situations = []
    for name, rule in load_yaml("situations.yaml").items():
        labels = {label_key(name)} | {label_key(x) for x in rule.get("labels", [])}
        situations.append(Situation(
            name=name, labels=frozenset(labels),
            cues=tuple(normalize(str(c)) for c in rule.get("cues", [])),
            categories=frozenset(rule.get("categories", [])),
            with_words=tuple(normalize(str(w)) for w in rule.get("with", []))))
    return situations


class ScriptPicker:
    def __init__(self, situations: list[Situation]):
        self.situations = situations
        self.known_labels = frozenset().union(*(s.labels for s in situations))

    def situations_in(self, query: str, cited_categories: set[str]) -> list[Situation]:
        text = normalize(query)
        return [s for s in self.situations if s.holds(text, cited_categories)]

    def pick(self, query: str, answer: Answer, catalog: Catalog, day: dt.date) -> Script | None:
        """The script of the first situation (in priority order) that a live script serves; else a
        cited script; else a script whose own intent name the question uses."""
        scripts = catalog.in_force_of(day, "script")
        cited = catalog.cited(answer.citations)
        categories = {m.category for m in cited}
        for situation in self.situations_in(query, categories):
            for doc in scripts:
                label = next((i for i in doc.meta.intents if label_key(i) in situation.labels), None)
                if label is not None:
                    return script_of(doc, label)
        cited_ids = {m.doc_id for m in cited}
        for doc in scripts:
            if doc.meta.doc_id in cited_ids:
                return script_of(doc, doc.meta.intents[0] if doc.meta.intents else "")
        text = normalize(query)
        for doc in scripts:
            for label, written in _own_intents(tuple(doc.meta.intents), self.known_labels):
                if written in text:
                    return script_of(doc, label)
        return None


@lru_cache(maxsize=20_000)
def _own_intents(intents: tuple[str, ...], known_labels: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """A script's intent names that no situation knows, each as written and normalized (once per
    script, not once per question)."""
    return tuple((label, normalize(label)) for label in intents
                 if label_key(label) not in known_labels and len(label) >= 2)


def script_of(doc: SourceDocument, intent: str) -> Script:
    section, text = steps_section(doc.body)
    return Script(doc_id=doc.meta.doc_id, title=doc.meta.title, intent=str(intent),
                  section=section, text=text)


def steps_section(body: str) -> tuple[str, str]:
    """The section that holds the talk track as numbered steps (heading, verbatim text); the
    whole body when no section has two or more numbered items."""
    for heading, text in _sections(body):
        if len(numbered_steps(text)) >= 2:
            return heading, text
    return "", body.strip()


def _sections(body: str) -> list[tuple[str, str]]:
    return [(trail[-1][1] if trail else "", text) for trail, text in sections(body)]
