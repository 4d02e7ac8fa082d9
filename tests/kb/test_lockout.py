import datetime as dt

from kb.database import make_engine
from kb.lockout import Lockout


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)

    def __call__(self):
        return self.now


def test_too_many_failures_of_a_user_or_from_an_address_lock_sign_in_for_a_while(tmp_path):
    clock = Clock()
    lockout = Lockout(make_engine(f"sqlite:///{tmp_path / 'app.db'}"), per_user=3, per_address=5, minutes=15,
                      clock=clock)
    for _ in range(3):
        assert lockout.locked("ann", "10.0.0.1") is None
        lockout.failed("ann", "10.0.0.1")
    assert 14 < lockout.locked("ann", "10.0.0.9") <= 15  # the user, from any address
    assert lockout.locked("bob", "10.0.0.2") is None
    lockout.failed("bob", "10.0.0.1")
    lockout.failed("cat", "10.0.0.1")
    assert lockout.locked("dan", "10.0.0.1") is not None  # the address, for any user
    clock.now += dt.timedelta(minutes=16)
    assert lockout.locked("ann", "10.0.0.1") is None


def test_a_successful_sign_in_clears_the_user_s_failures(tmp_path):
    lockout = Lockout(make_engine(f"sqlite:///{tmp_path / 'app.db'}"), per_user=2, per_address=99, minutes=15)
    lockout.failed("ann", "a")
    lockout.succeeded("ann")
    lockout.failed("ann", "a")
    assert lockout.locked("ann", "a") is None
