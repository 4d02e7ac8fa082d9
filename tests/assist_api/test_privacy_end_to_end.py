"""No personal number or address survives anywhere a question goes: the response, the app
database (feedback, unanswered questions), the logs or /metrics, however it is written."""

import logging
import re
import sqlite3

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from personal_data import survives, written_numbers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=written_numbers(), template=st.sampled_from(["卡号{}丢了怎么挂失", "{} 这个手机收不到验证码", "星辰金卡年费多少 身份证{}"]))
def test_a_number_survives_nowhere(client, caplog, number, template):
    digits, written = number
    question = template.format(written)
    with caplog.at_level(logging.DEBUG):
        answer = client.post("/assist", json={"query": question, "session_id": "call-1"})
        feedback = client.post("/feedback", json={"query": question, "response": answer.json(),
                                                  "rating": "down", "comment": f"客户念了{written}"})
        metrics = client.get("/metrics")
    assert answer.status_code == 200 and feedback.status_code in (200, 201)
    assert not survives(digits, answer.text), written
    assert not survives(digits, metrics.text)
    assert not survives(digits, "\n".join(r.getMessage() for r in caplog.records))
    assert not survives(digits, database_text(client))


def database_text(client) -> str:
    """Every text value of every table. Numbers stored as numbers are left out: a latency of
    13.000000000000002 ms or a score of 0.13000000000000000 reads as 1300000… once its digits run
    together, and no personal number is stored as a number."""
    url = client.app.state.kb.settings.app_database_url
    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(str(value) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"')
                         for value in row if isinstance(value, (str, bytes)) and not _moment(value))


def _moment(value: str | bytes) -> bool:
    """A stored time alone (2026-12-07 11:13:00.000412): its digits run together read as 1113000…,
    which a number drawn at random can hold; no personal number is stored as a time."""
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d:\d\d|Z)?", value))
