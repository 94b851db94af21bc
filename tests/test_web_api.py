"""The REST API and the pages through FastAPI's TestClient, over the sample corpus built with
the real model: pagination, filters, errors (4xx, never a 500), the write token, body bounds,
and injection (XSS payloads are escaped; SQL payloads change nothing in the database)."""

from __future__ import annotations

import json

import pytest
from conftest import copy_database, database_fingerprint
from markupsafe import escape

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from storyline import Storyline  # noqa: E402
from storyline.web.app import create_app  # noqa: E402

TOKEN = "test-token-42"
SUEZ_ES = {
    "title": "Un portacontenedores encallado bloquea el canal de Suez durante 18 horas",
    "text": ("Un buque portacontenedores de 400 metros encalló en el canal de Suez y bloqueó el "
             "tráfico durante 18 horas antes de ser reflotado por remolcadores, informó la "
             "Autoridad del Canal de Suez.\nDecenas de barcos esperaron en ambas entradas del "
             "canal. La autoridad dijo que la navegación se reanudó por la tarde y que se "
             "investigan las causas del encallamiento, atribuido a fuertes vientos."),
    "source": "Diario de Prueba", "date": "2026-02-12", "lang": "es",
}
XSS = ["<script>alert('xss')</script>", "<img src=x onerror=alert('xss')>",
       "\"><svg onload=alert('xss')>", "javascript:alert('xss')"]
SQLI = ["' OR 1=1 --", "'; DROP TABLE articles; --", "\" OR \"\"=\"", "1; DELETE FROM stories",
        "x' UNION SELECT id, text FROM articles --", "%' OR '%'='"]


@pytest.fixture(scope="module")
def db(sample_db, tmp_path_factory):
    return copy_database(sample_db, tmp_path_factory.mktemp("api") / "api.db")


@pytest.fixture(scope="module")
def client(db):
    with TestClient(create_app(db, token=TOKEN)) as c:
        yield c


@pytest.fixture(scope="module")
def stories(client):
    return client.get("/api/v1/stories", params={"limit": 100}).json()["stories"]


def story_about(stories, word):
    [found] = [s for s in stories if word in s["headlines"].get("en", s["headline"])]
    return found


def auth(token=TOKEN):
    return {"Authorization": f"Bearer {token}"}


# -- reading ----------------------------------------------------------------------------------
def test_lists_the_samples_ten_stories_largest_first(client, stories):
    body = client.get("/api/v1/stories").json()
    assert body["total"] == 10 and len(stories) == 10
    sizes = [s["size"] for s in stories]
    assert sizes == sorted(sizes, reverse=True)
    assert sum(sizes) == 50  # 51 sample files, one exact duplicate recorded, not stored
    for s in stories:
        assert set(s) >= {"id", "headline", "headlines", "languages", "sources", "size",
                          "first_date", "last_date", "days"}
        assert sum(d["count"] for d in s["days"]) <= s["size"]


def test_pages_cover_the_list_once(client, stories):
    seen = []
    for offset in range(0, 10, 3):
        page = client.get("/api/v1/stories", params={"offset": offset, "limit": 3}).json()
        assert page["total"] == 10 and page["offset"] == offset and page["limit"] == 3
        seen += [s["id"] for s in page["stories"]]
    assert seen == [s["id"] for s in stories]
    assert client.get("/api/v1/stories", params={"offset": 50}).json()["stories"] == []


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"offset": -1},
                                    {"limit": "ten"}, {"date_from": "2026-13-40"},
                                    {"min_size": -2}, {"lang": "x" * 40}])
def test_bad_list_parameters_are_4xx_json(client, params):
    r = client.get("/api/v1/stories", params=params)
    assert r.status_code == 422
    body = r.json()
    assert body["status"] == 422 and body["message"]


def test_filters(client, stories):
    def ids(**params):
        return [s["id"] for s in client.get("/api/v1/stories",
                                            params={"limit": 100, **params}).json()["stories"]]

    assert ids(lang="zh") == [s["id"] for s in stories if "zh" in s["languages"]]
    assert 0 < len(ids(lang="zh")) < 10
    source = stories[0]["sources"][0]
    assert ids(source=source) == [s["id"] for s in stories if source in s["sources"]]
    assert ids(min_size=6) == [s["id"] for s in stories if s["size"] >= 6]
    assert ids(max_size=4) == [s["id"] for s in stories if s["size"] <= 4]
    day = stories[0]["first_date"]
    assert ids(date_from=day, date_to=day) == [
        s["id"] for s in stories if s["first_date"] and s["first_date"] <= day <= s["last_date"]]
    assert ids(lang="xx") == []


def test_story_and_article(client, stories):
    suez = story_about(stories, "Suez")
    view = client.get(f"/api/v1/stories/{suez['id']}").json()
    assert view["id"] == suez["id"] and view["size"] == suez["size"]
    assert set(view["languages"]) == set(suez["languages"]) and "ar" in view["languages"]
    assert {a["lang"] for a in view["articles"]} == set(view["languages"])
    assert view["summary"], "a story has a summary"
    article_id = view["articles"][0]["id"]
    art = client.get(f"/api/v1/articles/{article_id}").json()
    assert art["id"] == article_id and art["story_id"] == suez["id"] and art["text"]


@pytest.mark.parametrize("path", ["/api/v1/stories/s0000000000", "/api/v1/articles/0000",
                                  "/api/v1/stories/..%2F..%2Fetc%2Fpasswd", "/api/v1/nothing"])
def test_unknown_ids_are_404_json(client, path):
    r = client.get(path)
    assert r.status_code in (404, 422)
    assert r.json()["status"] == r.status_code and r.json()["message"]


def test_search_across_languages(client, stories):
    suez = story_about(stories, "Suez")
    r = client.get("/api/v1/search", params={"q": "Containerschiff blockiert den Suezkanal"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["story_id"] == suez["id"]
    assert any(a["lang"] != "de" for a in results[0]["articles"])
    only_ar = client.get("/api/v1/search", params={"q": "Suezkanal", "lang": "ar"}).json()
    assert all(a["lang"] == "ar" for r in only_ar["results"] for a in r["articles"])


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 501}, {"q": "a", "limit": 0}])
def test_bad_search_is_422(client, params):
    r = client.get("/api/v1/search", params=params)
    assert r.status_code == 422 and r.json()["status"] == 422


def test_similarity(client):
    same = client.post("/api/v1/similarity", json={
        "a": SUEZ_ES, "b": {"title": "Ship blocks the Suez Canal for 18 hours",
                            "text": "A 400-metre container ship ran aground in the Suez Canal "
                                    "and blocked traffic for 18 hours before tugs refloated it."}})
    assert same.status_code == 200 and same.json()["same_story"] is True
    assert client.post("/api/v1/similarity", json={"a": "x", "b": "y"}).status_code == 400
    assert client.post("/api/v1/similarity", json={"a": "x"}).status_code == 422


def test_openapi_schema(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/articles/{article_id}",
              "/api/v1/search", "/api/v1/similarity", "/api/v1/articles"):
        assert p in paths
    assert client.get("/docs").status_code == 404  # its page would load a CDN


# -- writing ----------------------------------------------------------------------------------
def test_writes_need_the_token(client, db):
    before = database_fingerprint(db)
    body = {"records": [SUEZ_ES]}
    assert client.post("/api/v1/articles", json=body).status_code == 401
    assert client.post("/api/v1/articles", json=body, headers=auth("wrong")).status_code == 401
    assert client.post("/api/v1/articles", json=body,
                       headers={"X-Storyline-Token": "wrong"}).status_code == 401
    r = client.post("/paste", data={"text": "x" * 100, "token": "wrong"})
    assert r.status_code == 401 and "text/html" in r.headers["content-type"]
    assert database_fingerprint(db) == before


def test_writes_refused_without_a_server_token(sample_db, tmp_path):
    db = copy_database(sample_db, tmp_path / "ro.db")
    with TestClient(create_app(db)) as c:
        r = c.post("/api/v1/articles", json={"records": [SUEZ_ES]}, headers=auth())
        assert r.status_code == 403 and "token" in r.json()["message"]
        assert "disabled" in c.get("/paste").text


def test_post_places_records_and_reposting_changes_nothing(client, stories, db):
    suez = story_about(stories, "Suez")
    r = client.post("/api/v1/articles", json={"records": [SUEZ_ES]}, headers=auth())
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["counts"]["stored"] == 1
    [item] = out["items"]
    assert item["status"] == "stored" and item["story_id"] == suez["id"]
    assert client.get(f"/api/v1/articles/{item['article_id']}").json()["story_id"] == suez["id"]
    before = database_fingerprint(db)
    again = client.post("/api/v1/articles", json={"records": [SUEZ_ES]}, headers=auth()).json()
    assert again["items"][0]["status"] == "unchanged"
    assert database_fingerprint(db) == before


def test_post_raw_page_and_rejections(client):
    page = ("Home | World | Sport\n" + SUEZ_ES["title"] + "\n" + SUEZ_ES["text"].replace(
        "18 horas", "dieciocho horas") + "\nShare this article\nCookies policy")
    r = client.post("/api/v1/articles", json={"page": page, "source": "Pegado"},
                    headers=auth()).json()
    [item] = r["items"]
    assert item["status"] in ("stored", "near_duplicate") and item["story_id"]
    stub = client.post("/api/v1/articles", json={"records": [{"title": "t", "text": "short"}]},
                       headers=auth()).json()
    assert stub["items"][0]["status"] == "rejected" and "no article text" in \
        stub["items"][0]["reason"]


@pytest.mark.parametrize("body", [{}, {"records": []}, {"records": [{"title": "no text"}]},
                                  {"records": [SUEZ_ES], "page": "both"},
                                  {"records": [{**SUEZ_ES, "extra": 1}]},
                                  {"records": [SUEZ_ES] * 101},
                                  {"page": "p", "format": "pdf"}, [1, 2]])
def test_bad_bodies_are_422(client, body):
    r = client.post("/api/v1/articles", json=body, headers=auth())
    assert r.status_code == 422 and r.json()["status"] == 422


def test_malformed_and_oversized_bodies(client):
    r = client.post("/api/v1/articles", content=b"{not json", headers={
        **auth(), "content-type": "application/json"})
    assert r.status_code == 422
    big = json.dumps({"page": "x" * (5 * 2**20)})
    r = client.post("/api/v1/articles", content=big, headers={
        **auth(), "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["status"] == 413


def test_unexpected_errors_are_logged_500_json(db, monkeypatch, caplog):
    def broken(self, story_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(Storyline, "story_view", broken)
    with TestClient(create_app(db, token=TOKEN), raise_server_exceptions=False) as c:
        sid = c.get("/api/v1/stories").json()["stories"][0]["id"]
        r = c.get(f"/api/v1/stories/{sid}")
        assert r.status_code == 500 and r.json() == {
            "status": 500, "message": "internal error (logged on the server)"}
        assert "boom" not in r.text
        page = c.get(f"/stories/{sid}")
        assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert "RuntimeError: boom" in caplog.text


# -- injection --------------------------------------------------------------------------------
def test_xss_payloads_are_escaped_everywhere(client, stories):
    posted = []
    for k, payload in enumerate(XSS):
        rec = {"title": f"{payload} Suez Canal ship number {k}",
               "text": f"A container ship ran aground in the Suez Canal {payload} and blocked "
                       f"traffic for {k + 10} hours before tugs refloated it, the canal "
                       f"authority said.",
               "source": payload, "url": payload if payload.startswith("javascript") else None}
        out = client.post("/api/v1/articles", json={"records": [{
            k2: v for k2, v in rec.items() if v}]}, headers=auth()).json()
        posted.append(out["items"][0])
    pages = [f"/articles/{p['article_id']}" for p in posted]
    pages += sorted({f"/stories/{p['story_id']}" for p in posted}) + ["/"]
    pages += [f"/search?q={payload}" for payload in XSS]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.text
        for payload in XSS[:3]:
            assert payload not in text, (url, payload)
        for markup in ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:'):
            assert markup not in text, (url, markup)
    article = client.get(pages[0]).text
    assert str(escape(XSS[0])) in article  # shown as text
    assert "content-security-policy" in client.get("/").headers


@pytest.mark.parametrize("payload", SQLI)
def test_sql_payloads_change_nothing(client, db, payload):
    before = database_fingerprint(db)
    for params in ({"q": payload}, {"q": "Suez", "source": payload},
                   {"q": "Suez", "lang": payload}):
        r = client.get("/api/v1/search", params=params)
        assert r.status_code in (200, 422), (params, r.text)
    for params in ({"source": payload}, {"lang": payload}, {"date_from": payload},
                   {"min_size": payload}):
        r = client.get("/api/v1/stories", params=params)
        assert r.status_code in (200, 422), (params, r.text)
        if r.status_code == 200:
            assert r.json()["stories"] == []
    for path in (f"/api/v1/stories/{payload}", f"/api/v1/articles/{payload}"):
        assert client.get(path).status_code in (404, 422)
    assert client.get("/search", params={"q": payload}).status_code == 200
    assert database_fingerprint(db) == before
