"""Fuzz every operation of the OpenAPI schema (schemathesis): whatever arrives, the answer is
never a 5xx. /assist and /check must also match their documented responses.

The fuzzed app has a store of its own (uploads, rollbacks and retirements change it), in local
mode. (schemathesis's lazy pytest fixture loader does not run under pytest 9, so each operation's
strategy is driven by Hypothesis directly.)"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

LOCAL = {"Host": "127.0.0.1"}  # local mode answers requests to this machine only


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory, kbtest):
    from ui.app import create_app

    root = tmp_path_factory.mktemp("fuzzed")
    knowledge = kbtest.make_kb(root / "store")
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus")).ok
    return create_app(knowledge.settings, warm_up=False)


@pytest.fixture(scope="module")
def api_schema(fuzzed_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app, headers=LOCAL)


def operations() -> list[tuple[str, str]]:
    from ui.app import create_app

    paths = create_app(warm_up=False).openapi()["paths"]
    return sorted((path, method.upper()) for path, methods in paths.items() for method in methods)


@pytest.mark.parametrize("path, method", operations(), ids=lambda value: str(value))
def test_no_operation_answers_with_a_server_error(api_schema, path, method):
    operation = api_schema[path][method]
    documented = path in ("/assist", "/check")
    statuses = []

    @given(case=operation.as_strategy())
    @settings(max_examples=60 if documented else 25, deadline=None, suppress_health_check=list(HealthCheck),
              database=None)
    def fuzz(case):
        response = case.call_and_validate(headers=LOCAL) if documented else case.call(headers=LOCAL)
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])
        statuses.append(response.status_code)

    fuzz()
    assert statuses
