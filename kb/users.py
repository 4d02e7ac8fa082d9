"""Who may use the knowledge base, and for what: users, roles, API tokens and browser sign-ins.

Only hashes of secrets are stored: sha256 of API tokens and session secrets (random, so a fast
hash is enough and lets us look them up by hash), bcrypt of passwords (chosen by people, so a
slow hash). With no users at all the server runs in a labelled local mode as `LOCAL`.
"""

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, cast

import bcrypt
from sqlalchemy import DateTime, Engine, ForeignKey, Integer, String, Table, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from kb.audit import AuditEntry
from kb.database import Base, add_missing_columns, create_tables
from kb.errors import BadRequest, NotFound

ROLES = ("agent", "editor", "evaluator", "qa", "integration", "admin")

# "ask": assist, check, feedback, the side panel; "documents": read and change documents;
# "evaluations": run and read evaluations; "users": manage users and tokens; "override": publish
# a document version that the evaluation gate refuses, with a written reason; "transcribe": post a
# call's utterances (the call platform's speech recognition, and nothing else); "calls": read every
# call and its quality scorecard (an agent reads only their own calls, with "ask").
PERMISSION_NAMES = ("ask", "documents", "evaluations", "users", "override", "transcribe", "calls")

PERMISSIONS: dict[str, frozenset[str]] = {
    "agent": frozenset({"ask"}),
    "editor": frozenset({"ask", "documents"}),
    "evaluator": frozenset({"ask", "evaluations"}),
    "qa": frozenset({"ask", "calls"}),
    "integration": frozenset({"transcribe"}),
    "admin": frozenset(PERMISSION_NAMES) - {"transcribe"},
}

NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt ignores (bcrypt 5 refuses) anything past 72 bytes

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def allows(role: str, permission: str) -> bool:
    """Unknown roles are allowed nothing; an unknown permission is a typo in the caller's code,
    which must fail loudly rather than quietly deny (or, for LOCAL, quietly allow)."""
    _check_permission_name(permission)
    return permission in PERMISSIONS.get(role, frozenset())


def _check_permission_name(permission: str) -> None:
    if permission not in PERMISSION_NAMES:
        raise ValueError(f"unknown permission {permission!r}; one of {', '.join(PERMISSION_NAMES)}")


# What local mode (no users) never allows over the web: managing users. Anyone who reaches the
# port could otherwise make themselves admin and lock the owner out; the first admin is made with
# `kb users add` at the keyboard.
LOCAL_DENIED = frozenset({"users"})


@dataclass(frozen=True)
class Principal:
    """Who a request acts as. `local` marks the no-users mode, where the one at the keyboard
    owns the store and may do everything but manage users."""

    name: str
    role: str
    local: bool = False

    def can(self, permission: str) -> bool:
        _check_permission_name(permission)
        if self.local:
            return permission not in LOCAL_DENIED
        return allows(self.role, permission)


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "::1"})


def is_loopback(host: str) -> bool:
    """Whether a bind address or a Host header's name stays on this machine (127.0.0.0/8, ::1,
    localhost)."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


LOCAL = Principal("local", "admin", local=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SignIn(Base):
    """A browser session; `id` is the sha256 of the cookie's secret, never the secret itself."""

    __tablename__ = "sign_ins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes even for timezone-aware columns; we only store UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def _check_new_user(name: str, role: str, password: str | None) -> None:
    if not NAME_PATTERN.fullmatch(name):
        raise BadRequest(f"bad user name {name!r}: 1-64 of letters, digits, '_', '.', '-'")
    if role not in ROLES:
        raise BadRequest(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if password is not None:
        _check_password_rules(password)


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise BadRequest(f"password too short: at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise BadRequest(f"password too long: at most {MAX_PASSWORD_BYTES} bytes in UTF-8 "
                         "(bcrypt would ignore the rest)")


class Users:
    def __init__(self, engine: Engine, clock: Clock = utc_now, bcrypt_rounds: int = 12) -> None:
        """`clock` lets tests expire sessions without sleeping; `bcrypt_rounds` lets them hash
        fast (bcrypt's minimum is 4); production keeps bcrypt's default of 12."""
        self.engine = engine
        self.clock = clock
        self.bcrypt_rounds = bcrypt_rounds
        self._have_users = False
        create_tables(engine, User, SignIn, AuditEntry)
        add_missing_columns(engine, cast(Table, User.__table__))

    def now(self) -> dt.datetime:
        return as_utc(self.clock())

    def add(self, name: str, role: str, password: str | None = None, by: str = "cli") -> str:
        """Returns the new user's API token: shown once, since only its hash is kept."""
        _check_new_user(name, role, password)
        token = secrets.token_urlsafe(32)
        row = User(name=name, role=role, token_hash=sha256(token), created_at=self.now(),
                   password_hash=self._hash_password(password) if password is not None else None)
        try:
            with Session(self.engine) as session, session.begin():
                session.add(row)
                self._audit(session, by, "user.add", name, f"role {role}")
        except IntegrityError:
            raise BadRequest(f"user {name!r} exists already") from None
        return token

    def any(self) -> bool:
        """Asked on every request; once users exist (they are never all removed) the answer is
        kept, so only local mode pays a query."""
        if not self._have_users:
            with Session(self.engine) as session:
                self._have_users = session.scalar(select(User.id).limit(1)) is not None
        return self._have_users

    def by_token(self, token: str) -> Principal | None:
        with Session(self.engine) as session:
            user = session.scalar(select(User).where(User.token_hash == sha256(token)))
        return Principal(user.name, user.role) if user and user.disabled_at is None else None

    def check_password(self, name: str, password: str) -> Principal | None:
        """Every miss costs one bcrypt check too, so the time taken does not tell which names
        exist or which users have a password."""
        with Session(self.engine) as session:
            user = session.scalar(select(User).where(User.name == name))
        stored_hash = user.password_hash if user and user.password_hash else self._dummy_hash
        matches = self._password_matches(password, stored_hash)
        if user is None or not (matches and user.password_hash and user.disabled_at is None):
            return None
        return Principal(user.name, user.role)

    def new_token(self, name: str, by: str = "cli") -> str:
        """A fresh API token for `name`; the old one and every sign-in stop working at once."""
        token = secrets.token_urlsafe(32)
        with self._change(name, by, "user.token") as user:
            user.token_hash = sha256(token)
        return token

    def disable(self, name: str, by: str = "cli") -> None:
        """Off-boarding: the token, the password and every sign-in stop working at once."""
        with self._change(name, by, "user.disable") as user:
            self._keep_an_admin(user, leaving=True)
            user.disabled_at = self.now()

    def enable(self, name: str, by: str = "cli") -> None:
        with self._change(name, by, "user.enable") as user:
            user.disabled_at = None

    def set_role(self, name: str, role: str, by: str = "cli") -> None:
        if role not in ROLES:
            raise BadRequest(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        with self._change(name, by, "user.role", f"role {role}") as user:
            self._keep_an_admin(user, leaving=role != "admin")
            user.role = role

    def set_password(self, name: str, password: str, by: str = "cli") -> None:
        _check_password_rules(password)
        with self._change(name, by, "user.password") as user:
            user.password_hash = self._hash_password(password)

    def remove(self, name: str, by: str = "cli") -> None:
        with self._change(name, by, "user.remove") as user:
            self._keep_an_admin(user, leaving=True)
            user.token_hash = sha256(secrets.token_urlsafe(32))  # no token works while the row goes
        with Session(self.engine) as session, session.begin():
            session.execute(delete(User).where(User.name == name))

    @contextmanager
    def _change(self, name: str, by: str, action: str, detail: str = "") -> Iterator[User]:
        """One change to a user, with its audit entry, in one transaction; the user's sign-ins
        end with it (a role is read on every request, so it applies at once anyway)."""
        with Session(self.engine) as session, session.begin():
            user = self._user(session, name)
            yield user
            session.execute(delete(SignIn).where(SignIn.user_id == user.id))
            self._audit(session, by, action, name, detail)

    def _keep_an_admin(self, user: User, leaving: bool) -> None:
        """The last enabled admin cannot be disabled, removed or demoted: nobody could manage
        users any more."""
        if not leaving or user.role != "admin" or user.disabled_at is not None:
            return
        with Session(self.engine) as session:
            others = session.scalar(select(User.id).where(User.role == "admin", User.disabled_at.is_(None),
                                                          User.id != user.id).limit(1))
        if others is None:
            raise BadRequest(f"{user.name!r} is the last enabled admin; make another admin first")

    def _audit(self, session: Session, by: str, action: str, name: str, detail: str = "") -> None:
        session.add(AuditEntry(at=self.now(), user=by, action=action, doc_id=f"user:{name}", version=0,
                               old_hash=None, new_hash="", reason=detail))

    def start_session(self, principal_name: str, minutes: int) -> tuple[str, str]:
        """Returns (secret for the cookie, csrf token). Expired sign-ins are swept here, so the
        table does not grow with sessions nobody came back to end."""
        if minutes <= 0:
            raise BadRequest("a session must last at least one minute")
        secret, csrf_token, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), self.now()
        with Session(self.engine) as session, session.begin():
            user = self._user(session, principal_name)
            session.execute(delete(SignIn).where(SignIn.expires_at <= now))
            session.add(SignIn(id=sha256(secret), user_id=user.id, csrf_token=csrf_token,
                               expires_at=now + dt.timedelta(minutes=minutes), created_at=now))
        return secret, csrf_token

    def session(self, secret: str) -> tuple[Principal, str] | None:
        """The principal is read from the user row each time, so a changed role applies at once."""
        with Session(self.engine) as session, session.begin():
            sign_in = session.get(SignIn, sha256(secret))
            if sign_in is None:
                return None
            if as_utc(sign_in.expires_at) <= self.now():
                session.delete(sign_in)
                return None
            user = session.get(User, sign_in.user_id)
            if user is None or user.disabled_at is not None:
                return None
            return Principal(user.name, user.role), sign_in.csrf_token

    def end_session(self, secret: str) -> None:
        """Signing out twice, or with an unknown cookie, is not an error."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(SignIn).where(SignIn.id == sha256(secret)))

    def list(self) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            users = session.scalars(select(User).order_by(User.name))
            return [{"name": u.name, "role": u.role, "created_at": as_utc(u.created_at),
                     "disabled": u.disabled_at is not None} for u in users]

    def _user(self, session: Session, name: str) -> User:
        user = session.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"no user {name!r}")
        return user

    def _hash_password(self, password: str) -> str:
        salt = bcrypt.gensalt(rounds=self.bcrypt_rounds)
        return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")

    def _password_matches(self, password: str, stored_hash: str) -> bool:
        """A password over bcrypt's limit was never accepted, so it cannot match; it still
        pays for a check (bcrypt 5 refuses such input, so check a stand-in)."""
        candidate = password.encode("utf-8")
        too_long = len(candidate) > MAX_PASSWORD_BYTES
        matched = bcrypt.checkpw(b"-" if too_long else candidate, stored_hash.encode("ascii"))
        return matched and not too_long

    @cached_property
    def _dummy_hash(self) -> str:
        """Checked against when there is no real hash; same cost as the real ones."""
        return self._hash_password(secrets.token_urlsafe(16))
