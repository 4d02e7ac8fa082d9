"""One document's update on a large knowledge base, end to end: the requirement is that an update
re-embeds only what changed and takes at most 2 s on a 5,000-document knowledge base.

It generates N synthetic bank documents (Markdown with front matter, 2 to 4 chunks each, spread
over the 8 categories, Chinese text with varied figures), builds a store from them once, opens it
as a server would (index built, warmed up), then publishes new versions of one credit-card
document through `kb.publisher.publish` (a changed annual fee, no version given: the next one),
and after each publish asks about the new fee. It also publishes from a second KnowledgeBase on
the same store and times `sync()` on the first (what another worker process does to see the
change). Figures are printed, never asserted.

The build is the slow part (the embedding model does some 100 to 300 chunks/s on a small CPU);
with --store it is kept, and a later run on a store that holds N documents or more reuses it:

    python -m evals.bench_publish --docs 5000 --store /tmp/kb-bench-5000      # builds, then measures
    python -m evals.bench_publish --docs 5000 --store /tmp/kb-bench-5000      # reuses the store
    python -m evals.bench_publish --docs 200                                   # temporary store

Without --store everything lives in a temporary folder, removed at the end unless --keep.
--profile adds one more publish under cProfile and prints where its time went.
"""

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import random
import re
import resource
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from application import Application as KnowledgeBase  # the whole application, as a server runs it
from evals.scoring import percentile
from kb.config import get_settings
from kb.models import CATEGORIES, SourceDocument
from kb.text import normalize_for_match

REQUIREMENT_S = 2.0
USER = "bench-publish"

# --- the synthetic knowledge base ---------------------------------------------------------------

BRANDS = ("星澜", "云帆", "锦程", "海韵", "金穗", "鼎盛", "安泰", "华彩", "润丰", "瑞祥", "嘉禾",
          "恒信", "永安", "长虹", "明珠", "翠湖", "江城", "天府", "南粤", "北辰", "紫荆", "银杏",
          "青松", "远航", "和煦")
THEMES = ("青春", "商旅", "尊享", "悦享", "乐活", "畅游", "车主", "白领", "教师", "医护", "巾帼",
          "航空", "高铁", "美食", "影音", "运动", "书香", "留学", "置业", "安居", "养老", "亲子",
          "绿色", "科创", "工匠", "乡村", "丝路", "湾区", "文旅", "健康")
SERIES = ("", "二代", "三代", "四代", "五代", "六代", "七代", "八代", "九代", "十代")
PREFIX = {"credit_card": "cc", "loan": "loan", "wealth": "wm", "fee_rule": "fee",
          "deposit": "dep", "service": "svc", "script": "script", "disclosure": "disc"}
CHANNELS = ("手机银行APP", "网上银行", "客服热线", "任一营业网点", "微信银行", "自助服务终端")
MATERIALS = ("有效身份证件", "本人银行卡", "收入证明", "户口簿", "结婚证", "工作证明",
             "近6个月银行流水", "社保缴纳记录", "个税缴纳记录", "房产证明")
FEE_ITEMS = ("柜面办理", "手机银行办理", "加急办理", "账户查询", "补打回单", "证明开立",
             "跨行汇划", "异地办理", "批量代发", "预约取款")
GREETINGS = ("您好，很高兴为您服务。", "您好，请问有什么可以帮您？", "您好，感谢您的耐心等待。")


def product_name(index: int, category: str) -> tuple[str, str]:
    """(brand+theme, series) of the index-th document of a category: unique within it."""
    brand = BRANDS[index % len(BRANDS)]
    theme = THEMES[(index // len(BRANDS)) % len(THEMES)]
    series = index // (len(BRANDS) * len(THEMES))
    return f"{brand}{theme}", SERIES[series] if series < len(SERIES) else f"{series + 1}代"


def _day(rng: random.Random) -> dt.date:
    return dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 600))


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def generate_document(i: int, n: int, seed: int = 7) -> tuple[str, str]:
    """The i-th of n documents: (relative path, Markdown text). Categories go round the eight; a
    credit card, loan or wealth document lists the disclosure document of its group of eight."""
    category = CATEGORIES[i % len(CATEGORIES)]
    rank = i // len(CATEGORIES)
    rng = random.Random(seed * 1_000_003 + i)
    stem, series = product_name(rank, category)
    doc_id = f"{PREFIX[category]}-{rank:05d}"
    day = _day(rng)
    disclosure = f"disc-{rank:05d}" if rank * 8 + 7 < n else None
    meta: dict = {"doc_id": doc_id, "category": category, "version": 1, "effective_from": day}
    body = BODIES[category](stem, series, rng, day)
    meta["title"], products = body[0], body[1]
    if products:
        meta["products"] = products
    if category in ("credit_card", "loan", "wealth") and disclosure:
        meta["disclosures"] = [disclosure]
    if category == "wealth":
        meta["risk_level"] = f"R{rng.randint(1, 5)}"
    if category == "script":
        meta["intents"] = body[3]
    ordered = {k: meta[k] for k in ("doc_id", "title", "category", "products", "version",
                                     "effective_from", "disclosures", "risk_level", "intents") if k in meta}
    front = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"{category}/{doc_id}.md", f"---\n{front}---\n{body[2]}"


def _credit_card(stem, series, rng, day):
    name = f"{stem}{series}信用卡"
    level = rng.choice(("普卡", "金卡", "白金卡"))
    products = [name, f"{stem}{series}卡"] + ([f"{stem}{series}{level}"] if rng.random() < 0.5 else [])
    fee, sub = rng.choice((100, 200, 300, 480, 600, 880, 1200)), rng.choice((0, 50, 100, 150, 300))
    title = f"{name}产品说明"
    sections = [
        f"# {title}\n\n本说明适用于{name}（{level}），自{_cn_date(day)}起执行。坐席答复客户时以本说明为准，"
        f"涉及利息、费用的答复须同时宣读风险提示。",
        f"## 一、年费标准\n\n| 卡种 | 主卡年费 | 附属卡年费 |\n|---|---|---|\n| {name} | {fee}元/年 | {sub}元/年 |\n\n"
        f"- 一个年费年度内累计刷卡消费满{rng.choice((5, 6, 8, 10, 12, 18))}次，免收次年年费。\n"
        f"- 卡片未激活的，不收取年费。",
        f"## 二、取现与透支利息\n\n- 境内取现手续费：按取现金额的{rng.choice((1, 1.5, 2, 2.5, 3))}%收取，"
        f"每笔最低{rng.choice((5, 10, 20, 30))}元。\n- 透支利息按日利率万分之{rng.choice((3, 4, 5))}计收，按月计收复利。\n"
        f"- 临时额度最高为固定额度的{rng.choice((20, 30, 50))}%，有效期{rng.choice((30, 60, 90))}天。",
    ]
    if rng.random() < 0.6:
        sections.append(f"## 三、积分与权益\n\n- 每消费{rng.choice((10, 20, 30))}元累积1积分，积分有效期"
                        f"{rng.choice((2, 3, 5))}年。\n- 每年可享机场贵宾厅服务{rng.randint(2, 12)}次，"
                        f"道路救援{rng.randint(1, 6)}次。")
    return title, products, "\n\n".join(sections) + "\n"


def _loan(stem, series, rng, day):
    name = f"{stem}{series}个人贷款"
    products = [name, f"{stem}{series}贷"] + ([f"{stem}{series}快贷"] if rng.random() < 0.5 else [])
    top = rng.choice((20, 30, 50, 80, 100, 300))
    title = f"{name}产品说明"
    sections = [
        f"# {title}\n\n{name}面向符合条件的个人客户发放，用于{rng.choice(('装修', '购车', '教育', '旅游', '经营周转'))}"
        f"等合法用途，自{_cn_date(day)}起执行。",
        f"## 一、额度与期限\n\n- 贷款额度最高{top}万元，最低{rng.choice((1, 2, 5))}万元。\n"
        f"- 贷款期限最长{rng.choice((12, 24, 36, 60, 120))}个月。\n"
        f"- 申请人年龄须在{rng.choice((18, 20, 22))}周岁至{rng.choice((55, 60, 65))}周岁之间。",
        f"## 二、利率与还款\n\n| 期限 | 年化利率 |\n|---|---|\n| 1年以内 | {rng.uniform(3, 5):.2f}% |\n"
        f"| 1至3年 | {rng.uniform(3.5, 6):.2f}% |\n| 3年以上 | {rng.uniform(4, 7):.2f}% |\n\n"
        f"- 还款方式可选等额本息或等额本金，每月{rng.randint(1, 28)}日为还款日。",
    ]
    if rng.random() < 0.6:
        sections.append(f"## 三、提前还款\n\n- 借款满{rng.choice((3, 6, 12))}个月后可申请提前还款，"
                        f"违约金为提前还款本金的{rng.choice((0.5, 1, 2))}%。\n- 提前还款须提前{rng.randint(1, 10)}个工作日预约。")
    return title, products, "\n\n".join(sections) + "\n"


def _wealth(stem, series, rng, day):
    number = rng.randint(1, 99)
    name = f"{stem}{series}理财{number}号"
    products = [name, f"{stem}{series}{number}号"]
    title = f"{name}产品说明书"
    sections = [
        f"# {title}\n\n本产品为{rng.choice(('固定收益类', '混合类', '现金管理类'))}理财产品，"
        f"自{_cn_date(day)}起发售。理财非存款，产品有风险，投资须谨慎。",
        f"## 一、产品要素\n\n- 起购金额{rng.choice((1, 5, 10, 50))}万元，递增金额{rng.choice((100, 1000, 10000))}元。\n"
        f"- 产品期限{rng.choice((91, 182, 365, 730))}天，业绩比较基准{rng.uniform(2.2, 4.8):.2f}%。\n"
        f"- 募集期{rng.randint(3, 10)}个工作日，到期后{rng.randint(1, 3)}个工作日内兑付。",
        f"## 二、费用\n\n| 费用 | 费率 |\n|---|---|\n| 销售服务费 | {rng.uniform(0.1, 0.5):.2f}%/年 |\n"
        f"| 固定管理费 | {rng.uniform(0.1, 1.0):.2f}%/年 |\n| 托管费 | {rng.uniform(0.01, 0.05):.2f}%/年 |",
    ]
    if rng.random() < 0.5:
        sections.append(f"## 三、赎回\n\n- 开放期内可申请赎回，单日赎回上限为{rng.choice((100, 500, 1000))}万元。\n"
                        f"- 持有不满{rng.choice((7, 30, 90))}天赎回的，收取{rng.choice((0.5, 1, 1.5))}%赎回费。")
    return title, products, "\n\n".join(sections) + "\n"


def _deposit(stem, series, rng, day):
    name = f"{stem}{series}定期存款"
    products = [name, f"{stem}{series}存单"] + ([f"{stem}{series}大额存单"] if rng.random() < 0.5 else [])
    title = f"{name}产品说明"
    base = rng.uniform(1.2, 1.6)
    sections = [
        f"# {title}\n\n{name}为整存整取定期存款，自{_cn_date(day)}起执行，存款受存款保险保障。",
        f"## 一、起存金额与期限\n\n- 起存金额{rng.choice((50, 100, 1000, 10000, 200000))}元。\n"
        f"- 可选期限：3个月、6个月、1年、2年、3年、5年。",
        f"## 二、利率\n\n| 期限 | 年利率 |\n|---|---|\n| 3个月 | {base:.2f}% |\n| 1年 | {base + 0.3:.2f}% |\n"
        f"| 3年 | {base + 0.8:.2f}% |\n| 5年 | {base + 0.9:.2f}% |",
    ]
    if rng.random() < 0.6:
        sections.append(f"## 三、提前支取\n\n- 提前支取的部分按支取日活期利率{rng.uniform(0.1, 0.35):.2f}%计息。\n"
                        f"- 每笔存款可部分提前支取{rng.randint(1, 3)}次。")
    return title, products, "\n\n".join(sections) + "\n"


def _fee_rule(stem, series, rng, day):
    name = f"{stem}{series}业务"
    products = [name, f"{stem}{series}手续费"]
    items = rng.sample(FEE_ITEMS, 4)
    rows = "\n".join(f"| {item} | {rng.choice(('免费', f'每笔{rng.randint(1, 50)}元', f'每次{rng.randint(2, 20)}元'))} |"
                     for item in items)
    title = f"{name}收费标准"
    sections = [
        f"# {title}\n\n本标准适用于{name}，自{_cn_date(day)}起执行，在各网点和手机银行公示。",
        f"## 一、收费项目\n\n| 项目 | 收费标准 |\n|---|---|\n{rows}",
        f"## 二、减免\n\n- 年满{rng.choice((60, 65, 70))}周岁的客户免收{items[0]}费用。\n"
        f"- 代发工资客户每月前{rng.randint(3, 10)}笔免费。",
    ]
    if rng.random() < 0.5:
        sections.append(f"## 三、收费调整\n\n- 新增收费项目或提高标准的，提前{rng.choice((15, 30, 45))}天公告。")
    return title, products, "\n\n".join(sections) + "\n"


def _service(stem, series, rng, day):
    name = f"{stem}{series}服务"
    title = f"{name}办理指引"
    sections = [
        f"# {title}\n\n本指引说明{name}的办理渠道、所需材料和办理时限，自{_cn_date(day)}起执行。",
        f"## 一、办理渠道\n\n- 可通过{'、'.join(rng.sample(CHANNELS, 3))}办理。\n"
        f"- 营业时间为每日{rng.randint(8, 9)}:00至{rng.randint(17, 21)}:00。",
        f"## 二、所需材料\n\n- 需提供{'、'.join(rng.sample(MATERIALS, 3))}。\n"
        f"- 代办的，另需代理人有效身份证件和授权委托书。",
    ]
    if rng.random() < 0.6:
        sections.append(f"## 三、办理时限\n\n- 材料齐全的，{rng.randint(1, 15)}个工作日内办结，结果以短信通知。")
    return title, [name], "\n\n".join(sections) + "\n"


def _script(stem, series, rng, day):
    topic = f"{stem}{series}"
    title = f"{topic}客户咨询应答话术"
    sections = [
        f"# {title}\n\n客户来电咨询{topic}相关业务时使用本话术，自{_cn_date(day)}起执行。",
        f"## 开场\n\n- {rng.choice(GREETINGS)}请问您是咨询{topic}的哪项业务？",
        f"## 核实身份\n\n- 为保障您的资金安全，请您提供持卡人姓名和身份证号码后{rng.choice((4, 6))}位。",
    ]
    if rng.random() < 0.6:
        sections.append(f"## 结束语\n\n- 感谢您的来电，如有疑问可在{rng.randint(1, 7)}个工作日内再次联系我们。")
    return title, [f"{topic}咨询"], "\n\n".join(sections) + "\n", [f"{topic}咨询"]


def _disclosure(stem, series, rng, day):
    title = f"{stem}{series}业务风险提示"
    rate = rng.choice((3, 4, 5))
    sections = [
        f"# {title}\n\n尊敬的客户：信用卡透支和贷款将按日利率万分之{rate}计收利息，"
        f"折合年化利率{rate * 3.65:.2f}%。未按时足额还款将产生违约金并可能影响您的个人信用记录。",
        f"## 投资风险\n\n理财非存款，产品有风险，投资须谨慎。过往业绩不代表未来表现，"
        f"最不利情况下可能损失{rng.choice(('部分', '全部'))}本金。",
    ]
    return title, [], "\n\n".join(sections) + "\n"


BODIES = {"credit_card": _credit_card, "loan": _loan, "wealth": _wealth, "deposit": _deposit,
          "fee_rule": _fee_rule, "service": _service, "script": _script, "disclosure": _disclosure}


def write_corpus(folder: Path, n: int, seed: int = 7) -> Path:
    """Write n generated documents under `folder` (one subfolder per category)."""
    for i in range(n):
        rel, text = generate_document(i, n, seed)
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


# --- questions and the update --------------------------------------------------------------------

QUESTIONS = {
    "credit_card": ("{alias}取现手续费多少", "{alias}主卡年费多少", "{alias}积分有效期几年"),
    "loan": ("{alias}最高能贷多少", "{alias}提前还款违约金多少", "{alias}期限最长多久"),
    "wealth": ("{alias}起购金额多少", "{alias}业绩比较基准是多少", "{alias}托管费多少"),
    "deposit": ("{alias}起存金额是多少", "{alias}提前支取怎么计息", "{alias}5年利率多少"),
    "fee_rule": ("{alias}怎么收费", "{alias}哪些客户可以减免"),
    "service": ("{alias}需要带什么材料", "{alias}多久能办好"),
    "script": ("客户咨询{alias}怎么开场",),
}


def sample_questions(kb: KnowledgeBase, count: int, seed: int) -> list[str]:
    """Questions about documents in force today, by category, over a seeded sample of them."""
    live = sorted(kb.catalog.in_force(dt.date.today()).values(), key=lambda d: d.meta.doc_id)
    rng = random.Random(seed)
    docs = [d for d in live if d.meta.category in QUESTIONS and d.meta.products]
    questions = []
    for doc in rng.sample(docs, min(count, len(docs))):
        alias = doc.meta.products[-1] if len(doc.meta.products) > 1 else doc.meta.products[0]
        questions.append(rng.choice(QUESTIONS[doc.meta.category]).format(alias=alias))
    return questions


_FEE_ROW = r"^(\| {name} \| )(\d+)(元/年 \|)"


def updated_file(doc: SourceDocument, fee: int) -> bytes:
    """The live version's front matter (without version: the next one is meant) and its body
    with the main card's annual fee changed."""
    name = doc.meta.products[0]
    pattern = re.compile(_FEE_ROW.format(name=re.escape(name)), re.MULTILINE)
    if not pattern.search(doc.body):
        raise SystemExit(f"{doc.meta.key} holds no annual fee row of this benchmark's credit cards")
    body = pattern.sub(lambda m: f"{m.group(1)}{fee}{m.group(3)}", doc.body, count=1)
    meta = doc.meta.model_dump(exclude={"version", "extra"}, exclude_defaults=True)
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    return f"---\n{front}---\n{body}".encode()


def fee_question(doc: SourceDocument) -> str:
    return f"{doc.meta.products[1]}主卡年费多少"


def answers_figure(response, fee: int) -> bool:
    return response.answer.status == "answered" and re.search(
        rf"(?<!\d){fee}元", normalize_for_match(response.answer.text)) is not None


def newest_version(kb: KnowledgeBase, doc_id: str) -> int:
    return max(d.meta.version for d in kb.catalog.by_key.values() if d.meta.doc_id == doc_id)


def live_doc(kb: KnowledgeBase, doc_id: str) -> SourceDocument:
    doc = kb.catalog.in_force(dt.date.today()).get(doc_id)
    if doc is None:
        raise SystemExit(f"no live document '{doc_id}' in the store")
    return doc


# --- timing the parts of a publish, without touching the product's code ----------------------------

class Parts:
    """Seconds spent in wrapped calls since the last `take` (instance attributes wrap methods of
    this process's objects only; nothing in the product changes)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, label: str, seconds: float, count: int = 0) -> None:
        self.seconds[label] += seconds
        self.counts[label] += count

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(label, time.perf_counter() - started)

        setattr(owner, name, timed)

    def take(self) -> tuple[dict[str, float], dict[str, int]]:
        taken = dict(self.seconds), dict(self.counts)
        self.seconds.clear()
        self.counts.clear()
        return taken


class TimedEmbedder:
    """The knowledge base's embedder, whose chunk embedding (`component(nodes)`) is timed and
    counted; everything else is the embedder's own."""

    def __init__(self, inner, parts: Parts):
        self._inner, self._parts = inner, parts

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def component(self):
        component, parts = self._inner.component, self._parts

        def embed(nodes, **kwargs):
            started = time.perf_counter()
            try:
                return component(nodes, **kwargs)
            finally:
                parts.add("embed", time.perf_counter() - started, len(nodes))

        return embed


def instrument(kb: KnowledgeBase, parts: Parts) -> None:
    kb.embedder = TimedEmbedder(kb.embedder, parts)
    parts.wrap(kb.publisher, "_preview", "validate+diff")
    parts.wrap(kb.originals, "keep", "keep original")
    parts.wrap(kb.store, "put_document", "store write")
    parts.wrap(kb.audit, "record", "audit log")
    parts.wrap(kb, "sync", "sync")
    for name in ("generation", "committed_hashes", "document_records", "version_chunks"):
        parts.wrap(kb.store, name, f"sync: {name}")


def wrap_with_versions(parts: Parts):
    """Time Index.with_versions (the index grown by the new version) in this process; returns
    the undo."""
    from kb.index import Index

    original = Index.with_versions

    def timed(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            parts.add("sync: with_versions", time.perf_counter() - started)

    Index.with_versions = timed
    return lambda: setattr(Index, "with_versions", original)


TOP_PARTS = ("validate+diff", "keep original", "embed", "store write", "audit log", "sync")
SYNC_PARTS = ("sync: generation", "sync: committed_hashes", "sync: document_records",
              "sync: version_chunks", "sync: with_versions")


# --- measuring -----------------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def ask_latencies(kb: KnowledgeBase, questions: list[str]) -> tuple[list[float], int]:
    """Each question once, as a new question (the question-embedding cache emptied first)."""
    kb.embedder.forget_questions()
    times, answered = [], 0
    for question in questions:
        started = time.perf_counter()
        response = kb.ask(question)
        times.append(time.perf_counter() - started)
        answered += response.answer.status == "answered"
    return times, answered


def stored_doc_ids(kb: KnowledgeBase) -> int:
    if not kb.store_exists():
        return 0
    return len({key.split("@")[0] for key in kb.store.committed_hashes()})


def build_or_reuse(settings, n: int, corpus: Path, seed: int) -> dict:
    builder = KnowledgeBase(settings)
    held = stored_doc_ids(builder)
    if held >= n:
        print(f"store {settings.store} holds {held} documents (>= {n}): reused, not rebuilt")
        return {"reused": True, "documents": held}
    started = time.perf_counter()
    write_corpus(corpus, n, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    _ = builder.embedder.component
    model_load = time.perf_counter() - started
    report = builder.ingest(corpus)
    if not report.ok:
        for problem in report.problems[:10]:
            print(f"  problem: {problem}")
        raise SystemExit(f"the generated corpus was rejected ({len(report.problems)} problems)")
    print(f"generated {n} documents in {corpus} ({generated:.1f} s); model load {model_load:.1f} s")
    print(f"build (kb.ingest): {report.seconds:.1f} s   {report.summary()}")
    return {"reused": False, "build_s": report.seconds, "chunks_embedded": report.chunks_embedded}


def publish_once(kb: KnowledgeBase, doc_id: str, parts: Parts) -> dict:
    """One new version of `doc_id` with a fee no earlier version had, through the publisher; then
    the fee question, answered by the same knowledge base."""
    doc = live_doc(kb, doc_id)
    fee = 2000 + newest_version(kb, doc_id) + 1
    data = updated_file(doc, fee)
    parts.take()
    started = time.perf_counter()
    published = kb.publisher.publish(f"{doc_id}.md", data, {}, USER)
    total = time.perf_counter() - started
    seconds, counts = parts.take()
    started = time.perf_counter()
    response = kb.ask(fee_question(doc))
    ask = time.perf_counter() - started
    return {"version": published.version, "status": published.status, "total": total,
            "parts": seconds, "embedded": counts.get("embed", 0), "ask": ask,
            "found": answers_figure(response, fee), "fee": fee, "answer": response.answer.text}


def cross_process_once(writer: KnowledgeBase, reader: KnowledgeBase, doc_id: str, parts: Parts) -> dict:
    """A publish by another KnowledgeBase on the same store (another worker, or `kb docs
    publish`), then `sync()` on the serving one and the fee question asked there."""
    doc = live_doc(writer, doc_id)
    fee = 2000 + newest_version(writer, doc_id) + 1
    data = updated_file(doc, fee)
    parts.take()
    started = time.perf_counter()
    published = writer.publisher.publish(f"{doc_id}.md", data, {}, USER)
    publish = time.perf_counter() - started
    parts.take()
    started = time.perf_counter()
    grew = reader.sync()
    sync = time.perf_counter() - started
    seconds, _ = parts.take()
    started = time.perf_counter()
    response = reader.ask(fee_question(doc))
    ask = time.perf_counter() - started
    return {"version": published.version, "publish": publish, "sync": sync, "grew": grew,
            "parts": seconds, "ask": ask, "found": answers_figure(response, fee), "fee": fee}


def print_publishes(rows: list[dict]) -> None:
    head = " ".join(f"{p:>13}" for p in TOP_PARTS)
    print(f"  {'#':>2} {'ver':>4} {'total ms':>9} {head} {'other':>8} {'chunks':>6} {'ask ms':>7}  new fee answered")
    for n, row in enumerate(rows, 1):
        parts = row["parts"]
        other = row["total"] - sum(parts.get(p, 0.0) for p in TOP_PARTS)
        cells = " ".join(f"{parts.get(p, 0.0) * 1000:13.1f}" for p in TOP_PARTS)
        print(f"  {n:>2} {row['version']:>4} {row['total'] * 1000:9.1f} {cells} {other * 1000:8.1f} "
              f"{row['embedded']:>6} {row['ask'] * 1000:7.1f}  {'yes' if row['found'] else 'NO'} ({row['fee']}元)")
    sync_cells = "   ".join(f"{p.removeprefix('sync: ')} {np.median([r['parts'].get(p, 0.0) for r in rows]) * 1000:.1f}"
                           for p in SYNC_PARTS)
    print(f"  inside sync (median ms): {sync_cells}")


def profile_publish(kb: KnowledgeBase, doc_id: str, parts: Parts, lines: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    row = publish_once(kb, doc_id, parts)
    profiler.disable()
    print(f"\ncProfile of one more publish (v{row['version']}: {row['total'] * 1000:.0f} ms under the profiler, "
          f"then its fee question), top {lines} by cumulative time:")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(lines)
    print(out.getvalue())


def run(args) -> dict:
    load_at_start = os.getloadavg()
    temp = Path(tempfile.mkdtemp(prefix="kb-bench-publish-"))
    store = args.store or temp / "store"
    corpus = args.corpus or temp / "corpus"
    settings = get_settings(store=store, torch_threads=args.threads)
    try:
        figures = build_or_reuse(settings, args.docs, corpus, args.seed)
        figures["load_at_start"] = load_at_start

        # A server: a fresh KnowledgeBase, its index built and warmed up.
        kb = KnowledgeBase(settings)
        started = time.perf_counter()
        _ = kb.embedder.component
        index = kb.index
        figures["open_s"] = time.perf_counter() - started
        started = time.perf_counter()
        kb.warm_up()
        figures["warm_up_s"] = time.perf_counter() - started
        today = dt.date.today()
        live = index.catalog.in_force(today)
        figures.update(documents=len(live), versions=len(index.catalog), chunks=len(index.retriever.chunks),
                       live_chunks=int(index.retriever.live_mask(today).sum()))
        doc_id = args.doc_id or min(d for d, doc in live.items() if doc.meta.category == "credit_card")
        # Two disjoint sets of new questions (the first sections a question reads are prepared then
        # kept, so asking the same set again after the publishes would measure warm caches).
        sample = sample_questions(kb, 2 * args.questions, args.seed)
        questions, questions_after = sample[::2], sample[1::2]

        parts = Parts()
        instrument(kb, parts)
        undo = wrap_with_versions(parts)
        try:
            before, answered_before = ask_latencies(kb, questions)
            print(f"\npublishing a new version of {doc_id} through kb.publisher.publish, {args.repeats} times "
                  "(ms; 'other' = reading the upload and the rest of publish):")
            rows = [publish_once(kb, doc_id, parts) for _ in range(args.repeats)]
            print_publishes(rows)

            writer = KnowledgeBase(settings)
            started = time.perf_counter()
            _ = writer.index
            figures["writer_open_s"] = time.perf_counter() - started
            instrument(writer, parts)
            print(f"\ncross-process path: a second KnowledgeBase on the store publishes, the serving one "
                  f"calls sync() (second one opened in {figures['writer_open_s']:.1f} s):")
            cross = [cross_process_once(writer, kb, doc_id, parts) for _ in range(args.repeats)]
            print(f"  {'#':>2} {'ver':>4} {'publish ms':>11} {'sync ms':>8} "
                  + " ".join(f"{p.removeprefix('sync: '):>17}" for p in SYNC_PARTS) + f" {'ask ms':>7}  new fee answered")
            for n, row in enumerate(cross, 1):
                cells = " ".join(f"{row['parts'].get(p, 0.0) * 1000:17.1f}" for p in SYNC_PARTS)
                print(f"  {n:>2} {row['version']:>4} {row['publish'] * 1000:11.1f} {row['sync'] * 1000:8.1f} {cells} "
                      f"{row['ask'] * 1000:7.1f}  {'yes' if row['found'] else 'NO'} ({row['fee']}元)"
                      + ("" if row["grew"] else "  (sync saw no change!)"))

            after, answered_after = ask_latencies(kb, questions_after)
            if args.profile:
                profile_publish(kb, doc_id, parts, args.profile)
        finally:
            undo()

        totals = [r["total"] for r in rows]
        figures.update(
            publish_s=totals, publish_p50_s=percentile(totals, 50), publish_max_s=max(totals),
            embedded=[r["embedded"] for r in rows], found=[r["found"] for r in rows],
            writer_publish_s=[r["publish"] for r in cross], sync_s=[r["sync"] for r in cross],
            sync_found=[r["found"] for r in cross],
            ask_before_ms=(percentile(before, 50) * 1000, percentile(before, 95) * 1000),
            ask_after_ms=(percentile(after, 50) * 1000, percentile(after, 95) * 1000),
            answered=(answered_before, answered_after, len(questions), len(questions_after)),
            peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            cpus=os.cpu_count(), load=(figures.get("load_at_start"), os.getloadavg()))
        print_summary(figures, args, doc_id)
        return figures
    finally:
        if args.keep:
            print(f"\nkept: store {store}" + ("" if args.corpus else f", corpus {corpus}"))
        else:
            shutil.rmtree(temp, ignore_errors=True)


def print_summary(f: dict, args, doc_id: str) -> None:
    syncs = f["sync_s"]
    torch_threads = args.threads
    try:
        import torch

        torch_threads = torch.get_num_threads()
    except ImportError:
        pass
    print(f"\nsummary ({args.docs} documents asked for; update of {doc_id}; requirement <= {REQUIREMENT_S:.0f} s)")
    print(f"  at open: documents / versions / chunks     {f['documents']} / {f['versions']} / {f['chunks']} "
          f"({f['live_chunks']} live)")
    print("  build (kb.ingest)                          " +
          ("reused an existing store" if f["reused"] else f"{f['build_s']:.1f} s, {f['chunks_embedded']} chunks embedded"))
    print(f"  server open (index) / warm-up              {f['open_s']:.1f} s / {f['warm_up_s']:.1f} s")
    print(f"  publish, end to end (each, ms)             {' '.join(f'{t * 1000:.0f}' for t in f['publish_s'])}")
    print(f"  publish p50 / max                          {f['publish_p50_s'] * 1000:.0f} ms / {f['publish_max_s'] * 1000:.0f} ms"
          f"   ({'within' if f['publish_max_s'] <= REQUIREMENT_S else 'OVER'} {REQUIREMENT_S:.0f} s)")
    print(f"  chunks embedded per publish                {' '.join(map(str, f['embedded']))}")
    print(f"  new fee answered after publish             {sum(f['found'])}/{len(f['found'])}")
    print(f"  cross-process: publish (ms)                {' '.join(f'{t * 1000:.0f}' for t in f['writer_publish_s'])}")
    print(f"  cross-process: sync (ms) p50 / max         {' '.join(f'{t * 1000:.0f}' for t in syncs)}   "
          f"{percentile(syncs, 50) * 1000:.0f} / {max(syncs) * 1000:.0f}")
    print(f"  new fee answered after sync                {sum(f['sync_found'])}/{len(f['sync_found'])}")
    b, a = f["ask_before_ms"], f["ask_after_ms"]
    ab, aa, nb, na = f["answered"]
    print(f"  ask p50 / p95, before publishes            {b[0]:.1f} ms / {b[1]:.1f} ms   ({ab}/{nb} answered)")
    print(f"  ask p50 / p95, after publishes             {a[0]:.1f} ms / {a[1]:.1f} ms   ({aa}/{na} answered;"
          " other questions, also new)")
    print(f"  peak RSS                                   {f['peak_rss_mib']:.0f} MiB")
    print(f"  CPUs / torch threads                       {f['cpus']} / {torch_threads}")
    start, end = f["load"]
    print(f"  load average (1 min) at start / end        {start[0]:.2f} / {end[0]:.2f}"
          "   (other work on the machine skews every figure)")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5000, help="documents of the knowledge base (default 5000)")
    parser.add_argument("--store", type=Path, help="store folder: built there if it holds fewer than --docs "
                        "documents, else reused (kept either way); default: a temporary one")
    parser.add_argument("--corpus", type=Path, help="where the generated documents are written "
                        "(default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store and corpus")
    parser.add_argument("--repeats", type=int, default=5, help="publishes timed (default 5), and as many "
                        "cross-process publishes")
    parser.add_argument("--questions", type=int, default=50, help="questions for ask latency before, and "
                        "as many others after, the publishes (default 50)")
    parser.add_argument("--doc-id", help="the credit card document to update (default: the first one)")
    parser.add_argument("--threads", type=int, help="KB_TORCH_THREADS for the embedding model")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=int, nargs="?", const=40, default=0, metavar="LINES",
                        help="profile one more publish with cProfile and print the top LINES (default 40)")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    return run(parse_args(argv))


if __name__ == "__main__":
    main()
