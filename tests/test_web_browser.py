"""The web app in a real browser: Debian's Chromium driven by Playwright against
`storyline serve` on 127.0.0.1, over the sample corpus built with the real model.

Writes screenshots of the main pages to docs/screenshots/ (shown in README)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, copy_database

pytest.importorskip("fastapi")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOTS = REPO / "docs" / "screenshots"
TOKEN = "browser-test-token"
EXE = str(Path(sys.executable).with_name("storyline"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):
    """`storyline serve` in a subprocess on a free loopback port, over a copy of the sample."""
    db = copy_database(sample_db, tmp_path_factory.mktemp("browser") / "web.db")
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "serve.log", "w+")
    proc = subprocess.Popen([EXE, "serve", "--db", str(db), "--port", str(port),
                             "--log-level", "warning"], stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, "STORYLINE_TOKEN": TOKEN})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            get_json(f"{base}/api/v1/health")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"server did not start: {log.read()}")
            time.sleep(0.3)
    get_json(f"{base}/api/v1/search?q=warm+up")  # loads the model before any page waits on it
    yield base
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def stories(server):
    return get_json(f"{server}/api/v1/stories?limit=100")["stories"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/system-deps.sh (Debian package chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose JavaScript dialogs and console errors are recorded (an injected script
    that ran would show up here)."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.context.close()


def shot(page, name: str, full: bool = False) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def story_about(stories, word):
    [found] = [s for s in stories if word in s["headlines"].get("en", s["headline"])]
    return found


def test_front_page_lists_the_ten_stories(server, stories, watched):
    page = watched.page
    page.goto(f"{server}/")
    cards = page.locator(".story-card")
    assert cards.count() == 10
    assert [cards.nth(k).get_attribute("data-story-id") for k in range(10)] == \
        [s["id"] for s in stories]
    assert page.locator(".story-card svg.spark rect").count() > 0  # the timeline sparklines
    shot(page, "stories")
    # headlines in the reader's language: Greek where a story has one
    page.select_option("select#hl", "el")
    page.wait_for_url("**hl=el**")
    greek = [s for s in stories if "el" in s["headlines"]]
    first = page.locator(f'.story-card[data-story-id="{greek[0]["id"]}"] .headline span')
    assert first.inner_text() == greek[0]["headlines"]["el"]
    assert first.get_attribute("lang") == "el"
    assert not watched.dialogs and not watched.errors


def test_story_page_shows_languages_summary_and_rtl(server, stories, watched):
    suez = story_about(stories, "Suez")
    page = watched.page
    page.goto(f"{server}/")
    page.click(f'.story-card[data-story-id="{suez["id"]}"] a.headline')
    page.wait_for_url(f"**/stories/{suez['id']}**")
    langs = page.locator("#story-languages .lang")
    assert sorted(langs.nth(k).get_attribute("lang") for k in range(langs.count())) == \
        sorted(suez["languages"])
    summary = page.locator("#summary li")
    assert summary.count() >= 1
    cited = summary.first.locator("a.cite").get_attribute("href")
    assert page.locator(cited).count() == 1  # the summary links to its article on the page
    for lang in suez["languages"]:
        assert page.locator(f"#lang-{lang}").count() == 1  # articles grouped by language
    arabic = page.locator('#headlines dd [lang="ar"]').first
    assert arabic.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator('#headlines dd [lang="en"]').first.evaluate(
        "e => getComputedStyle(e).direction") == "ltr"
    shot(page, "story", full=True)
    page.goto(f"{server}/stories/{suez['id']}?hl=ar")
    title = page.locator("h1 .story-headline")
    assert title.inner_text() == suez["headlines"]["ar"]
    assert title.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert not watched.dialogs and not watched.errors


def test_search_finds_a_story_from_another_language(server, stories, watched):
    suez = story_about(stories, "Suez")
    assert "de" not in suez["languages"]  # the query's language is not among the story's
    page = watched.page
    page.goto(f"{server}/search")
    page.fill("input[name=q]", "Containerschiff blockiert den Suezkanal")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector(".result", timeout=120_000)
    assert page.locator(".result").first.get_attribute("data-story-id") == suez["id"]
    shot(page, "search")
    assert not watched.dialogs and not watched.errors


def test_pasting_an_article_places_it(server, stories, watched):
    suez = story_about(stories, "Suez")
    page = watched.page
    page.goto(f"{server}/paste")
    page.fill("input[name=title]", "Un portacontenedores encallado bloquea el canal de Suez "
                                   "durante 18 horas")
    page.fill("textarea[name=text]", (
        "Un buque portacontenedores de 400 metros encalló en el canal de Suez y bloqueó el "
        "tráfico durante 18 horas antes de ser reflotado por remolcadores, informó la Autoridad "
        "del Canal de Suez.\nDecenas de barcos esperaron en ambas entradas del canal. La "
        "autoridad dijo que la navegación se reanudó por la tarde."))
    page.fill("input[name=source]", "Diario de Prueba")
    page.fill("#token", TOKEN)
    page.click("form.paste button[type=submit]")
    page.wait_for_selector("#outcome", timeout=180_000)
    joined = page.locator("#outcome a.joined")
    assert joined.get_attribute("href") == f"/stories/{suez['id']}"
    shot(page, "paste")
    page.click("#outcome a.joined")
    assert page.locator("#lang-es .article-item").count() == 1
    assert not watched.dialogs and not watched.errors


def test_injected_markup_is_shown_as_text_and_never_runs(server, watched):
    payloads = {"title": "<script>alert('title')</script> Suez ship <img src=x onerror=alert('img')>",
                "text": ("A container ship blocked the Suez Canal for 18 hours. "
                         "<script>alert('body')</script><img src=x onerror=alert('body-img')> "
                         "<svg onload=alert('svg')></svg> Tugs refloated it on Tuesday."),
                "source": "<img src=x onerror=alert('source')>",
                "url": "javascript:alert('url')"}
    req = urllib.request.Request(
        f"{server}/api/v1/articles", data=json.dumps({"records": [payloads]}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(req, timeout=180) as r:
        [item] = json.loads(r.read())["items"]
    page = watched.page
    for url in (f"/articles/{item['article_id']}", f"/stories/{item['story_id']}", "/",
                "/search?q=" + urllib.request.quote("<script>alert('query')</script>")):
        page.goto(server + url)
        page.wait_for_load_state("load")
        # nothing ran: no dialog, no injected element, no script but ours
        assert watched.dialogs == [], url
        assert page.locator("img[src=x]").count() == 0, url
        assert page.locator("main svg[onload]").count() == 0, url
        assert [s.get_attribute("src") for s in page.locator("script").all()] == \
            ["/static/app.js"], url
        assert page.locator('a[href^="javascript:"]').count() == 0, url
    page.goto(f"{server}/articles/{item['article_id']}")
    assert page.locator("h1 .article-title").inner_text() == payloads["title"]
    assert "<script>alert('body')</script>" in page.locator(".article-text").inner_text()
    assert page.locator(".meta .src").inner_text() == payloads["source"]
    page.goto(f"{server}/search?q=" + urllib.request.quote("<script>alert('query')</script>"))
    assert page.locator("input[name=q]").input_value() == "<script>alert('query')</script>"
    assert watched.dialogs == []
