"""The editors' pages in a real browser (Debian's chromium driven by Playwright) against `kb serve`.

Each test changes documents or signs in, so each gets its own store (base corpus ingested, one
editor with a password) and its own server on a free 127.0.0.1 port. What is checked is what
only a browser shows: the sign-in redirects, the filter form's date inputs, the file chooser,
and the pieces htmx swaps into the upload page.
"""

import pytest
from playwright.sync_api import expect

EDITOR, PASSWORD = "ed", "editor-password"


@pytest.fixture
def server(tmp_path, kbtest):
    """`kb serve` over a store of this test's own, which has one editor (so sign-in is required)."""
    knowledge = kbtest.make_kb(tmp_path / "store")
    assert knowledge.ingest(kbtest.write_corpus(tmp_path / "corpus")).ok
    knowledge.users.add(EDITOR, "editor", password=PASSWORD)
    with kbtest.serving(tmp_path / "store") as served:
        yield served


@pytest.fixture
def page(browser, server):
    """A signed-in editor's tab, on /editor: reached through the redirect to /signin and back."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  base_url=server.url)
    tab = context.new_page()
    tab.goto("/editor")
    expect(tab).to_have_url(f"{server.url}/signin?next=/editor")
    tab.get_by_label("用户名").fill(EDITOR)
    tab.get_by_label("密码").fill(PASSWORD)
    tab.get_by_role("button", name="登录").click()
    expect(tab).to_have_url(f"{server.url}/editor")
    yield tab
    context.close()


def choose_and_send(page, name: str, text: str, button: str) -> None:
    """Pick the file through the chooser a click on the file input opens, then press a button."""
    with page.expect_file_chooser() as chosen:
        page.locator("#upload .file-button").click()  # the Chinese 选择文件 opens the chooser
    chosen.value.set_files({"name": name, "mimeType": "text/markdown", "buffer": text.encode()})
    page.get_by_role("button", name=button, exact=True).click()


def version_rows(page, doc_id: str):
    page.goto(f"/editor/documents/{doc_id}")
    return page.locator("table.versions tr[data-version]")


def test_sign_in_filter_the_list_by_category_and_in_force_days_then_open_a_document(page):
    expect(page.locator(".who")).to_contain_text(EDITOR)
    page.get_by_label("类别").select_option("fee_rule")
    page.get_by_label("生效期间起").fill("2025-06-01")
    page.get_by_label("生效期间止").fill("2025-06-30")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("table.documents tr[data-doc]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-version", "1")
    expect(rows.first).to_have_attribute("data-status", "superseded")
    expect(page.get_by_label("生效期间起")).to_have_value("2025-06-01")
    rows.first.get_by_role("link", name="fee-transfer").click()
    expect(page.locator("h1")).to_contain_text("跨行转账手续费标准")
    expect(page.locator("table.versions tr[data-status=live]")).to_have_attribute("data-version", "2")


def test_upload_preview_publish_then_the_side_panel_answers_with_the_new_figure(page, kbtest):
    page.goto("/editor/upload?doc_id=fee-transfer")
    choose_and_send(page, "fee.md", kbtest.FEE_V3, "预览")
    preview = page.locator("#result .preview")
    expect(preview).to_have_attribute("data-status", "live")
    expect(preview.locator(".diff .add").filter(has_text="每笔3元")).to_have_count(1)
    expect(preview.locator(".diff .del").filter(has_text="每笔5元")).to_have_count(1)
    expect(preview.locator("ol.chunks li").first).to_contain_text("3元")
    expect(page.locator("#upload .file-name")).to_have_text("fee.md")
    expect(page.locator("#fields input[name=version]")).to_have_value("3")  # filled from the file
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#result .preview")).to_be_visible()  # dismissed: nothing published
    assert "fee-transfer 版本 3" in asked[0] and "版本 2" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#result .published")).to_contain_text("版本 3")
    page.goto("/")
    page.locator("#query").fill("柜面跨行转账手续费多少")
    page.keyboard.press("Enter")
    answer = page.locator("#turns .turn .answer").last
    expect(answer).to_contain_text("3元")
    expect(answer).not_to_contain_text("5元")


def test_an_invalid_upload_is_refused_inline_and_changes_nothing(page, kbtest):
    bad = kbtest.FEE_V3.replace("category: fee_rule", "category: fees").replace("title: 转账汇款手续费标准\n", "")
    page.goto("/editor/upload?doc_id=fee-transfer")
    choose_and_send(page, "fee.md", bad, "预览")
    problems = page.locator("#result [role=alert] tr.problem")
    expect(problems).to_have_count(2)
    expect(problems.filter(has_text="标题")).to_contain_text("必填")
    expect(problems.filter(has_text="类别")).to_contain_text("fee.md")
    expect(page.get_by_role("button", name="发布", exact=True)).to_have_count(0)
    expect(page.locator("#result .published")).to_have_count(0)
    expect(version_rows(page, "fee-transfer")).to_have_count(2)
    expect(page.locator("table.audit tbody")).not_to_contain_text("publish")


def test_rolling_back_asks_first_naming_the_version_restored(page):
    page.goto("/editor/documents/fee-transfer")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="回滚到此版本").click()
    expect(version_rows(page, "fee-transfer")).to_have_count(2)
    assert "版本 1 的内容" in asked[0] and "版本 2" in asked[0]
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="回滚到此版本").click()
    expect(page.locator(".notice")).to_contain_text("已回滚")
    expect(version_rows(page, "fee-transfer")).to_have_count(3)
