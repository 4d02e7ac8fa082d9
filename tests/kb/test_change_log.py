"""A serving process follows another's writes through the store's change log: it reads what was
written since it last looked, never every document's record, and a changed or removed version
still means a new index."""

import pytest

pytestmark = pytest.mark.model  # each test ingests a store


@pytest.fixture
def two_processes(tmp_path, kbtest):
    serving = kbtest.make_kb(tmp_path / "store")
    assert serving.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    serving.ask("星辰金卡年费多少")  # the index is built
    return serving, kbtest.make_kb(tmp_path / "store")


def test_a_new_version_is_followed_from_the_change_log_alone(two_processes, kbtest, monkeypatch):
    serving, other = two_processes
    other.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    before = serving.index

    def every_record():
        raise AssertionError("sync read every document's hash")

    monkeypatch.setattr(serving.store, "committed_hashes", every_record)
    assert serving.sync() is True
    assert serving.index is not before and "3元" in serving.ask("柜面跨行转账手续费多少").answer.text
    assert serving.sync() is False  # nothing new since


def test_a_removed_version_means_a_new_index(two_processes):
    serving, other = two_processes
    key = next(k for k in serving.index.hashes if k.startswith("cc-comet"))
    other.store.delete_document(key)
    assert serving.sync() is True
    assert key not in serving.index.hashes


def test_a_store_without_a_change_log_is_compared_hash_by_hash(two_processes, kbtest):
    serving, other = two_processes
    other.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    other.store.prune_changes(before=2**62)  # as if an earlier release had written it
    assert serving.sync() is True
    assert "3元" in serving.ask("柜面跨行转账手续费多少").answer.text
