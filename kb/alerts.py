"""Alerts for the top of the agent's panel: personal data typed in, escalation cues, wealth
products that need a suitability check, and cited rules about to change."""

import datetime as dt
from dataclasses import dataclass

from kb.catalog import Catalog
from kb.messages import joined, kind_name, message
from kb.models import Alert, Answer, DocMeta
from kb.privacy import Masked
from kb.text import normalize
from kb.vocab import load_yaml

SEVERITY = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class AlertRules:
    escalation_cues: tuple[str, ...]
    suitability_levels: frozenset[str]
    rule_change_days: int

    @classmethod
    def load(cls) -> "AlertRules":
        rules = load_yaml("alerts.yaml")
        return cls(escalation_cues=tuple(normalize(str(c)) for c in rules["escalation"]["cues"]),
                   suitability_levels=frozenset(rules["suitability"]["risk_levels"]),
                   rule_change_days=int(rules["rule_change"]["days"]))

    def alerts(self, masked: Masked, answer: Answer, named: list[DocMeta], catalog: Catalog,
               day: dt.date) -> list[Alert]:
        cited = catalog.cited(answer.citations)
        found = []
        if masked.found:
            found.append(personal_data_alert(masked))
        if any(cue in normalize(masked.text) for cue in self.escalation_cues):
            found.append(Alert(code="escalate", level="critical", message=message("escalate")))
        found += self.suitability(cited + [m for m in named if m not in cited])
        found += self.rule_changes(cited, day)
        return sorted(found, key=lambda a: SEVERITY[a.level])

    def suitability(self, docs: list[DocMeta]) -> list[Alert]:
        return [Alert(code="suitability_check", level="warning", doc_id=m.doc_id,
                      message=message("suitability_check", title=m.title, risk_level=m.risk_level))
                for m in docs if m.category == "wealth" and m.risk_level in self.suitability_levels]

    def rule_changes(self, docs: list[DocMeta], day: dt.date) -> list[Alert]:
        horizon = day + min(dt.timedelta(days=self.rule_change_days), dt.date.max - day)  # as of 9999-12-31
        return [Alert(code="rule_changes", level="info", doc_id=m.doc_id,
                      message=message("rule_changes", title=m.title, last_day=m.effective_to.isoformat(),
                                      days=(m.effective_to - day).days))
                for m in docs if m.effective_to is not None and day <= m.effective_to <= horizon]


def personal_data_alert(masked: Masked) -> Alert:
    return Alert(code="personal_data", level="warning",
                 message=message("personal_data", kinds=joined(kind_name(k) for k in masked.kinds)))

