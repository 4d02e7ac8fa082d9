from kb.sessions import CallContexts


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_context_lives_while_the_call_goes_on_and_expires_after_a_quiet_spell():
    clock = Clock()
    contexts = CallContexts(ttl_seconds=60, clock=clock)
    contexts.get("call-1").product = "金卡"
    clock.now = 50
    assert contexts.get("call-1").product == "金卡"
    clock.now = 100  # 50 s after the last question: still alive
    assert contexts.get("call-1").product == "金卡"
    clock.now = 161
    assert contexts.get("call-1").product is None


def test_calls_do_not_share_context_and_expired_ones_are_dropped():
    clock = Clock()
    contexts = CallContexts(ttl_seconds=10, clock=clock)
    contexts.get("a").product = "金卡"
    assert contexts.get("b").product is None
    clock.now = 30
    contexts.get("c")
    assert len(contexts) == 1
