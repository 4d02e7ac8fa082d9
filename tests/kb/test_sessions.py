"""A call's context lives in the app database, so that any serving process reads the same one."""

import datetime as dt

from kb.database import make_engine
from kb.sessions import CallContext, CallContexts

START = dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self):
        return self.now

    def after(self, seconds: float) -> None:
        self.now = START + dt.timedelta(seconds=seconds)


def _contexts(tmp_path, ttl, clock, name="app.db"):
    return CallContexts(make_engine(f"sqlite:///{tmp_path / name}"), ttl_seconds=ttl, clock=clock)


def test_a_context_lives_while_the_call_goes_on_and_expires_after_a_quiet_spell(tmp_path):
    clock = Clock()
    contexts = _contexts(tmp_path, 60, clock)
    contexts.save("call-1", CallContext(product="金卡", turns=1))
    clock.after(50)
    assert contexts.get("call-1") == CallContext(product="金卡", turns=1)
    contexts.save("call-1", CallContext(product="金卡", turns=2))
    clock.after(100)  # 50 s after the last question: still alive
    assert contexts.get("call-1").product == "金卡"
    clock.after(161)
    assert contexts.get("call-1") == CallContext()


def test_calls_do_not_share_context_and_expired_ones_are_deleted(tmp_path):
    clock = Clock()
    contexts = _contexts(tmp_path, 10, clock)
    contexts.save("a", CallContext(product="金卡", turns=1))
    assert contexts.get("b").product is None
    clock.after(30)
    contexts.save("c", CallContext())
    assert contexts.purge() == 1 and len(contexts) == 1


def test_two_processes_on_one_database_read_the_same_context(tmp_path):
    clock = Clock()
    first, second = _contexts(tmp_path, 60, clock), _contexts(tmp_path, 60, clock)
    first.save("call-1", CallContext(product="白金卡", turns=1))
    assert second.get("call-1") == CallContext(product="白金卡", turns=1)
