"""Who may do what: every route of the app, walked with every role (and with no one), answers 401
or 403 exactly where it must; pages sign in with a password and guard their forms with CSRF."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from kb.calls.transcript import utterance
from kb.users import PERMISSIONS, ROLES

NOW = dt.datetime.now(dt.UTC).isoformat()

FEEDBACK = {"query": "q", "response": {"answer": {"status": "answered"}}, "rating": "up"}
BAD_UPLOAD = {"files": {"file": ("a.exe", b"MZ")}}

# (method, path) -> (the permission it needs or None for public, an example request)
ROUTES = {
    ("POST", "/assist"): ("ask", {"json": {"query": "星辰金卡年费多少"}}),
    ("POST", "/check"): ("ask", {"json": {"draft": "这款产品保本保收益"}}),
    ("POST", "/feedback"): ("ask", {"json": FEEDBACK}),
    ("GET", "/health"): (None, {}),
    ("GET", "/metrics"): (None, {}),
    ("GET", "/ready"): (None, {}),
    ("GET", "/api/documents"): ("documents", {}),
    ("POST", "/api/documents"): ("documents", BAD_UPLOAD),
    ("POST", "/api/documents/preview"): ("documents", BAD_UPLOAD),
    ("GET", "/api/documents/{doc_id}"): ("documents", {}),
    ("POST", "/api/documents/{doc_id}/rollback"): ("documents", {"json": {"version": 99}}),
    ("POST", "/api/documents/{doc_id}/retire"): ("documents", {"json": {"last_day": "2000-01-01"}}),
    ("GET", "/api/documents/{doc_id}/versions/{version}/original"): ("documents", {}),
    ("GET", "/api/documents/{doc_id}/audit"): ("documents", {}),
    ("GET", "/api/gaps"): ("documents", {}),
    ("GET", "/api/review"): ("evaluations", {}),
    ("POST", "/api/review/{feedback_id}/promote"): ("evaluations", {"json": {"item_id": "x"}}),
    ("POST", "/api/review/{feedback_id}/dismiss"): ("evaluations", {}),
    ("GET", "/api/review/export"): ("evaluations", {}),
    ("GET", "/evaluations/review"): ("evaluations", {}),
    ("POST", "/evaluations/review/{feedback_id}/promote"): ("evaluations", {"data": {"item_id": "x"}}),
    ("POST", "/evaluations/review/{feedback_id}/dismiss"): ("evaluations", {}),
    ("GET", "/evaluations/review/export.jsonl"): ("evaluations", {}),
    ("GET", "/api/evaluations"): ("evaluations", {}),
    ("GET", "/api/evaluations/diff"): ("evaluations", {"params": {"a": 1, "b": 2}}),
    ("GET", "/api/evaluations/{run_id}"): ("evaluations", {}),
    ("GET", "/api/evaluations/{run_id}/export"): ("evaluations", {}),
    ("POST", "/api/evaluations/jobs"): ("evaluations", {"data": {"dataset": "/etc/passwd"}}),
    ("GET", "/api/evaluations/jobs/{job_id}"): ("evaluations", {}),
    ("GET", "/evaluations"): ("evaluations", {}),
    ("GET", "/evaluations/runs/{run_id}"): ("evaluations", {}),
    ("GET", "/evaluations/runs/{run_id}/export.{fmt}"): ("evaluations", {}),
    ("GET", "/evaluations/diff"): ("evaluations", {}),
    ("POST", "/evaluations/jobs"): ("evaluations", {"data": {"dataset": "/etc/passwd"}}),
    ("GET", "/evaluations/jobs/{job_id}"): ("evaluations", {}),
    ("GET", "/api/users"): ("users", {}),
    ("POST", "/api/users"): ("users", {"json": {"name": "x", "role": "nobody"}}),
    ("POST", "/api/users/{name}/token"): ("users", {}),
    ("POST", "/api/users/{name}/disable"): ("users", {}),
    ("POST", "/api/users/{name}/enable"): ("users", {}),
    ("POST", "/api/users/{name}/role"): ("users", {"json": {"role": "agent"}}),
    ("POST", "/api/users/{name}/password"): ("users", {"json": {"password": "a-new-password"}}),
    ("DELETE", "/api/users/{name}"): ("users", {}),
    ("GET", "/admin/users"): ("users", {}),
    ("POST", "/admin/users/{name}/{change}"): ("users", {"data": {}}),
    ("POST", "/calls/{call_id}/utterances"): ("transcribe", {"json": {"speaker": "agent", "text": "您好", "at": "2026-01-01T00:00:00"}}),
    ("POST", "/calls/{call_id}/end"): ("transcribe", {}),
    ("GET", "/calls/{call_id}/qa"): ("ask", {}),
    ("GET", "/api/calls"): ("ask", {}),
    ("GET", "/api/calls/export.csv"): ("ask", {}),
    ("GET", "/calls"): ("ask", {}),
    ("GET", "/calls/{call_id}"): ("ask", {}),
    ("GET", "/ui/calls/{call_id}/stream"): ("ask", {}),
    ("GET", "/"): ("ask", {}),
    ("POST", "/ui/ask"): ("ask", {"data": {"query": "星辰金卡年费多少"}}),
    ("POST", "/ui/feedback"): ("ask", {"data": {"rating": "up", "query": "q", "response_json": "{}"}}),
    ("GET", "/editor"): ("documents", {}),
    ("GET", "/editor/documents/{doc_id}"): ("documents", {}),
    ("POST", "/editor/documents/{doc_id}/rollback"): ("documents", {"data": {"version": "99"}}),
    ("GET", "/editor/upload"): ("documents", {}),
    ("POST", "/editor/upload/{step}"): ("documents", {"files": {"file": ("a.exe", b"MZ")}, "data": {}}),
    ("GET", "/editor/gaps"): ("documents", {}),
    ("GET", "/signin"): (None, {}),
    ("POST", "/signin"): (None, {"data": {"name": "x", "password": "y", "signin_csrf": "z"}}),
    ("POST", "/signout"): (None, {}),
    ("GET", "/docs"): (None, {}),
    ("GET", "/openapi.json"): (None, {}),
}
EXAMPLE_PARAMS = {"call_id": "ended-call", "change": "disable", "doc_id": "fee-transfer", "version": "1", "name": "nobody-here", "step": "preview", "feedback_id": "999999", "run_id": "1", "job_id": "1", "fmt": "csv"}


def app_routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                found |= {(m, context.path) for m in context.methods}
        elif getattr(route, "methods", None):
            found |= {(m, route.path) for m in route.methods if m != "HEAD"}
    return found


@pytest.fixture(scope="module")
def secured(tmp_path_factory, kbtest):
    """An app over its own store with one user of each role; yields (client, tokens)."""
    from ui.app import create_app

    root = tmp_path_factory.mktemp("secured")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus")).ok
    tokens = {role: knowledge.users.add(role, role, password=f"{role}-password") for role in ROLES}
    knowledge.calls.hear("ended-call", "agent", utterance({"speaker": "agent", "text": "您好", "at": NOW}))
    knowledge.calls.end("ended-call")  # a call that takes no more utterances and whose stream closes
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        yield client, tokens


def test_every_route_states_its_permission():
    from ui.app import create_app

    assert app_routes(create_app(warm_up=False)) == set(ROUTES), \
        "a route was added or removed: state its permission in ROUTES"


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_gets_401_403_or_through(secured, route):
    client, tokens = secured
    method, template = route
    needed, request = ROUTES[route]
    path = re.sub(r"\{(\w+)\}", lambda m: EXAMPLE_PARAMS[m.group(1)], template)
    callers = {"anonymous": {}, **{role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}}
    public = set()
    for who, headers in callers.items():
        status = client.request(method, path, headers=headers, follow_redirects=False, **request).status_code
        if needed is None:  # the same answer for anyone (a sign-in with a wrong password is 401)
            public.add(status)
            assert len(public) == 1 and status != 403, (who, status)
        elif who == "anonymous":
            assert status == 401, (who, status)
        elif needed in PERMISSIONS[who]:
            assert status not in (401, 403), (who, status)
        else:
            assert status == 403, (who, status)


def test_a_wrong_token_is_401_with_a_bearer_challenge(secured):
    client, _ = secured
    answer = client.post("/assist", json={"query": "年费"}, headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


def signed_in(client, role: str) -> TestClient:
    page = client.get("/signin")
    token = re.search(r'name="signin_csrf" value="([^"]+)"', page.text).group(1)
    done = client.post("/signin", data={"name": role, "password": f"{role}-password",
                                        "signin_csrf": token, "next": "/editor"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/editor"
    return client


def test_pages_send_an_unknown_browser_to_sign_in(secured):
    client, _ = secured
    client.cookies.clear()
    answer = client.get("/editor", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=/editor")
    filtered = client.get("/editor?category=fee_rule", headers={"Accept": "text/html"}, follow_redirects=False)
    assert filtered.headers["location"] == "/signin?next=/editor%3Fcategory%3Dfee_rule"  # the filter survives
    htmx = client.post("/ui/ask", data={"query": "年费"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/signin")


def test_sign_in_then_a_form_needs_its_csrf_token(secured):
    client, _ = secured
    client.cookies.clear()
    signed_in(client, "editor")
    page = client.get("/editor/documents/fee-transfer")
    assert page.status_code == 200 and page.context["principal"].name == "editor"
    csrf = page.context["csrf"]
    assert csrf and f'value="{csrf}"' in page.text
    forged = client.post("/editor/documents/fee-transfer/rollback", data={"version": "1"}, follow_redirects=False)
    assert forged.status_code == 403
    wrong = client.post("/editor/documents/fee-transfer/rollback", data={"version": "1", "csrf_token": "x"},
                        follow_redirects=False)
    assert wrong.status_code == 403
    done = client.post("/editor/documents/fee-transfer/rollback", data={"version": "1", "csrf_token": csrf},
                       follow_redirects=False)
    assert done.status_code == 303
    entry = client.get("/api/documents/fee-transfer/audit", headers={"X-CSRF-Token": csrf}).json()[0]
    assert (entry["user"], entry["action"]) == ("editor", "rollback")


def test_wrong_password_and_a_forged_sign_in_are_refused(secured):
    client, _ = secured
    client.cookies.clear()
    page = client.get("/signin")
    token = re.search(r'name="signin_csrf" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/signin", data={"name": "editor", "password": "nope-nope", "signin_csrf": token})
    assert wrong.status_code == 401 and "kb_session" not in client.cookies
    client.cookies.clear()
    forged = client.post("/signin", data={"name": "editor", "password": "editor-password", "signin_csrf": token})
    assert forged.status_code == 401, "no sign-in cookie from our own page: a forged form"


def test_sign_out_ends_the_session(secured):
    client, _ = secured
    client.cookies.clear()
    signed_in(client, "agent")
    assert client.get("/").status_code == 200
    secret = client.cookies.get("kb_session")
    client.post("/signout", follow_redirects=False)
    client.cookies.set("kb_session", secret)
    assert client.get("/", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303


def test_local_mode_is_labelled_and_refuses_changes_from_other_sites(client):
    page = client.get("/")
    assert page.context["principal"].local and "本地模式" in page.text
    other_site = client.post("/ui/ask", data={"query": "年费"}, headers={"Origin": "https://evil.example"})
    assert other_site.status_code == 403


def test_local_mode_never_manages_users_from_the_web(client):
    """With no users, anyone who reaches the port would otherwise make themselves admin."""
    made = client.post("/api/users", json={"name": "mallory", "role": "admin", "password": "x" * 12})
    assert made.status_code == 403 and "users" in made.text
    assert client.get("/api/users").status_code == 403
    assert client.post("/assist", json={"query": "星辰金卡年费多少"}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.20:8000", "127.0.0.1.nip.io"])
def test_local_mode_refuses_a_request_naming_another_host(client, host):
    """DNS rebinding: another site's page whose name now resolves to 127.0.0.1 sends its own
    name as Host, and reads and changes are refused alike."""
    for method, path, body in (("GET", "/", None), ("POST", "/assist", {"query": "年费"})):
        refused = client.request(method, path, json=body, headers={"Host": host})
        assert refused.status_code == 403, (method, path, host)
        assert "local mode" in refused.text


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.2", "localhost"])
def test_local_mode_answers_loopback_names(client, host):
    assert client.get("/health", headers={"Host": host}).status_code == 200


def test_with_users_any_host_name_is_served(secured):
    client, tokens = secured
    answer = client.post("/assist", json={"query": "年费"}, headers={
        "Host": "kb.bank.internal", "Authorization": f"Bearer {tokens['agent']}"})
    assert answer.status_code == 200


def test_a_large_body_is_refused_before_it_is_read(secured):
    """413 from the declared length, and 401 for an upload from an unknown caller, before the
    body is read: nothing of a 200 MB body is held in memory."""
    client, tokens = secured
    agent = {"Authorization": f"Bearer {tokens['agent']}"}
    huge = client.post("/assist", content=b"{" + b" " * 200_000 + b"}", headers={**agent, "Content-Type": "application/json"})
    assert huge.status_code == 413 and "limit" in huge.text
    declared = client.post("/assist", content=b"{}", headers={**agent, "Content-Length": str(200 * 1024 * 1024),
                                                              "Content-Type": "application/json"})
    assert declared.status_code == 413


def test_an_upload_is_not_read_for_an_unknown_caller(secured):
    client, _ = secured
    received = []

    def body():
        for _ in range(50):
            received.append(1)
            yield b"x" * 65536

    refused = client.post("/api/documents", content=body(), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert refused.status_code == 401
    assert len(received) <= 2  # the client stopped sending: nothing was read


def test_a_body_sent_without_a_length_is_stopped_at_the_limit(secured):
    client, tokens = secured

    def body():
        yield b'{"query": "'
        for _ in range(100):
            yield "年".encode() * 2000
        yield b'"}'

    stopped = client.post("/assist", content=body(), headers={"Authorization": f"Bearer {tokens['agent']}",
                                                              "Content-Type": "application/json"})
    assert stopped.status_code == 413


@pytest.mark.model
def test_an_admin_off_boards_a_user_through_the_api_and_the_page(tmp_path, kbtest):
    """Disabling ends the user's token and sign-ins at once; every change is in the audit log."""
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    admin = knowledge.users.add("boss", "admin", password="boss-password")
    agent = knowledge.users.add("ann", "agent", password="ann-password")
    with TestClient(create_app(knowledge.settings, warm_up=False), base_url="http://127.0.0.1") as client:
        boss, ann = {"Authorization": f"Bearer {admin}"}, {"Authorization": f"Bearer {agent}"}
        assert client.get("/api/gaps", headers=ann).status_code == 403  # known, signed in
        signed_in(client, "ann")
        assert client.get("/", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 200
        assert client.post("/api/users/ann/disable", headers=boss).json()["disabled"]
        assert client.post("/assist", json={"query": "年费"}, headers=ann).status_code == 401
        assert client.get("/", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
        assert client.post("/api/users/ann/role", json={"role": "editor"}, headers=boss).status_code == 200
        assert client.post("/api/users/boss/disable", headers=boss).status_code == 422  # the last admin
        client.cookies.clear()
        page = client.get("/admin/users", headers=boss)
        assert page.status_code == 200 and "ann" in page.text and "已停用" in page.text
        done = client.post("/admin/users/ann/token", headers=boss)
        assert done.status_code == 200 and "只显示这一次" in done.text
        actions = [e.action for e in knowledge.history() if e.doc_id == "user:ann"]
        assert actions == ["user.token", "user.role", "user.disable", "user.add"]


def test_sign_in_locks_out_after_repeated_failures_even_with_the_right_password(tmp_path, kbtest):
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    knowledge.users.add("ann", "agent", password="ann-password")
    with TestClient(create_app(knowledge.settings, warm_up=False), base_url="http://127.0.0.1") as client:
        for attempt in range(knowledge.settings.signin_max_failures + 1):
            token = re.search(r'name="signin_csrf" value="([^"]+)"', client.get("/signin").text).group(1)
            password = "ann-password" if attempt == knowledge.settings.signin_max_failures else "wrong-password"
            answer = client.post("/signin", data={"name": "ann", "password": password, "signin_csrf": token},
                                 follow_redirects=False)
        assert answer.status_code == 429 and "登录失败次数过多" in answer.text
        assert "kb_session" not in client.cookies


def test_a_browser_refused_a_page_gets_a_chinese_page_and_the_api_keeps_its_json(secured):
    client, tokens = secured
    client.cookies.clear()
    signed_in(client, "agent")
    page = client.get("/editor", headers={"Accept": "text/html"})
    assert page.status_code == 403 and page.template.name == "error.html"
    html = BeautifulSoup(page.text, "html.parser")
    assert html.select_one("h1").text == "没有权限" and "当前角色没有这项权限" in html.select_one(".error-message").text
    assert html.select_one("a[href='/']")
    api = client.get("/api/documents/nope", headers={"Authorization": f"Bearer {tokens['editor']}"})
    assert api.status_code == 404 and api.json()["detail"][0]["msg"] == "no document with doc_id 'nope'"
