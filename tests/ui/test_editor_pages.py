"""The editors' pages (local mode), checked by template, context and parsed HTML; and the same
operations through the documents API, including an upload cut off mid-way."""

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient


@pytest.fixture
def editor(tmp_path, kbtest):
    """An app over a store of its own (these tests change documents), in local mode."""
    from ui.app import create_app

    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    with TestClient(create_app(knowledge.settings), base_url="http://127.0.0.1") as client:
        yield client


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_document_list_filters_by_status_and_text(editor):
    page = editor.get("/editor")
    assert page.template.name == "editor_list.html"
    assert {d.doc_id for d in page.context["documents"]} >= {"cc-gold", "fee-transfer", "disc-x"}
    scheduled = soup(editor.get("/editor", params={"status": "scheduled"}))
    assert [row["data-doc"] for row in scheduled.select("tr[data-doc]")] == ["cc-comet"]
    found = editor.get("/editor", params={"q": "首年免年费"}).context["documents"]
    assert [d.doc_id for d in found] == ["cc-gold"]



def test_document_list_filters_by_the_days_versions_are_in_force(client):
    """Read-only, so on the shared store: mid-2025 answers with fee-transfer v1, not the current v2."""
    page = client.get("/editor", params={"in_force_from": "2025-06-01", "in_force_to": "2025-06-30"})
    html = soup(page)
    rows = {(r["data-doc"], r["data-version"], r["data-status"]) for r in html.select("tr[data-doc]")}
    assert ("fee-transfer", "1", "superseded") in rows and "cc-gold" in {d for d, _, _ in rows}
    assert not {d for d, v, _ in rows if (d, v) in {("fee-transfer", "2"), ("cc-comet", "1")}}
    assert html.select_one("input[name=in_force_from]")["value"] == "2025-06-01"
    later = client.get("/editor", params={"in_force_from": "2099-01-01", "category": "credit_card"})
    assert [(d.doc_id, d.version) for d in later.context["documents"]] == [("cc-comet", 1), ("cc-gold", 1)]


@pytest.mark.parametrize("params, message", [
    ({"in_force_from": "2025-02-30"}, "生效期间起"),
    ({"in_force_from": "2026-02-01", "in_force_to": "2026-01-01"}, "after"),
    ({"status": "gone"}, "status must be one of"),
])
def test_a_bad_window_is_shown_above_an_empty_list(client, params, message):
    page = client.get("/editor", params=params)
    assert page.status_code == 422 and page.template.name == "editor_list.html"
    assert message in soup(page).select_one(".form-error[role=alert]").text
    assert page.context["documents"] == []

def test_document_page_shows_versions_chunks_and_rollback_for_earlier_versions(editor):
    page = editor.get("/editor/documents/fee-transfer")
    assert page.template.name == "editor_document.html"
    html = soup(page)
    rows = {row["data-version"]: row for row in html.select("table.versions tr[data-version]")}
    assert rows["2"]["data-status"] == "live" and rows["1"]["data-status"] == "superseded"
    assert rows["1"].select_one("form[action$='/rollback']") and not rows["2"].select_one("form")
    assert any("柜面跨行转账" in li.text for li in html.select("ol.chunks li"))


def upload(client, step, name, data, **fields):
    """As the page's htmx sends it."""
    return client.post(f"/editor/upload/{step}", files={"file": (name, data)}, data=fields,
                       headers={"HX-Request": "true"})


def test_preview_shows_the_diff_and_chunks_and_publishes_nothing(editor, kbtest):
    before = editor.get("/api/documents/fee-transfer").json()
    preview = upload(editor, "preview", "fee.md", kbtest.FEE_V3.encode())
    assert preview.status_code == 200 and preview.template.name == "_upload_result.html"
    shown = preview.context["preview"]
    assert (shown.document.meta.version, shown.status) == (3, "live")
    html = soup(preview)
    assert any("每笔3元" in span.text for span in html.select(".diff .add"))
    assert html.select("ol.chunks li")
    assert editor.get("/api/documents/fee-transfer").json() == before


def test_publish_from_the_page_then_the_original_and_audit_are_on_the_document_page(editor, kbtest):
    done = upload(editor, "publish", "fee.md", kbtest.FEE_V3.encode())
    assert done.status_code == 200 and done.context["published"].version == 3
    assert "3元" in editor.post("/assist", json={"query": "柜面跨行转账手续费多少"}).json()["answer"]["text"]
    html = soup(editor.get("/editor/documents/fee-transfer"))
    link = html.select_one("tr[data-version='3'] a[href$='/original']")
    assert link.text == "fee.md"
    assert editor.get(link["href"]).content == kbtest.FEE_V3.encode()
    assert "publish" in html.select_one("table.audit tbody").text


def test_a_bad_upload_shows_every_problem_inline_in_chinese(editor, kbtest):
    bad = kbtest.FEE_V3.replace("category: fee_rule", "category: fees").replace("title: 转账汇款手续费标准\n", "")
    answer = upload(editor, "publish", "fee.md", bad.encode())
    assert answer.status_code == 422 and answer.template.name == "_error.html"
    rows = {tr.select("td")[1].text: tr for tr in soup(answer).select("tr.problem")}
    assert set(rows) == {"标题", "类别"}
    assert rows["类别"].select("td")[1]["title"] == "category"
    assert rows["标题"].select("td")[2].text == "必填"
    assert "credit_card" not in answer.text and "[a-z0-9]" not in answer.text


def test_the_upload_form_offers_publish_only_after_a_preview_which_asks_first(editor, kbtest):
    form = soup(editor.get("/editor/upload"))
    assert not form.select("button.publish") and form.select_one("button[hx-post$='/preview']")
    assert "选择文件" in form.select_one("label.file-pick").text
    preview = soup(upload(editor, "preview", "fee.md", kbtest.FEE_V3.encode()))
    button = preview.select_one(".preview button.publish")
    assert "fee-transfer 版本 3" in button["hx-confirm"] and "取代当前生效的版本 2" in button["hx-confirm"]


def test_a_preview_fills_the_form_with_the_files_own_metadata(editor, kbtest):
    preview = soup(upload(editor, "preview", "fee.md", kbtest.FEE_V3.encode()))
    fields = preview.select_one("#fields[hx-swap-oob]")
    assert fields.select_one("input[name=doc_id]")["value"] == "fee-transfer"
    assert fields.select_one("input[name=version]")["value"] == "3"
    assert fields.select_one("select[name=category] option[selected]")["value"] == "fee_rule"


def test_a_txt_upload_takes_its_metadata_from_the_form(editor):
    fields = {"doc_id": "svc-hours", "title": "营业时间", "category": "service", "products": "营业时间，网点"}
    preview = upload(editor, "preview", "hours.txt", "网点营业时间为每日9:00至17:00。".encode(), **fields)
    assert preview.status_code == 200
    assert preview.context["preview"].document.meta.products == ["营业时间", "网点"]
    missing = upload(editor, "preview", "hours.txt", "网点营业时间为每日9:00至17:00。".encode())
    assert missing.status_code == 422 and "请在表单中填写" in missing.text and "sidecar" not in missing.text


def test_content_gaps_group_unanswered_questions_masked(editor):
    for question in ("彩虹卡积分怎么换机票", "彩虹卡积分怎么换机票？", "卡号6222020200112233445 彩虹卡积分换机票"):
        assert editor.post("/ui/ask", data={"query": question}).status_code == 200
    page = editor.get("/editor/gaps")
    assert page.template.name == "editor_gaps.html"
    top = page.context["gaps"][0]
    assert top.count >= 2
    assert "6222020200112233445" not in page.text
    assert editor.get("/api/gaps").json()[0]["count"] == top.count


def test_api_upload_answers_201_or_422_with_errors(editor, kbtest):
    done = editor.post("/api/documents", files={"file": ("fee.md", kbtest.FEE_V3.encode())})
    assert done.status_code == 201 and done.json()["version"] == 3
    bad = editor.post("/api/documents", files={"file": ("a.pdf", b"not a pdf")},
                      data={"doc_id": "x", "title": "X", "category": "service"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"file": "a.pdf", "field": "file",
                                     "rule": "the content is text, not the .pdf file its name says"}]
    rolled = editor.post("/api/documents/fee-transfer/rollback", json={"version": 2})
    assert rolled.status_code == 200 and rolled.json()["version"] == 4


def test_an_upload_cut_off_mid_way_changes_nothing(editor, kbtest):
    before = editor.get("/api/documents").json()
    boundary = "kbboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"fee.md\"\r\n"
            "Content-Type: text/markdown\r\n\r\n").encode() + kbtest.FEE_V3.encode()[:80]
    cut = editor.post("/api/documents", content=head,
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert 400 <= cut.status_code < 500
    assert editor.get("/api/documents").json() == before
