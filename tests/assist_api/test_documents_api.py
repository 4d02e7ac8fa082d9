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
