"""The panel's pages, checked by template, context and parsed HTML."""

from bs4 import BeautifulSoup


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def ask(client, query, session_id="page-call"):
    return client.post("/ui/ask", data={"query": query, "session_id": session_id}, headers={"HX-Request": "true"})


def test_the_panel_page_starts_a_call_with_focus_on_the_question(client):
    page = client.get("/")
    assert page.template.name == "panel.html" and len(page.context["session_id"]) == 32
    html = soup(page)
    assert html.select_one("#query").has_attr("autofocus")
    assert html.select_one("form#ask")["hx-post"] == "/ui/ask"
    scripts = [s["src"] for s in html.select("script[src]")]
    assert all("/static/" in src for src in scripts) and any("htmx" in s for s in scripts)
    assert client.get("/").context["session_id"] != page.context["session_id"]


def test_an_answer_shows_text_citations_with_the_quote_in_its_section_and_disclosures(client):
    turn = ask(client, "星辰金卡年费多少")
    assert turn.template.name == "_turn.html"
    response = turn.context["response"]
    html = soup(turn)
    assert html.select_one(".turn")["data-status"] == "answered"
    assert "300元" in html.select_one(".answer").text
    citation = response.answer.citations[0]
    summary = html.select_one(".citation summary").text
    assert citation.title in summary and citation.section in summary
    passage = html.select_one(".citation .passage")
    marked = passage.select_one("mark") or passage.select_one("tr.marked")
    assert "|".join(marked.stripped_strings) in citation.quote.replace(" | ", "|")
    assert len(passage.text) > len(marked.text)  # the quote sits within its section
    disclosure = html.select_one(".disclosure")
    assert disclosure["data-doc"] == "disc-x" and "量入为出" in disclosure.text
    assert disclosure.select_one("button.copy")


def test_no_answer_is_a_different_state_without_citations(client):
    html = soup(ask(client, "彩虹卡的积分怎么兑换机票"))
    assert html.select_one(".turn")["data-status"] == "no_answer"
    assert html.select_one(".no-answer-box") and not html.select(".citation")
    assert not html.select_one(".answer")


def test_no_answer_lists_the_nearest_passages_as_possibly_related_never_as_an_answer(client):
    html = soup(ask(client, "彩虹卡的积分怎么兑换机票"))
    related = html.select_one(".no-answer-box + details.related")
    assert related is not None and "可能相关" in related.summary.text
    assert 1 <= len(related.select("li")) <= 3 and not html.select(".answer")
    contract = client.post("/assist", json={"query": "彩虹卡的积分怎么兑换机票"}).json()
    assert contract["answer"]["status"] == "no_answer" and contract["answer"]["citations"] == []
    assert {"doc_id", "version", "title", "section", "quote"} <= set(contract["related"][0])
    answered = client.post("/assist", json={"query": "星辰金卡年费多少"}).json()
    assert "related" not in answered


def test_the_script_is_shown_as_numbered_steps_and_alerts_by_level(client):
    html = soup(ask(client, "客户卡丢了很生气说要找媒体曝光"))
    assert html.select(".script .steps li")
    critical = html.select(".alert.level-critical")
    assert [a["data-code"] for a in critical] == ["escalate"]


def test_an_empty_question_renders_an_error_not_a_turn(client):
    response = ask(client, "   ")
    assert response.status_code == 422
    error = soup(response).select_one("section.turn-error[role=alert]")
    assert error is not None and "输入有误" in error.text and not soup(response).select(".answer")


def test_feedback_from_the_page_is_stored(client, ingested_kb):
    turn = soup(ask(client, "星辰金卡年费多少"))
    form = {i["name"]: i.get("value", "") for i in turn.select(".feedback input")}
    form.update(rating="up", comment="好用")
    done = client.post("/ui/feedback", data=form)
    assert done.template.name == "_feedback_done.html"
    row = ingested_kb.feedback.recent(1)[0]
    assert row.rating == "up" and row.comment == "好用" and row.query == "星辰金卡年费多少"
