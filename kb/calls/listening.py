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
from typing import cast

from kb.calls.claims import (
    CLAUSES,
    DATE_AFTER,
    DOCUMENT_PIECES,
    ORDINAL_BEFORE,
    PIECES,
    RANGE_BEFORE,
    Claim,
    attribute_before,
    clause_of,
    keyed,
    pairs,
    pieces_of,
    speaks_of,
    without_figures,
)
from kb.calls.models import CallEvent, ChecklistItem, Finding, Scorecard
from kb.calls.rules import STEPS, ScorecardRules, said
from kb.calls.speech import written_figures
from kb.calls.transcript import Utterance
from kb.figures import addressed, fit, stated_spans
from kb.knowledge_base import KnowledgeBase
from kb.markdown import sections
from kb.messages import message, step_name
from kb.models import Alert, AssistResponse, SourceDocument
from kb.text import compact, normalize, normalize_for_match
from kb.units import unit_displays
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
        for doc_id in sorted(self.kb.retriever.named_docs(raw)):
            product = live.get(doc_id)
            if product is None or product.meta.category not in self.rules.owing_categories:
                continue
            for ref in product.meta.disclosures:
                if ref in live and ref not in self.state.owed:
                    self.state.owed[ref] = Owed(live[ref], doc_id, pairs(normalize_for_match(live[ref].body)))
                    added = True
        return [self._checklist(number)] if added else []

    # -- the agent ---------------------------------------------------------------------------

    def _agent(self, number: int, raw: str, text: str) -> list[CallEvent]:
        agent_turns = [u for u in self.state.spoken if u.speaker == "agent"]
        if len(agent_turns) == 1 and not all(said(text, group) for group in self.rules.greeting):
            self._find("no_greeting", None)
        self._identity(number, text)
        self._process(text)
        events = [self._alerted(number, a) for a in self._forbidden(raw)]
        events += [CallEvent(kind="figure", utterance=number, finding=f) for f in self._figures(number, raw)]
        events += self._owe_disclosures(number, raw)
        if self.state.owed:
            self.state.agent_pairs |= pairs(text)
            if self._recount():
                events.append(self._checklist(number))
        return events

    def _identity(self, number: int, text: str) -> None:
        """Verified once the agent asks for what proves who is calling (an agent stating the
        card's last digits is acting on the account, not verifying)."""
        if said(text, self.rules.verify) and said(text, self.rules.request):
            self.state.verified = True
        elif self.state.account_matter and not self.state.verified and said(text, self.rules.act):
            if not any(f.kind == "identity_not_verified" for f in self.state.findings):
                self._find("identity_not_verified", number)

    def _process(self, text: str) -> None:
        """The complaint's steps (wherever in the call the agent takes them: the customer may
        name the complaint late) and the escalation, as the agent speaks after its cue."""
        self.state.steps |= {s for s in STEPS if said(text, self.rules.steps[s])}
        if self.state.escalation_cue is not None and said(text, self.rules.escalate):
            self.state.escalated = True

    def _forbidden(self, raw: str) -> list[Alert]:
        return self.kb.draft_checker.forbidden(raw, {d.meta.category for d in self._topic_documents()})

    def _alerted(self, number: int, alert: Alert) -> CallEvent:
        self._find("forbidden_phrase", number, message_text=alert.message)
        return CallEvent(kind="alert", utterance=number, alert=alert)

    def _figures(self, number: int, raw: str) -> list[Finding]:
        """The figures the agent states that the documents of the topic speak of: right, or the
        first one wrong (one finding per utterance). Left alone: figures the customer said (the
        agent restating their situation) and results the agent worked out (那就是每笔6元)."""
        canonical = self._canonical_text(written_figures(normalize(raw)))
        claims = self._claims(canonical)
        evidence = self._evidence(canonical) if claims else []
        found: list[Finding] = []
        for claim in claims:
            finding = self._figure(number, claim, evidence)
            if finding is not None and (finding.ok or not any(not f.ok for f in found)):
                found.append(finding)
                (self.state.checks if finding.ok else self.state.findings).append(finding)
        return found

    def _claims(self, canonical: str) -> list[Claim]:
        """Each figure with what says what it is: the words before it (in a list of parallel
        figures, 1年期1.2%,3年期1.75%, also the first's), and its keys: the other figures of its
        clause (3年 of 3年期1.75%) and the products its sentence names."""
        told = {f for u in self.state.spoken if u.speaker == "customer"
                for _, f in stated_spans(self._canonical_text(written_figures(normalize(u.text))))}
        claims: list[Claim] = []
        previous: frozenset[str] = frozenset()
        end = 0
        for match, figure in stated_spans(canonical):
            if PIECES.search(canonical, end, match.start()):
                previous = frozenset()  # a list's words carry to its next figures, not past its sentence
            end = match.end()
            own = attribute_before(canonical, match.start(), self.rules.attribute_chars)
            ranged = RANGE_BEFORE.search(canonical[max(0, match.start() - 3):match.start()])
            attribute = previous if ranged else own | previous
            previous = attribute if ranged else (own or previous)
            clause = clause_of(canonical, match.start())
            lead = canonical[max(0, match.start() - self.rules.lead_chars):match.start()]
            if figure in told or said(lead, self.rules.computed) or said(clause, self.rules.own_account) \
                    or DATE_AFTER.match(canonical, match.end()) or ORDINAL_BEFORE.search(canonical[:match.start()]):
                continue
            after = CLAUSES.split(canonical[match.start():match.end() + 4])[0]
            keys = tuple(m.group(0) for m, f in stated_spans(clause + after) if f.measure != figure.measure)
            claims.append(Claim(match.group(0), figure, attribute, keys, self._products(canonical, match.start())))
        return claims

    def _own_product(self, products: tuple[str, ...], doc_id: str, pieces: list[str]) -> list[str]:
        """Where the document's sentences speak of several of its products (普卡 and 金卡 rows), the
        product named keeps its own and the neutral ones; a sentence about another is left out."""
        if not products:
            return pieces
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        names = [self.kb.analyzer.canonicalize(n) for n in (doc.meta.products if doc else [])]
        others = [n for n in names if all(n != p and p not in n and n not in p for p in products)]
        kept = [x for x in pieces if any(p in x for p in products) or not any(n in x for n in others)]
        return kept or pieces

    def _products(self, canonical: str, start: int) -> tuple[str, ...]:
        sentence = re.split(r"[。；;!?！？]", canonical[:start])[-1]
        return tuple(name for name, _ in self.kb.retriever.named_products(sentence))

    def _figure(self, number: int, claim: Claim, evidence: list[tuple[str, str]]) -> Finding | None:
        """Right when a sentence about the same thing (sharing words before a figure of the same
        measure, and the claim's keys where any such sentence holds them), in the evidence or
        the rest of its document, states it; wrong when such sentences state only other values;
        None when none speaks of it, or only by a span (某元以下) that is no verdict."""
        least = self.rules.attribute_pairs
        about = [(doc_id, x) for doc_id, passage in evidence for x in pieces_of(passage)
                 if speaks_of(x, claim, least, self.rules.label_chars)]
        doc_id = about[0][0] if about else (evidence[0][0] if evidence else None)
        if doc_id is None:
            return None
        whole = [x for x in self._document(doc_id) if speaks_of(x, claim, least, self.rules.label_chars)]
        pieces = [x for x in [p for _, p in about] + whole if not said(x, self.rules.example)]
        pieces = keyed(self._own_product(claim.products, doc_id, pieces), claim.keys)
        fits = [fit(claim.figure, x) for x in pieces]
        if not pieces or any(f == 1.0 for f in fits):
            return Finding(kind="figure_right", utterance=number, ok=True, doc_id=doc_id, stated=claim.stated) \
                if pieces else None
        if all(f is None for f in fits) or any(f for f in fits) or \
                all(addressed(claim.figure, x) is None for x in pieces):
            return None  # a span that holds it, or 一次性 / 前一天: no verdict
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        quote = max(pieces, key=lambda x: len(pairs(x) & claim.attribute))[:200]
        return Finding(kind="wrong_figure", utterance=number, doc_id=doc_id, quote=quote, stated=claim.stated,
                       weight=self.rules.weight("wrong_figure"),
                       message=message("call_wrong_figure", stated=claim.stated, title=doc.meta.title if doc else doc_id,
                                       quote=quote))

    def _document(self, doc_id: str) -> list[str]:
        """Each unit of the document in force under its heading, canonical (once per version,
        for every call): the heading says what a row is (利息计算示例)."""
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        if doc is None:
            return []
        key = (doc.meta.doc_id, doc.meta.version, id(self.kb.analyzer))
        return cast(list[str], DOCUMENT_PIECES.get(key, lambda _: [
            self._canonical_text((trail[-1][1] + "\n" if trail else "") + unit)
            for trail, text in sections(doc.body) for unit in unit_displays(text)]))

    def _evidence(self, canonical: str) -> list[tuple[str, str]]:
        recent = [(doc, text) for number, doc, text in self.state.answers[-1:]
                  if len(self.state.spoken) - number <= self.rules.answer_reach]
        return recent + self._units_for(canonical)

    def _units_for(self, canonical: str) -> list[tuple[str, str]]:
        """The units the knowledge base would answer the agent's statement with (its figures left
        out, read with the call's product when it names none)."""
        index = self.kb.index
        asked = without_figures(canonical)
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


ASKING_WORDS = tuple(read_words("question_words.txt"))


def asks(raw: str) -> bool:
    """Whether an utterance asks something (a question mark, a question word, 吗 / 能不能)."""
    text = normalize(raw).strip()
    return "?" in text or "？" in text or any(w in text for w in ASKING_WORDS) or \
        bool(re.search(asking()["yes_no"], text.rstrip("。！!")))
