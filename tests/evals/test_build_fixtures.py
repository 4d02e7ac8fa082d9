"""The demo corpus's binary and GB18030 files are generated from text sources kept in the repo;
generating them again must give documents with the same metadata and text as those committed."""

from pathlib import Path

import pytest

from evals.demo_bank.build_fixtures import build
from ingest.reader import read_file

DEMO = Path(__file__).resolve().parents[2] / "evals" / "demo_bank"


def test_generated_fixtures_match_the_committed_corpus(tmp_path):
    written = build(DEMO / "fixture_sources", tmp_path)
    assert {p.suffix for p in written} == {".pdf", ".docx", ".txt"}
    for path in written:
        relative = path.relative_to(tmp_path)
        fresh = read_file(path, relative.as_posix())
        committed = read_file(DEMO / "corpus" / relative, relative.as_posix())
        assert fresh.meta == committed.meta
        assert fresh.body == committed.body, relative


def test_gb18030_fixture_is_not_utf8():
    data = (DEMO / "corpus" / "deposit" / "deposit-time.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "定期" in data.decode("gb18030")
