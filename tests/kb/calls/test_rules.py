"""The scorecard's rules are data, checked on load."""

from kb.calls.rules import KINDS, STEPS, ScorecardRules


def test_every_kind_and_step_has_a_weight_and_the_weights_fit_in_100():
    rules = ScorecardRules.load()
    assert all(rules.weight(kind) > 0 for kind in KINDS if kind != "complaint_step_missing")
    assert all(rules.weight("complaint_step_missing", step) > 0 for step in STEPS)
    assert 0 < rules.covered_share < 1
    assert all(rules.steps[step] for step in STEPS) and rules.greeting and rules.closing
