"""Markdown sections, long-section splitting and stable chunk ids."""

import pytest
from llama_index.core.schema import Document, TextNode

from ingest.chunking import SECTION_SEPARATOR, ChunkIds, MarkdownSections, SplitLongSections, markdown_sections

S = SECTION_SEPARATOR


def test_heading_paths():
    body = "\n".join([
        "# 信用卡章程",
        "导言。",
        "## 费用",
        "### 年费",
        "普卡年费100元。",
        "### 取现/转账 费用",
        "取现按1%收取。",
        "## 境外 > 境内",
        "说明。",
        "# 附录",
        "附录内容。",
    ])
    assert markdown_sections(body, "信用卡章程") == [
        ("信用卡章程", "导言。"),
        (f"费用{S}年费", "普卡年费100元。"),
        (f"费用{S}取现/转账 费用", "取现按1%收取。"),  # '/' kept inside one heading
        ("境外 > 境内", "说明。"),
        ("附录", "附录内容。"),  # a level-1 heading that is not the title is kept
    ]


def test_body_without_headings_is_one_section_named_by_title():
    assert markdown_sections("第一段。\n\n第二段。\n", "存款保险") == [("存款保险", "第一段。\n\n第二段。")]


def test_heading_without_text_makes_no_section():
    assert markdown_sections("## 空\n## 有\n内容", "T") == [("有", "内容")]


def test_closing_hashes_and_spaces_are_trimmed():
    assert markdown_sections("##   年费说明   ##\n内容", "T") == [("年费说明", "内容")]


def test_hash_without_space_is_not_a_heading():
    assert markdown_sections("#标签\n内容", "T") == [("T", "#标签\n内容")]


def test_trailing_hash_that_belongs_to_the_heading_is_kept():
    assert markdown_sections("## C#\n内容", "T") == [("C#", "内容")]


@pytest.mark.parametrize("fence", ["```", "~~~"])
def test_headings_inside_code_fences_are_ignored(fence):
    body = f"## 示例\n说明：\n{fence}\n# 不是标题\n## 也不是\n{fence}\n## 下一节\n内容"
    sections = markdown_sections(body, "T")
    assert [path for path, _ in sections] == ["示例", "下一节"]
    assert "# 不是标题\n## 也不是" in sections[0][1]


def node(text, **metadata):
    return TextNode(text=text, metadata={"doc_id": "d", "version": 1, "content_hash": "c0ffee" * 8,
                                         **metadata})


def test_short_section_is_not_split():
    text = "一句话。" * 10
    [piece] = SplitLongSections(max_chars=40)([node(text, section="S")])
    assert piece.text == text
    assert piece.metadata["section"] == "S"


def test_paragraph_pieces_are_verbatim_substrings_within_limit():
    section = "\n\n".join(f"第{i}段，这里是一些说明文字。" for i in range(8))
    pieces = SplitLongSections(max_chars=40)([node(section, section="S")])
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.text in section
        assert len(piece.text) <= 40
        assert piece.metadata == {"doc_id": "d", "version": 1, "section": "S", "content_hash": "c0ffee" * 8}
    # nothing lost, order kept
    assert "\n\n".join(p.text for p in pieces) == section


def test_every_line_of_a_split_list_is_a_verbatim_substring():
    section = "\n".join(f"- 第{i}条：这里是一些说明文字。" for i in range(8))
    pieces = SplitLongSections(max_chars=40)([node(section)])
    assert len(pieces) > 1
    lines = [line for p in pieces for line in p.text.splitlines() if line]
    assert lines == section.splitlines()


def test_pieces_of_a_long_list_are_verbatim_substrings():
    section = "\n".join(f"- 第{i}条：这里是一些说明文字。" for i in range(8))
    pieces = SplitLongSections(max_chars=40)([node(section)])
    assert all(p.text in section for p in pieces)


def test_long_line_is_cut_into_sentences():
    section = "第一句说明取现手续费。第二句说明年费标准！第三句说明免息期？第四句说明积分规则；第五句结束。"
    pieces = SplitLongSections(max_chars=20)([node(section)])
    texts = [p.text for p in pieces]
    assert len(texts) > 1 and all(len(t) <= 20 for t in texts)
    assert "".join(texts) == section                 # cut only between sentences, nothing lost
    assert all(t.endswith(("。", "！", "？", "；")) for t in texts)


def test_table_header_is_kept_on_each_table_piece():
    header = "| 卡种 | 年费 |\n|---|---|"
    rows = [f"| 卡{i} | {i * 100}元 |" for i in range(12)]
    section = "\n".join([header] + rows)
    pieces = SplitLongSections(max_chars=60)([node(section)])
    assert len(pieces) > 1
    seen = []
    for piece in pieces:
        for group in piece.text.split("\n\n"):
            assert group.startswith(header + "\n")
            seen += group.splitlines()[2:]
            assert len(group) <= 60
    assert seen == rows  # every row once, in order, each row verbatim


def test_split_keeps_metadata_of_every_piece():
    section = "\n\n".join("内容内容内容内容内容。" for _ in range(10))
    pieces = SplitLongSections(max_chars=30)([node(section, title="T", section="A › B")])
    assert len(pieces) > 1
    assert all(p.metadata["section"] == "A › B" and p.metadata["title"] == "T" for p in pieces)


def test_markdown_sections_component_carries_document_metadata():
    doc = Document(text="# 标题\n## 甲\n甲内容\n## 乙\n乙内容",
                   metadata={"doc_id": "a", "version": 2, "title": "标题", "category": "loan"})
    nodes = MarkdownSections()([doc])
    assert [(n.metadata["section"], n.text) for n in nodes] == [("甲", "甲内容"), ("乙", "乙内容")]
    assert all(n.metadata["doc_id"] == "a" and n.metadata["category"] == "loan" for n in nodes)


def test_chunk_ids_are_stable_and_counted_per_document_version():
    def make(hash_of_a2="a2" * 32):
        return [node("a0", doc_id="a", version=1, title="A", section="s", content_hash="a1" * 32),
                node("b0", doc_id="b", version=1, title="B", section="s", content_hash="b1" * 32),
                node("a1", doc_id="a", version=1, title="A", section="s", content_hash="a1" * 32),
                node("a2-0", doc_id="a", version=2, title="A", section="s", content_hash=hash_of_a2)]

    first = ChunkIds()(make())
    assert [n.id_ for n in first] == ["a@v1:a1a1a1a1a1a1#0", "b@v1:b1b1b1b1b1b1#0",
                                      "a@v1:a1a1a1a1a1a1#1", "a@v2:a2a2a2a2a2a2#0"]
    assert [n.metadata["chunk"] for n in first] == [0, 0, 1, 0]
    assert [n.id_ for n in ChunkIds()(make())] == [n.id_ for n in first]
    changed = ChunkIds()(make(hash_of_a2="ff" * 32))
    assert changed[3].id_ == "a@v2:ffffffffffff#0", "new content must not overwrite the old chunks"


def test_chunk_ids_embed_only_title_and_section():
    [chunk] = ChunkIds()([node("x", title="T", section="S", category="loan")])
    assert set(chunk.metadata) - set(chunk.excluded_embed_metadata_keys) == {"title", "section"}
    assert set(chunk.excluded_llm_metadata_keys) == set(chunk.metadata)
