def test_documents_list_and_filters(client):
    rows = client.get("/api/documents").json()
    assert {r["doc_id"] for r in rows} >= {"cc-gold", "fee-transfer", "disc-x"}
    fee = next(r for r in rows if r["doc_id"] == "fee-transfer")
    assert fee["version"] == 2 and fee["status"] == "live" and fee["versions"] == 2
    assert [r["doc_id"] for r in client.get("/api/documents", params={"status": "scheduled"}).json()] == ["cc-comet"]
    assert [r["doc_id"] for r in client.get("/api/documents", params={"q": "首年免年费"}).json()] == ["cc-gold"]
    assert client.get("/api/documents", params={"status": "gone"}).status_code == 422


def test_a_document_with_its_versions_and_chunks(client):
    body = client.get("/api/documents/fee-transfer").json()
    assert [(v["meta"]["version"], v["status"]) for v in body["versions"]] == [(1, "superseded"), (2, "live")]
    sections = [c["section"] for c in body["chunks"]["2"]]
    assert any("柜面跨行转账" in s for s in sections)
    assert client.get("/api/documents/nope").status_code == 404


def test_documents_in_force_in_a_window(client):
    """One row per version answering on a day of the window, whatever its status today."""
    def listed(**params):
        return [(r["doc_id"], r["version"]) for r in client.get("/api/documents", params=params).json()]

    assert listed(in_force_from="2025-12-31", in_force_to="2026-01-01", category="fee_rule") == [
        ("fee-transfer", 1), ("fee-transfer", 2)]
    assert listed(in_force_from="2099-01-01", category="credit_card") == [("cc-comet", 1), ("cc-gold", 1)]
    assert ("fee-transfer", 2) not in listed(in_force_to="2025-12-31")


def test_a_bad_date_or_a_reversed_window_is_422(client):
    bad = client.get("/api/documents", params={"in_force_to": "2026-13-01"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "in_force_to"]
    assert "2026-13-01" not in bad.text
    reversed_ = client.get("/api/documents", params={"in_force_from": "2026-02-01", "in_force_to": "2026-01-01"})
    assert reversed_.status_code == 422
    assert reversed_.json()["detail"][0]["type"] == "BadRequest" and "after" in reversed_.json()["detail"][0]["msg"]


def test_an_upload_named_over_255_bytes_is_a_422_naming_the_field(client):
    name = "存款利率表" * 40 + ".md"  # 600 bytes in UTF-8
    refused = client.post("/api/documents/preview", files={"file": (name, b"---\ntitle: t\n---\nx")})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "file" and "200 bytes" in refused.json()["errors"][0]["rule"]
