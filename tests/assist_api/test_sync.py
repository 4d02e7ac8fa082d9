import pytest

"""A serving process follows the store: a version published by another process (another
worker, the CLI) is answered within moments, without a restart, and nothing fails meanwhile."""

import time

from fastapi.testclient import TestClient


@pytest.mark.model
def test_a_publish_by_another_process_is_answered_without_a_restart(tmp_path, kbtest):
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store", sync_seconds=0.2)
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    other_process = kbtest.make_kb(tmp_path / "store")
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        def answer() -> str:
            reply = client.post("/assist", json={"query": "柜面跨行转账手续费多少"})
            assert reply.status_code == 200
            return reply.json()["answer"]["text"]

        assert "3元" not in answer()
        other_process.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
        deadline = time.monotonic() + 20
        while "3元" not in answer() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "3元" in answer()
