"""The calls being spoken now: each has a listener that hears its utterances in turn (stored
first, masked), and a finished call is scored and kept. A call whose listener this process does
not hold (a restart) is listened to again from its stored utterances."""

import threading
import uuid
from collections import defaultdict

from kb.calls.events import CallEventLog
from kb.calls.listening import CallListener
from kb.calls.models import CallEvent, Scorecard
from kb.calls.records import CallRecords, checked_call_id, scorecard_of
from kb.calls.rules import ScorecardRules
from kb.calls.transcript import Transcript, Utterance
from kb.knowledge_base import KnowledgeBase


class CallDesk:
    def __init__(self, kb: KnowledgeBase, records: CallRecords, rules: ScorecardRules, events: CallEventLog):
        self.kb = kb
        self.records = records
        self.rules = rules
        self.events = events
        self.origin = uuid.uuid4().hex  # this process, in the events it announces
        self._listeners: dict[str, CallListener] = {}
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def hear(self, call_id: str, agent: str | None, said: Utterance) -> tuple[int, list[CallEvent]]:
        """Store the utterance and hear it: its number in the call and the events for the panel."""
        call_id = checked_call_id(call_id)
        with self._locks[call_id]:
            number, masked = self.records.add(call_id, agent, said)
            listener = self._listener(call_id, masked, heard=number - 1)
            return number, self.events.append(call_id, listener.hear(masked), self.origin)

    def _listener(self, call_id: str, first: Utterance, heard: int) -> CallListener:
        listener = self._listeners.get(call_id)
        if listener is None or len(listener.state.spoken) != heard:
            listener = CallListener(self.kb, call_id, first.at.date(), self.rules)
            for earlier in self.records.utterances(call_id)[:heard]:
                listener.hear(earlier)
            self._listeners[call_id] = listener
        return listener

    def end(self, call_id: str) -> Scorecard:
        """Close the call, score it and keep the score; calls past their retention are deleted."""
        with self._locks[call_id]:
            card = self.scorecard(call_id)
            self.records.end(call_id, card)
            self._listeners.pop(call_id, None)
        self._locks.pop(call_id, None)
        self.records.purge()
        self.events.purge()
        return card

    def scorecard(self, call_id: str) -> Scorecard:
        """The quality check: kept for a finished call, else made from what was said so far."""
        row = self.records.call(call_id)
        kept = scorecard_of(row) if row.ended_at else None
        if kept is not None:
            return kept
        spoken = self.records.utterances(call_id)
        listener = self._listeners.get(call_id)
        if listener is None or len(listener.state.spoken) != len(spoken):
            listener = self.listen(Transcript(call_id, row.agent, None, spoken))
        return listener.scorecard(row.agent)

    def listen(self, transcript: Transcript) -> CallListener:
        """A whole call heard in turn, stored nowhere (a recorded call, a review)."""
        listener = CallListener(self.kb, transcript.call_id, transcript.day, self.rules)
        for said in transcript.utterances:
            listener.hear(said)
        return listener
