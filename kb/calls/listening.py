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

from kb.calls.claims import pairs
from kb.calls.models import CallEvent, ChecklistItem, Finding, Scorecard
from kb.calls.rules import STEPS, ScorecardRules, said
from kb.calls.speech import written_figures
from kb.calls.transcript import Utterance
from kb.calls.verdicts import FigureCheck
from kb.knowledge_base import KnowledgeBase
from kb.messages import message, step_name
from kb.models import Alert, AssistResponse, SourceDocument
from kb.text import normalize, normalize_for_match
from kb.vocab import asking, read_words


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
        self.figure_check = FigureCheck(kb, day, rules, self.session)

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
        if self.state.escalation_cue is None and said(written_figures(text), self.kb.alert_rules.escalation_cues):
            self.state.escalation_cue, self.state.escalated = number, False
        response = self.kb.ask(raw, as_of=self.day, session_id=self.session)
        self._note_complaint(number, text, response)
        events = [CallEvent(kind="alert", utterance=number, alert=a) for a in response.alerts
                  if a.level == "critical"]
        if response.answer.status == "answered" and response.answer.citations:
            self.state.answers.append((number, response.answer.citations[0].doc_id,
                                       self.figure_check.canonical(response.answer.text)))
        if self._fresh_suggestion(number, response, raw):
            events.append(CallEvent(kind="suggestion", utterance=number, suggestion=response))
        return events + self._owe_disclosures(number, raw)

    def _note_complaint(self, number: int, text: str, response: AssistResponse) -> None:
        found = {s.name for s in self.kb.scripts.situations_in(text, set())}
        if self.state.complaint_at is None and found & self.rules.complaint_situations:
            self.state.complaint_at = number

    def _fresh_suggestion(self, number: int, response: AssistResponse, raw: str) -> bool:
        """An answer, a situation's script, or, for an utterance that asks, the passages possibly
        related (shown as such, never as an answer), not already suggested in this call."""
        shown = response.answer.citations or (response.related if asks(raw) else [])
        if not shown and response.script is None:
            return False
        key = frozenset((c.doc_id, c.section) for c in shown) if shown \
            else frozenset({("script", response.script.doc_id if response.script else "")})
        docs = list(dict.fromkeys(c.doc_id for c in shown))
        self.state.suggested_docs += [(number, d) for d in docs[:2]]  # on the panel, new or not
        if key in self.state.suggested:
            return False
        self.state.suggested[key] = number
        self.state.topic_docs = docs + [d for d in self.state.topic_docs if d not in docs]
        return True

    def _owe_disclosures(self, number: int, raw: str) -> list[CallEvent]:
        """The disclosures of the wealth and credit products this utterance names (a product is
        discussed when its name is spoken, not when a suggestion merely cites it)."""
        live = self.kb.catalog.in_force(self.day)
        added = False
        for doc_id, refs in self._owed_by_names(raw, live):
            for ref in refs:
                if ref in live and ref not in self.state.owed:
                    self.state.owed[ref] = Owed(live[ref], doc_id, pairs(normalize_for_match(live[ref].body)))
                    added = True
        return [self._checklist(number)] if added else []

    def _owed_by_names(self, raw: str, live: dict[str, SourceDocument]) -> list[tuple[str, list[str]]]:
        """For each wealth or credit product name the utterance says (less a name the call's
        topic's own document speaks of: 提前结清 of a card's installments is that card's, not the
        loan rule's), the disclosures that every document bearing it owes: 金卡 is several cards'
        name, and each of them owes the card's interest disclosure."""
        found = []
        for name, docs in self.figure_check.names_in(raw):
            owing = sorted((live[d] for d in docs if d in live and live[d].meta.category in self.rules.owing_categories),
                           key=lambda d: d.meta.doc_id)
            if owing and self._discussed(name, set(docs)):
                shared = set.intersection(*(set(d.meta.disclosures) for d in owing))
                found.append((owing[0].meta.doc_id, sorted(shared)))
        return found

    def _discussed(self, name: str, docs: set[str]) -> bool:
        """A product name is its own documents' unless a document the call was on more lately
        speaks of it (部分提前还款 said of a card's installments, after a suggestion that also cited
        the loan rule)."""
        for topic in self._topic_documents():
            if topic.meta.doc_id in docs:
                return True
            if name in self.figure_check.canonical_body(topic):
                return False
        return True

    # -- the agent ---------------------------------------------------------------------------

    def _agent(self, number: int, raw: str, text: str) -> list[CallEvent]:
        agent_turns = [u for u in self.state.spoken if u.speaker == "agent"]
        if len(agent_turns) == 1 and not all(said(text, group) for group in self.rules.greeting):
            self._find("no_greeting", None)
        self._identity(number, text)
        self._process(text)
        events = self._alerted(number, self._forbidden(raw))
        events += [CallEvent(kind="figure", utterance=number, finding=f) for f in self._figures(number, raw)]
        events += self._owe_disclosures(number, raw)
        if self.state.owed:
            self.state.agent_pairs |= pairs(text)
            if self._recount():
                events.append(self._checklist(number))
        return events

    def _identity(self, number: int, text: str) -> None:
        """Verified once the agent asks for what proves who is calling (an agent stating the
        card's last digits is acting on the account, not verifying) or says the check passed.
        Acting on the account, or saying what only its holder may hear, makes the call an account
        matter whatever words the customer used for it (我借记卡寻不着了)."""
        if said(text, self.rules.verify) and said(text, self.rules.request) or said(text, self.rules.verified):
            self.state.verified = True
        elif not self.state.verified and said(text, self.rules.act):
            if not any(f.kind == "identity_not_verified" for f in self.state.findings):
                self._find("identity_not_verified", number)

    def _process(self, text: str) -> None:
        """The complaint's steps (wherever in the call the agent takes them: the customer may
        name the complaint late) and the escalation, as the agent speaks after its cue."""
        self.state.steps |= {s for s in STEPS if said(text, self.rules.steps[s])}
        if self.state.escalation_cue is not None and said(text, self.rules.escalate):
            self.state.escalated = True

    def _forbidden(self, raw: str) -> list[Alert]:
        """Read with the products of the call's topic and those the utterance names (天天盈)."""
        named = self._topic_documents(self.kb.retriever.named_docs(raw))
        return self.kb.draft_checker.forbidden(raw, {d.meta.category for d in named})

    def _alerted(self, number: int, alerts: list[Alert]) -> list[CallEvent]:
        """An alert on the panel for each kind of forbidden phrasing; one finding for the
        utterance (an inspector marks the utterance, whatever kinds it says)."""
        if alerts:
            self._find("forbidden_phrase", number, message_text="；".join(a.message for a in alerts))
        return [CallEvent(kind="alert", utterance=number, alert=a) for a in alerts]

    def _figures(self, number: int, raw: str) -> list[Finding]:
        found = self.figure_check.verdicts(number, raw, self.state.spoken, self.state.answers)
        for finding in found:
            (self.state.checks if finding.ok else self.state.findings).append(finding)
        return found

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


ASKING_WORDS = tuple(read_words("question_words.txt"))


def asks(raw: str) -> bool:
    """Whether an utterance asks something (a question mark, a question word, 吗 / 能不能)."""
    text = normalize(raw).strip()
    return "?" in text or "？" in text or any(w in text for w in ASKING_WORDS) or \
        bool(re.search(asking()["yes_no"], text.rstrip("。！!")))
