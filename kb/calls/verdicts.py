"""The figures an agent states, read against the documents in force on the call's day: right when
a sentence about the same thing states it, wrong when such sentences state only other values, and
no verdict otherwise. The documents looked in are those of the knowledge base's last answer in the
call and those it would answer the agent's own statement with."""

import datetime as dt
import re
from typing import cast

from kb.calls.claims import (
    CLAUSES,
    DATE_AFTER,
    DOCUMENT_PIECES,
    ORDINAL_BEFORE,
    PIECES,
    RANGE_BEFORE,
    Claim,
    asked,
    attribute_before,
    clause_of,
    closeness,
    happened,
    keyed,
    pairs,
    per,
    pieces_of,
    sentence_before,
    sentence_of,
    speaks_of,
    without_figures,
)
from kb.calls.models import Finding
from kb.calls.rules import ScorecardRules, said
from kb.calls.speech import written_figures
from kb.calls.transcript import Utterance
from kb.figures import (
    Figure,
    addressed,
    best_fit,
    bound_at,
    equivalents,
    fit,
    only_thresholds,
    per_one,
    remainder,
    stated_spans,
    worked_out,
)
from kb.knowledge_base import KnowledgeBase
from kb.markdown import sections
from kb.messages import message
from kb.models import SourceDocument
from kb.retrieval import longest_names, names_by_start
from kb.text import compact, normalize, occurrences
from kb.units import unit_displays


class FigureCheck:
    """One call's reading of the agent's figures (the call's day, its rules, its context)."""

    def __init__(self, kb: KnowledgeBase, day: dt.date, rules: ScorecardRules, session: str):
        self.kb = kb
        self.day = day
        self.rules = rules
        self.session = session
        self._boundaries: dict[str, frozenset[int]] = {}

    def canonical(self, text: str) -> str:
        return compact(self.kb.analyzer.canonicalize(text))

    def canonical_body(self, doc: SourceDocument) -> str:
        """A document's whole text, canonical (once per version, for every call)."""
        key = ("body", doc.meta.doc_id, doc.meta.version, id(self.kb.analyzer))
        return cast(str, DOCUMENT_PIECES.get(key, lambda _: self.canonical(doc.body)))

    def said_aloud(self, raw: str) -> str:
        """An utterance as documents write it: spoken figures as digits, words canonical."""
        return self.canonical(written_figures(normalize(raw)))

    def verdicts(self, number: int, raw: str, spoken: list[Utterance],
                 answers: list[tuple[int, str, str]]) -> list[Finding]:
        """The figures the agent states that the documents of the topic speak of: right, or the
        first one wrong (one finding per utterance). Left alone: figures the customer said (the
        agent restating their situation) and results the agent worked out (那就是每笔6元)."""
        canonical = self.said_aloud(raw)
        claims = self.claims(canonical, spoken)
        evidence = self._evidence(canonical, len(spoken), answers) if claims else []
        found: list[Finding] = []
        right: set[Figure] = set()
        for claim in claims:
            if claim.figure in right:
                continue  # said again (第二年的两百块 after 年费两百块): the figure already found right
            finding = self._figure(number, claim, evidence)
            if finding is not None and finding.ok:
                right.add(claim.figure)
            if finding is not None and (finding.ok or not any(not f.ok for f in found)):
                found.append(finding)
        return found

    def claims(self, canonical: str, spoken: list[Utterance]) -> list[Claim]:
        """Each figure with what says what it is: the words before it (in a list of parallel
        figures, 1年期1.2%,3年期1.75%, also the first's), and its keys: the other figures of its
        clause (3年 of 3年期1.75%) and the products its sentence names."""
        told = {f for u in spoken if u.speaker == "customer" for _, f in stated_spans(self.said_aloud(u.text))}
        spans = stated_spans(canonical)
        uttered = [f for _, f in spans]
        claims: list[Claim] = []
        previous: frozenset[str] = frozenset()
        end = 0
        for match, figure in spans:
            if PIECES.search(canonical, end, match.start()):
                previous = frozenset()  # a list's words carry to its next figures, not past its sentence
            end = match.end()
            own = attribute_before(canonical, match.start(), self.rules.attribute_chars)
            ranged = RANGE_BEFORE.search(canonical[max(0, match.start() - 3):match.start()])
            attribute = previous if ranged else own | previous
            previous = attribute if ranged else (own or previous)
            if figure in told or not self._stated(canonical, match) or (per_one(figure) and per(canonical, match)) \
                    or worked_out(figure, [f for _, f in stated_spans(sentence_of(canonical, match.start()))] + list(told)) \
                    or remainder(figure, uttered + list(told)):
                continue
            clause = clause_of(canonical, match.start())
            after = CLAUSES.split(canonical[match.start():match.end() + 4])[0]
            keys = tuple(m.group(0) for m, f in stated_spans(clause + after)
                         if f.measure != figure.measure and not per_one(f))
            claims.append(Claim(match.group(0), figure, attribute, keys, self._products(canonical, match.start()),
                                said(clause, self.rules.at_most), bound_at(canonical, match.start()),
                                sentence_of(canonical, match.start())))
        return claims

    def _stated(self, canonical: str, match: re.Match[str]) -> bool:
        """Whether the agent states the figure as what the documents say: not a result worked
        out (那就是6元) or an example (比如认购20万…利息2400元), the customer's own account (您这个月)
        or what happened on it (扣了两块), a question (…五笔，对吗？), a date (1月1日) or an ordinal
        (第3笔)."""
        lead = canonical[max(0, match.start() - self.rules.lead_chars):match.start()]
        clause = clause_of(canonical, match.start())
        return not (said(lead, self.rules.computed) or said(clause, self.rules.own_account)
                    or said(sentence_before(canonical, match.start()), self.rules.example)
                    or happened(canonical, match.start()) or asked(canonical, match.end())
                    or DATE_AFTER.match(canonical, match.end()) or ORDINAL_BEFORE.search(canonical[:match.start()]))

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
        """The product names the figure's sentence says, each the longest at its place (金卡, not
        inside 白金卡): any document's names, since the row a figure is read against is told by a
        name (金卡 of 普卡 and 金卡) that alone picks out no document."""
        return tuple(dict.fromkeys(longest_names(sentence_before(canonical, start), self._names())))

    def _of_products(self, claim: Claim, evidence: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The evidence of the documents of the products the figure's sentence names (a rate said
        of 活期 is no fixed deposit's), and of documents that state any product's figures (a fee
        rule); all of it where the sentence names no product."""
        owners = {doc for name in claim.products for doc in self._owners().get(name, ())}
        if not owners:
            return evidence
        live = self.kb.catalog.in_force(self.day)
        return [(d, text) for d, text in evidence
                if d in owners or (d in live and live[d].meta.category in self.rules.any_product_categories)]

    def names_in(self, raw: str) -> list[tuple[str, frozenset[str]]]:
        """Every product name an utterance says, each the longest at its place, with the documents
        in force that bear it (金卡 too, which several documents use: it names its own)."""
        owners = self._owners()
        return [(n, owners.get(n, frozenset())) for n in longest_names(self.canonical(normalize(raw)), self._names())]

    def _owners(self) -> dict[str, frozenset[str]]:
        """Each product name, canonical, and the documents in force that bear it."""
        live = self.kb.catalog.in_force(self.day)
        def build(_: object) -> dict[str, frozenset[str]]:
            found: dict[str, set[str]] = {}
            for doc in live.values():
                for name in doc.meta.products:
                    found.setdefault(self.canonical(name), set()).add(doc.meta.doc_id)
            return {name: frozenset(docs) for name, docs in found.items()}
        return cast(dict[str, frozenset[str]], DOCUMENT_PIECES.get(("owners", id(self.kb.catalog), self.day), build))

    def _names(self) -> dict[str, tuple[str, ...]]:
        """Every document's product names, canonical, by their first two characters."""
        catalog = self.kb.catalog
        return cast(dict[str, tuple[str, ...]], DOCUMENT_PIECES.get(("names", id(catalog)), lambda _: names_by_start(
            {self.canonical(n) for n in catalog.aliases()})))

    def _figure(self, number: int, claim: Claim, evidence: list[tuple[str, str]]) -> Finding | None:
        """Right when a sentence about the same thing (sharing words before a figure of the same
        measure, and the claim's keys where any such sentence holds them), in the evidence or
        the rest of its document, states it; wrong when such sentences state only other values;
        None when none speaks of it, or only by a span (某元以下) that is no verdict."""
        evidence = self._of_products(claim, evidence)
        about = [(doc_id, x) for doc_id, passage in evidence for x in pieces_of(passage) if self._speaks(x, claim)]
        doc_id = about[0][0] if about else (evidence[0][0] if evidence else None)
        if doc_id is None:
            return None
        whole = [x for x in self._document(doc_id) if self._speaks(x, claim)]
        pieces = [x for x in [p for _, p in about] + whole if not said(x, self.rules.example)]
        pieces = keyed(self._own_product(claim.products, doc_id, pieces), claim.keys)
        said_of = self._said_of(claim)
        fits = [self._fit(claim, x, said_of) for x in pieces]
        if pieces and any(f == 1.0 for f in fits):
            return Finding(kind="figure_right", utterance=number, ok=True, doc_id=doc_id, stated=claim.stated)
        outdated = self._outdated(number, claim, doc_id)
        if outdated is not None:
            return outdated
        pieces = [x for x in pieces if speaks_of(x, claim, self.rules.contradiction_pairs, self.rules.label_chars)]
        fits = [self._fit(claim, x, said_of) for x in pieces]
        if not pieces or all(f is None for f in fits) or any(f for f in fits) or \
                all(addressed(e, x, counted=True) is None for x in pieces for e in equivalents(claim.figure)):
            return None  # a span that holds it, or 一次性 / 前一天: no verdict
        return self._corroborated(number, claim, pieces) or self._wrong(number, claim, doc_id, pieces)

    def _corroborated(self, number: int, claim: Claim, against: list[str]) -> Finding | None:
        """Right after all when a document the knowledge base finds for the figure's own sentence
        states it about the same thing as closely as the sentences that would contradict it (a
        document of another product than the one the figure is said of: more closely). The
        utterance's evidence answers all it says (a cash advance's fee, then its points), and a
        figure's words may match another matter's (取现金额的3% against 订单金额的50%); a time
        deposit's 仅限1次 is no certificate's."""
        closest = max(closeness(x, claim, self.rules.label_chars) for x in against)
        said_of, live = self._said_of(claim), self.kb.catalog.in_force(self.day)
        for doc_id in self._documents_for(claim.sentence):
            own = not said_of or doc_id in said_of or live[doc_id].meta.category in self.rules.any_product_categories
            if any(closeness(x, claim, self.rules.label_chars) >= closest + (not own)
                   and self._fit(claim, x, said_of) == 1.0
                   for x in self._own_product(claim.products, doc_id, self._document(doc_id))):
                return Finding(kind="figure_right", utterance=number, ok=True, doc_id=doc_id, stated=claim.stated)
        return None

    def _documents_for(self, sentence: str) -> list[str]:
        """The documents of the best chunks for a sentence of the agent's, figures left out."""
        hits = self.kb.index.retriever.search(without_figures(sentence), self.day)
        return list(dict.fromkeys(h.doc_key.split("@")[0] for h in hits))[:self.rules.corroborating_docs]

    def _said_of(self, claim: Claim) -> frozenset[str]:
        """The documents of the products the figure is said of, or else of the call's product."""
        owners = self._owners()
        return frozenset(doc for name in claim.products or self._call_product() for doc in owners.get(name, ()))

    def _fit(self, claim: Claim, piece: str, said_of: frozenset[str]) -> float | None:
        """How the piece's figures suit the claim's, less those it gives for another product than
        the ones it is said of (`said_of`'s documents): the product named last in a figure's clause
        (a table row's cell) is its own, and another product is one of other documents (a
        comparison row's other column: 整存整取定期存款：仅限1次 beside 大额存单：最多2次). A piece
        whose figures are all conditions to reach (满50000元) gives no verdict on a figure not said
        as one: the customer's amount is measured against it."""
        owners = self._owners()
        read = piece
        for m, _ in reversed(stated_spans(piece) if said_of else []):
            named = self._named(clause_of(read, m.start()))
            if named and owners.get(named[-1]) and not owners[named[-1]] & said_of:
                read = read[:m.start()] + " " * (m.end() - m.start()) + read[m.end():]
        high, low = claim.at_most or claim.bound == "high", claim.bound == "low"
        found = best_fit([fit(e, read, upper_bounds=not high, lower_bounds=not low) for e in equivalents(claim.figure)])
        return None if found == 0.0 and not low and only_thresholds(claim.figure, piece) else found

    def _named(self, clause: str) -> list[str]:
        """The product names a document's clause says where a word starts (定期 of 整存整取定期, not
        inside 锁定期), each the longest at its place."""
        words = self._boundaries.setdefault(clause, self.kb.analyzer.boundaries(clause))
        return [n for n in longest_names(clause, self._names()) if any(i in words for i in occurrences(n, clause))]

    def _call_product(self) -> tuple[str, ...]:
        product = self.kb.contexts.get(self.session).product
        return (self.canonical(product),) if product else ()

    def _outdated(self, number: int, claim: Claim, doc_id: str) -> Finding | None:
        """Wrong when an earlier version of the document states the figure about the same thing
        and the version in force states it nowhere: the agent quotes a rule no longer in force
        (跨行转账每笔1元 after transfers became free)."""
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        if doc is None or any(_states(claim, x) for x in self._pieces(doc)):
            return None
        for old in self.kb.catalog.earlier(doc):
            stated = keyed([x for x in self._pieces(old) if self._speaks(x, claim) and not said(x, self.rules.example)
                            and _states(claim, x)], claim.keys)
            if stated:
                quote = self._successor(stated[0], old, doc)[:200]
                return Finding(kind="wrong_figure", utterance=number, doc_id=doc_id, quote=quote, stated=claim.stated,
                               weight=self.rules.weight("wrong_figure"),
                               message=message("call_outdated_figure", stated=claim.stated, old=old.meta.title,
                                               version=old.meta.version, title=doc.meta.title, quote=quote))
        return None

    def _speaks(self, piece: str, claim: Claim) -> bool:
        return speaks_of(piece, claim, self.rules.attribute_pairs, self.rules.label_chars)

    def _wrong(self, number: int, claim: Claim, doc_id: str, pieces: list[str]) -> Finding:
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        quote = max(pieces, key=lambda x: len(pairs(x) & claim.attribute))[:200]
        return Finding(kind="wrong_figure", utterance=number, doc_id=doc_id, quote=quote, stated=claim.stated,
                       weight=self.rules.weight("wrong_figure"),
                       message=message("call_wrong_figure", stated=claim.stated, title=doc.meta.title if doc else doc_id,
                                       quote=quote))

    def _document(self, doc_id: str) -> list[str]:
        doc = self.kb.catalog.in_force(self.day).get(doc_id)
        return self._pieces(doc) if doc else []

    def _successor(self, piece: str, old: SourceDocument, doc: SourceDocument) -> str:
        """The piece of the version in force that an earlier version's piece became: under the
        same heading where the document kept it, the most alike of those."""
        heading = dict(zip(self._pieces(old), self._headings(old))).get(piece, "")
        same = [x for x, h in zip(self._pieces(doc), self._headings(doc)) if heading and h == heading]
        return max(same or self._pieces(doc), key=lambda x: _alike(x, piece))

    def _headings(self, doc: SourceDocument) -> list[str]:
        """The heading of each of `_pieces(doc)`, canonical."""
        key = ("headings", doc.meta.doc_id, doc.meta.version, id(self.kb.analyzer))
        return cast(list[str], DOCUMENT_PIECES.get(key, lambda _: [
            self.canonical(trail[-1][1]) if trail else ""
            for trail, text in sections(doc.body) for _ in unit_displays(text)]))

    def _pieces(self, doc: SourceDocument) -> list[str]:
        """Each unit of a document version under its heading, canonical (once per version, for
        every call): the heading says what a row is (利息计算示例)."""
        key = (doc.meta.doc_id, doc.meta.version, id(self.kb.analyzer))
        return cast(list[str], DOCUMENT_PIECES.get(key, lambda _: [
            self.canonical((trail[-1][1] + "\n" if trail else "") + unit)
            for trail, text in sections(doc.body) for unit in unit_displays(text)]))

    def _evidence(self, canonical: str, spoken: int, answers: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
        recent = [(doc, text) for number, doc, text in answers[-1:] if spoken - number <= self.rules.answer_reach]
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
        return [(u.hit.doc_key.split("@")[0], self.canonical(u.hit.chunk.meta["section"] + "\n" + u.display))
                for u in units]


def _states(claim: Claim, piece: str) -> bool:
    """Whether the piece states the claim's figure, in any measure it can be said in."""
    return any(fit(e, piece) == 1.0 for e in equivalents(claim.figure))


def _alike(one: str, other: str) -> float:
    """The share of character pairs two sentences have in common (the row of the version in force
    that an earlier version's row became)."""
    a, b = pairs(one), pairs(other)
    return len(a & b) / max(1, len(a | b))
