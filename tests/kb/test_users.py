import datetime as dt

import pytest
from sqlalchemy import text

from kb.database import make_engine
from kb.errors import BadRequest, NotFound
from kb.users import (
    LOCAL,
    PERMISSION_NAMES,
    PERMISSIONS,
    ROLES,
    Principal,
    Users,
    allows,
)

START = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC)


class FakeClock:
    """Time that moves only when the test says so."""

    def __init__(self):
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path}/app.db")


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def users(engine, clock):
    return Users(engine, clock=clock, bcrypt_rounds=4)


def test_a_new_user_is_found_by_its_token_and_listed_without_secrets(users):
    assert not users.any()
    token = users.add("alice", "editor", password="correct horse")
    assert users.any()
    assert users.by_token(token) == Principal("alice", "editor")
    assert users.list() == [{"name": "alice", "role": "editor", "created_at": START, "disabled": False}]


def test_only_hashes_of_the_token_and_password_are_stored(users, engine):
    token = users.add("alice", "agent", password="correct horse")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM users")).all()
    stored = repr(rows)
    assert "alice" in stored  # the read did see the row
    assert token not in stored and "correct horse" not in stored
    password_hash = rows[0]._mapping["password_hash"]
    assert password_hash.startswith("$2b$")


def test_a_wrong_token_or_password_finds_no_one(users):
    token = users.add("alice", "agent", password="correct horse")
    assert users.by_token(token + "x") is None
    assert users.by_token("") is None
    assert users.check_password("alice", "correct horse") == Principal("alice", "agent")
    assert users.check_password("alice", "wrong horse!") is None
    assert users.check_password("bob", "correct horse") is None
    assert users.check_password("alice", "x" * 100) is None


def test_a_user_without_a_password_cannot_sign_in_with_one(users):
    users.add("bot", "agent")
    assert users.check_password("bot", "") is None
    assert users.check_password("bot", "anything at all") is None


def test_a_duplicate_name_is_refused_naming_the_name(users):
    users.add("alice", "agent")
    with pytest.raises(BadRequest, match="alice"):
        users.add("alice", "admin")
    assert [u["role"] for u in users.list()] == ["agent"]


@pytest.mark.parametrize("name, role, password, complaint", [
    ("alice", "superuser", None, "role"),
    ("", "agent", None, "name"),
    ("al ice", "agent", None, "name"),
    ("a" * 65, "agent", None, "name"),
    ("alice", "agent", "short", "too short"),
    ("alice", "agent", "x" * 73, "too long"),
    ("alice", "agent", "密" * 25, "too long"),  # 25 characters but 75 bytes in UTF-8
])
def test_bad_users_are_refused_and_nothing_is_stored(users, name, role, password, complaint):
    with pytest.raises(BadRequest, match=complaint):
        users.add(name, role, password=password)
    assert not users.any()


def test_a_password_of_exactly_72_bytes_is_accepted(users):
    password = "密" * 24  # 72 bytes
    users.add("alice", "agent", password=password)
    assert users.check_password("alice", password) == Principal("alice", "agent")


def test_a_new_token_replaces_the_old_one(users):
    old = users.add("alice", "agent")
    new = users.new_token("alice")
    assert new != old
    assert users.by_token(old) is None
    assert users.by_token(new) == Principal("alice", "agent")
    with pytest.raises(NotFound):
        users.new_token("bob")


def test_a_session_lasts_until_it_expires(users, clock):
    users.add("alice", "evaluator")
    secret, csrf_token = users.start_session("alice", minutes=30)
    assert secret != csrf_token
    clock.advance(29)
    assert users.session(secret) == (Principal("alice", "evaluator"), csrf_token)
    clock.advance(1)
    assert users.session(secret) is None
    clock.now = START  # the expired sign-in was deleted, not just hidden
    assert users.session(secret) is None


def test_only_the_session_hash_is_stored(users, engine):
    users.add("alice", "agent")
    secret, _ = users.start_session("alice", minutes=30)
    with engine.connect() as connection:
        stored = repr(connection.execute(text("SELECT * FROM sign_ins")).all())
    assert "alice" not in stored and stored != "[]"
    assert secret not in stored


def test_an_ended_session_is_gone(users):
    users.add("alice", "agent")
    secret, _ = users.start_session("alice", minutes=30)
    other, _ = users.start_session("alice", minutes=30)
    users.end_session(secret)
    users.end_session(secret)  # twice is fine
    assert users.session(secret) is None
    assert users.session(other) is not None
    assert users.session("never issued") is None


def test_sessions_need_a_known_user_and_a_positive_length(users):
    with pytest.raises(NotFound):
        users.start_session("bob", minutes=30)
    users.add("alice", "agent")
    with pytest.raises(BadRequest):
        users.start_session("alice", minutes=0)


@pytest.mark.parametrize("role, allowed", [
    ("agent", {"ask"}),
    ("editor", {"ask", "documents"}),
    ("evaluator", {"ask", "evaluations"}),
    ("qa", {"ask", "calls"}),
    ("integration", {"transcribe"}),
    ("admin", {"ask", "documents", "evaluations", "users", "override", "calls"}),
    ("superuser", set()),
])
def test_each_role_is_allowed_exactly_its_permissions(role, allowed):
    assert {p for p in PERMISSION_NAMES if allows(role, p)} == allowed
    assert {p for p in PERMISSION_NAMES if Principal("someone", role).can(p)} == allowed


def test_every_role_has_an_entry_in_the_permission_table():
    assert set(PERMISSIONS) == set(ROLES)
    assert set().union(*PERMISSIONS.values()) == set(PERMISSION_NAMES)


def test_local_can_do_everything_but_manage_users_and_a_typo_is_an_error():
    assert all(LOCAL.can(p) for p in PERMISSION_NAMES if p != "users")
    assert not LOCAL.can("users")  # whoever reaches the port would make themselves admin
    assert Principal("local", "agent", local=True).can("documents")  # local wins over the role
    assert not Principal("local", "agent").can("documents")
    with pytest.raises(ValueError):
        LOCAL.can("user")
    with pytest.raises(ValueError):
        allows("admin", "document")



# --- off-boarding --------------------------------------------------------------------------------

def test_a_disabled_user_is_locked_out_at_once_and_enabled_again(users):
    token = users.add("ann", "editor", password="ann-password")
    secret, _ = users.start_session("ann", 480)
    users.disable("ann", by="boss")
    assert users.by_token(token) is None and users.session(secret) is None
    assert users.check_password("ann", "ann-password") is None
    assert [u["disabled"] for u in users.list()] == [True]
    users.enable("ann", by="boss")
    assert users.by_token(token) == Principal("ann", "editor")
    assert users.session(secret) is None, "a sign-in ended by the disabling stays ended"


def test_a_new_token_ends_the_user_s_sign_ins(users):
    """A browser session used to outlive a rotated token by up to 8 hours."""
    users.add("ann", "agent", password="ann-password")
    secret, _ = users.start_session("ann", 480)
    users.new_token("ann")
    assert users.session(secret) is None


def test_role_password_and_removal(users):
    token = users.add("ann", "agent", password="ann-password")
    users.set_role("ann", "evaluator")
    assert users.by_token(token).role == "evaluator"
    users.set_password("ann", "another-password")
    assert users.check_password("ann", "another-password") and not users.check_password("ann", "ann-password")
    with pytest.raises(BadRequest, match="too short"):
        users.set_password("ann", "short")
    users.remove("ann")
    assert users.by_token(token) is None and users.list() == []
    with pytest.raises(NotFound):
        users.disable("ann")


def test_the_last_enabled_admin_cannot_be_disabled_demoted_or_removed(users):
    users.add("root", "admin")
    for change in (lambda: users.disable("root"), lambda: users.remove("root"),
                   lambda: users.set_role("root", "agent")):
        with pytest.raises(BadRequest, match="last enabled admin"):
            change()
    users.add("second", "admin")
    users.disable("root")
    with pytest.raises(BadRequest, match="last enabled admin"):
        users.remove("second")


def test_every_change_to_a_user_goes_into_the_audit_log(users, engine):
    from kb.audit import AuditLog

    users.add("ann", "agent", by="boss")
    users.set_role("ann", "editor", by="boss")
    users.disable("ann", by="boss")
    entries = AuditLog(engine).history({})
    assert [(e.user, e.action, e.doc_id, e.applied) for e in entries] == [
        ("boss", "user.disable", "user:ann", True), ("boss", "user.role", "user:ann", True),
        ("boss", "user.add", "user:ann", True)]
    assert entries[1].reason == "role editor"
