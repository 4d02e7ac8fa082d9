"""Listening to a call as it is spoken: each customer utterance that asks about a product, fee or
rule is answered in the background and suggested to the agent; each agent utterance is checked
(a forbidden phrase, a figure the document in force contradicts, the disclosures owed for the
products discussed); and the whole call becomes a quality scorecard.

The same listener serves the live panel (one utterance at a time) and the review of a recorded or
finished call (every utterance in turn), so what the inspector sees is what the agent was shown.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field

from kb.calls.models import CallEvent, ChecklistItem, Finding, Scorecard
from kb.calls.rules import STEPS, ScorecardRules, said
from kb.calls.speech import written_figures
from kb.calls.transcript import Utterance
from kb.figures import FIGURE_TEXT, Figure, addressed, stated_spans
from kb.knowledge_base import KnowledgeBase
from kb.messages import message, step_name
from kb.models import Alert, AssistResponse, SourceDocument
from kb.text import compact, normalize_for_match


@dataclass
class Owed:
    """A disclosure owed for a product discussed, and how much of it the agent has read."""

    disclosure: SourceDocument
    owed_by: str
    pairs: frozenset[str]
    covered: float = 0.0


@dataclass
class CallState:
    spoken: list[Utterance] = field(default_factory=list)
    suggested: dict[frozenset[tuple[str, str]], int] = field(default_factory=dict)
    suggested_docs: list[tuple[int, str]] = field(default_factory=list)
    answers: list[tuple[int, str, str]] = field(default_factory=list)
    topic_docs: list[str] = field(default_factory=list)
    owed: dict[str, Owed] = field(default_factory=dict)
    agent_pairs: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    checks: list[Finding] = field(default_factory=list)
    account_matter: bool = False
    verified: bool = False
    complaint_at: int | None = None
    steps: set[str] = field(default_factory=set)
    escalation_cue: int | None = None
    escalated: bool = False


class CallListener:
    def __init__(self, kb: KnowledgeBase, call_id: str, day: dt.date, rules: ScorecardRules):
        self.kb = kb
        self.call_id = call_id
        self.day = day
        self.rules = rules
        self.state = CallState()
        self.session = f"call:{call_id}:{uuid.uuid4().hex[:8]}"  # a fresh call context, even for a replay

    def hear(self, said_now: Utterance) -> list[CallEvent]:
        """The events this utterance gives the agent's panel."""
        self.state.spoken.append(said_now)
        number = len(self.state.spoken)
        text = normalize_for_match(said_now.text)
        if said_now.speaker == "customer":
            return self._customer(number, said_now.text, text)
        return self._agent(number, said_now.text, text)

    # -- the customer ------------------------------------------------------------------------

    def _customer(self, number: int, raw: str, text: str) -> list[CallEvent]:
        self.state.account_matter |= said(text, self.rules.account)
        if self.state.escalation_cue is None and said(text, self.kb.alert_rules.escalation_cues):
            self.state.escalation_cue, self.state.escalated = number, False
        response = self.kb.ask(raw, as_of=self.day, session_id=self.session)
        self._note_complaint(number, text, response)
        events = [CallEvent(kind="alert", utterance=number, alert=a) for a in response.alerts
                  if a.level == "critical"]
        if response.answer.status == "answered" and response.answer.citations:
            self.state.answers.append((number, response.answer.citations[0].doc_id,
                                       self._canonical_text(response.answer.text)))
        if self._fresh_suggestion(number, response):
            events.append(CallEvent(kind="suggestion", utterance=number, suggestion=response))
            events += self._owe_disclosures(number, response)
        return events

    def _note_complaint(self, number: int, text: str, response: AssistResponse) -> None:
        found = {s.name for s in self.kb.scripts.situations_in(text, set())}
        if self.state.complaint_at is None and found & self.rules.complaint_situations:
            self.state.complaint_at = number

    def _fresh_suggestion(self, number: int, response: AssistResponse) -> bool:
        """An answer, or a situation's script, not already suggested in this call."""
        if response.answer.status != "answered" and response.script is None:
            return False
        key = frozenset((c.doc_id, c.section) for c in response.answer.citations) if response.answer.citations \
            else frozenset({("script", response.script.doc_id if response.script else "")})
        docs = list(dict.fromkeys(c.doc_id for c in response.answer.citations))
        self.state.suggested_docs += [(number, d) for d in docs[:2]]  # on the panel, new or not
        if key in self.state.suggested:
            return False
        self.state.suggested[key] = number
        self.state.topic_docs = docs + [d for d in self.state.topic_docs if d not in docs]
        return True

    def _owe_disclosures(self, number: int, response: AssistResponse) -> list[CallEvent]:
        live = self.kb.catalog.in_force(self.day)
        added = False
        for doc_id in dict.fromkeys(c.doc_id for c in response.answer.citations):
            product = live.get(doc_id)
            if product is None or product.meta.category not in self.rules.owing_categories:
                continue
            for ref in product.meta.disclosures:
                if ref in live and ref not in self.state.owed:
                    self.state.owed[ref] = Owed(live[ref], doc_id, _pairs(normalize_for_match(live[ref].body)))
                    added = True
        return [self._checklist(number)] if added else []

    # -- the agent ---------------------------------------------------------------------------

    def _agent(self, number: int, raw: str, text: str) -> list[CallEvent]:
        agent_turns = [u for u in self.state.spoken if u.speaker == "agent"]
        if len(agent_turns) == 1 and not all(said(text, group) for group in self.rules.greeting):
            self._find("no_greeting", None)
        self._identity(number, text)
        self._process(text)
        events = [self._alerted(number, a) for a in self._forbidden(text)]
        events += [CallEvent(kind="figure", utterance=number, finding=f) for f in self._figures(number, raw)]
        if self.state.owed:
            self.state.agent_pairs |= _pairs(text)
            if self._recount():
                events.append(self._checklist(number))
        return events

    def _identity(self, number: int, text: str) -> None:
        if said(text, self.rules.verify):
            self.state.verified = True
        elif self.state.account_matter and not self.state.verified and said(text, self.rules.act):
            if not any(f.kind == "identity_not_verified" for f in self.state.findings):
                self._find("identity_not_verified", number)

    def _process(self, text: str) -> None:
        """The complaint's steps and the escalation, as the agent speaks after their cues."""
        if self.state.complaint_at is not None:
            self.state.steps |= {s for s in STEPS if said(text, self.rules.steps[s])}
        if self.state.escalation_cue is not None and said(text, self.rules.escalate):
            self.state.escalated = True

    def _forbidden(self, text: str) -> list[Alert]:
        named = [d.meta.category for d in self._topic_documents()]
        checker = self.kb.draft_checker
        return [Alert(code=r.code, level=r.level, message=r.message) for r in checker.rules
                if not r.allowed(text, set(named), checker.wealth_words) and r.found_in(text)]

    def _alerted(self, number: int, alert: Alert) -> CallEvent:
        self._find("forbidden_phrase", number, message_text=alert.message)
        return CallEvent(kind="alert", utterance=number, alert=alert)

    def _figures(self, number: int, raw: str) -> list[Finding]:
        """The figures the agent states that the documents of the topic speak of: right, or the
        first one wrong (one finding per utterance)."""
        canonical = compact(self.kb.analyzer.canonicalize(written_figures(raw)))
        stated = [(m.start(), figure) for m, figure in stated_spans(canonical)
                  if not RANGE_AFTER.match(canonical, m.end())]
        if not stated:
            return []
        evidence = self._evidence(canonical)
        found: list[Finding] = []
        for start, figure in stated:
            finding = self._figure(number, figure, _attribute(canonical, start), evidence, canonical)
            if finding is not None and not (not finding.ok and any(not f.ok for f in found)):
                found.append(finding)
                (self.state.checks if finding.ok else self.state.findings).append(finding)
        return found

    def _figure(self, number: int, figure: Figure, attribute: frozenset[str],
                evidence: list[tuple[str, str]], canonical: str) -> Finding | None:
        """Right or wrong by the sentences of the evidence that state a figure of the same
        measure about the same thing (their words before it share the agent's words before it);
        None when no sentence speaks of it, as for an amount the agent worked out. A figure the
        document states anywhere is not called wrong: the agent may be reading another row."""
        about = [(doc_id, x) for doc_id, passage in evidence for x in _pieces(passage)
                 if _speaks_of(x, figure, attribute, self.rules.attribute_pairs)]
        if not about:
            return None
        if any(addressed(figure, x) for _, x in about):
            return Finding(kind="figure_right", utterance=number, ok=True, doc_id=about[0][0])
        doc_id = about[0][0]
        if any(f == figure for _, f in stated_spans(self._document(doc_id))):
            return None
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        quote = max((x for d, x in about if d == doc_id), key=lambda x: len(_pairs(x) & attribute))[:200]
        return Finding(kind="wrong_figure", utterance=number, doc_id=doc_id, quote=quote,
                       weight=self.rules.weight("wrong_figure"),
                       message=message("call_wrong_figure", title=doc.meta.title if doc else doc_id, quote=quote))

    def _document(self, doc_id: str) -> str:
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        return self._canonical_text(doc.meta.title + "\n" + doc.body) if doc else ""

    def _evidence(self, canonical: str) -> list[tuple[str, str]]:
        recent = [(doc, text) for number, doc, text in self.state.answers[-1:]
                  if len(self.state.spoken) - number <= self.rules.answer_reach]
        return recent + self._units_for(canonical)

    def _units_for(self, canonical: str) -> list[tuple[str, str]]:
        """The units the knowledge base would answer the agent's statement with (its figures left
        out, read with the call's product when it names none)."""
        index = self.kb.index
        asked = _without_figures(canonical)
        product = self.kb.contexts.get(self.session).product
        if product and not index.retriever.named_docs(asked):
            asked = f"{product} {asked}"
        hits = index.retriever.search(asked, self.day)
        if not hits:
            return []
        trace = index.answerer.trace(asked, hits, index.catalog, index.retriever.named_docs(asked))
        units = trace.chosen or trace.candidates.units[:1]
        return [(u.hit.doc_key.split("@")[0], self._canonical_text(u.hit.chunk.meta["section"] + "\n" + u.display))
                for u in units]

    def _canonical_text(self, text: str) -> str:
        return compact(self.kb.analyzer.canonicalize(text))

    def _topic_documents(self, extra: set[str] | frozenset[str] = frozenset()) -> list[SourceDocument]:
        live = self.kb.catalog.in_force(self.day)
        ids = list(dict.fromkeys([*sorted(extra), *self.state.topic_docs]))
        return [live[d] for d in ids if d in live and live[d].meta.category != "disclosure"]

    def _recount(self) -> bool:
        """Each owed disclosure's share read so far; True when one became read."""
        newly = False
        for owed in self.state.owed.values():
            before = owed.covered >= self.rules.covered_share
            owed.covered = len(owed.pairs & self.state.agent_pairs) / max(1, len(owed.pairs))
            newly |= not before and owed.covered >= self.rules.covered_share
        return newly

    def _checklist(self, number: int) -> CallEvent:
        return CallEvent(kind="checklist", utterance=number, checklist=self.checklist())

    def checklist(self) -> list[ChecklistItem]:
        return [ChecklistItem(doc_id=ref, title=o.disclosure.meta.title, owed_by=o.owed_by,
                              covered=round(o.covered, 3), read=o.covered >= self.rules.covered_share)
                for ref, o in self.state.owed.items()]

    # -- the whole call ----------------------------------------------------------------------

    def _find(self, kind: str, number: int | None, message_text: str | None = None) -> None:
        self.state.findings.append(Finding(kind=kind, utterance=number, weight=self.rules.weight(kind),
                                           message=message_text or message(f"call_{kind}")))

    def scorecard(self, agent: str | None = None) -> Scorecard:
        """The quality check of the call so far (a finished call: all of it)."""
        findings = list(self.state.findings)
        findings += self._closing() + self._disclosures_unread() + self._complaint() + self._escalation()
        findings.sort(key=lambda f: (f.utterance or 10**6, f.kind))
        checks = self.state.checks + [Finding(kind="disclosure_read", ok=True, doc_id=i.doc_id)
                                      for i in self.checklist() if i.read]
        score = max(0, 100 - sum(f.weight for f in findings))
        return Scorecard(call_id=self.call_id, agent=agent, score=score, findings=findings, checks=checks,
                         suggested=self.state.suggested_docs)

    def _closing(self) -> list[Finding]:
        last = [u for u in self.state.spoken if u.speaker == "agent"][-self.rules.closing_window:]
        if not last or any(said(normalize_for_match(u.text), self.rules.closing) for u in last):
            return []
        return [self._made("no_closing")]

    def _disclosures_unread(self) -> list[Finding]:
        return [self._made("missing_disclosure", doc_id=i.doc_id, title=i.title)
                for i in self.checklist() if not i.read]

    def _complaint(self) -> list[Finding]:
        if self.state.complaint_at is None:
            return []
        return [self._made("complaint_step_missing", step=s) for s in STEPS if s not in self.state.steps]

    def _escalation(self) -> list[Finding]:
        if self.state.escalation_cue is None or self.state.escalated:
            return []
        return [self._made("escalation_missed", utterance=self.state.escalation_cue)]

    def _made(self, kind: str, utterance: int | None = None, doc_id: str | None = None,
              step: str | None = None, title: str = "") -> Finding:
        words = {"title": title, "step": step_name(step or "")}
        return Finding(kind=kind, utterance=utterance, doc_id=doc_id, step=step,
                       weight=self.rules.weight(kind, step), message=message(f"call_{kind}", **words))


def _pairs(text: str) -> frozenset[str]:
    """Character pairs of normalized text: how a fuzzy reading of a disclosure is matched."""
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


ATTRIBUTE_CHARS = 6  # the words before a figure that say what it is (年费, 手续费率, 最长期限)
RANGE_AFTER = re.compile(r"(?:到|至|-|~|以上|以下|起)")
PIECES = re.compile(r"[。；;！？!?\n|]")


def _attribute(canonical: str, start: int) -> frozenset[str]:
    """Character pairs of the words just before a figure, back to a punctuation mark or figure."""
    before = re.sub(r"[:：\s]", "", canonical[max(0, start - ATTRIBUTE_CHARS - 2):start])[-ATTRIBUTE_CHARS:]
    before = re.split(r"[,，。；;!?！？、\d%]", before)[-1]
    return _pairs(before)


def _pieces(passage: str) -> list[str]:
    return [p for p in PIECES.split(passage) if p]


def _speaks_of(piece: str, figure: Figure, attribute: frozenset[str], least: int) -> bool:
    return any(f.measure == figure.measure and len(_attribute(piece, m.start()) & attribute) >= least
               for m, f in stated_spans(piece))


def _without_figures(canonical: str) -> str:
    return FIGURE_TEXT.sub("", canonical)
