"""Routes of the web app and the REST API (under /api/v1). Each route validates its input,
calls one ``Storyline`` library method (through ``library``) and returns JSON or a page.

Safety: every page is rendered by Jinja2 with autoescaping and served with a strict
Content-Security-Policy; writes need the token given at start; request bodies and page sizes
are bounded; errors are JSON (or an HTML page) with a status and a message, never a stack.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline import __version__
from storyline.errors import NotFoundError, StoreError, StorylineError
from storyline.web import display
from storyline.web.library import Library
from storyline.web.schemas import MAX_TEXT_CHARS, ArticlesIn, SimilarityIn

log = logging.getLogger("storyline.web")
HERE = Path(__file__).parent
MAX_BODY_BYTES = 4 * 1024 * 1024  # a request body: 100 records of ~40 kB, or one big page
MAX_PAGE = 100  # items per API page
PAGE = 20  # stories per web page
ID = r"^[A-Za-z0-9_-]{1,64}$"
HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


# -- query and path parameters shared by the routes --------------------------------------------
Lang = Annotated[str | None, Query(max_length=16, pattern=r"^[A-Za-z-]*$",
                                   description="ISO 639-1 language code")]
Source = Annotated[str | None, Query(max_length=200)]
Day = Annotated[date | None, Query(description="YYYY-MM-DD")]
Size = Annotated[int | None, Query(ge=0, le=1_000_000)]
ItemId = Annotated[str, PathParam(pattern=ID)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
# HTML forms send empty fields as "": the pages take these as strings ("" = not set).
FormDay = Annotated[str, Query(max_length=10, pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
FormSize = Annotated[str, Query(max_length=7, pattern=r"^\d*$")]


def form_day(value: str) -> date | None:
    """A form's date field: "" is no date; an impossible one is a 422."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"not a date: {value!r} (use YYYY-MM-DD)") from None


class Guard:
    """ASGI middleware: refuses bodies over ``max_bytes`` (413) and adds security headers."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await error_response(413, f"request body over {self.max_bytes} bytes")(
                scope, receive, send)
            return
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, f"request body over {self.max_bytes} bytes")
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + HEADERS
            await send(message)

        await self.app(scope, bounded, with_headers)


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": status, "message": message}, status_code=status)


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(
        language_name=display.language_name, text_dir=display.text_dir,
        safe_url=display.safe_url, day_bars=display.day_bars, date_span=display.date_span,
        span_label=display.span_label,
        group_by_language=display.group_by_language, qs=display.query_string,
        language_colour=display.language_colour, version=__version__)
    return env


def create_app(db: str | Path, token: str | None = None, *, readers: int = 4,
               max_body_bytes: int = MAX_BODY_BYTES, embedder: str = "e5-small") -> FastAPI:
    """The app over database ``db``. Writes need ``token`` (none set: writes are refused)."""
    lib_box: dict[str, Library] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        lib_box["lib"] = Library(db, readers=readers, embedder=embedder)
        yield
        lib_box.pop("lib").close()

    app = FastAPI(title="Storyline", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN
                  description="Multilingual news stories: list, read, search, add articles.")
    app.add_middleware(Guard, max_bytes=max_body_bytes)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    env = templates()

    def lib() -> Library:
        if "lib" not in lib_box:  # used outside a running server (no lifespan)
            raise StoreError("the server is not started")
        return lib_box["lib"]

    def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=status_code)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def failure(request: Request, status: int, message: str) -> Response:
        if is_api(request):
            return error_response(status, message)
        return page("error.html", status, status=status, message=message, hl="")

    # -- errors: a status and a message, JSON for the API, a page for the site --------------
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return failure(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for e in exc.errors()[:5]:
            where = ".".join(str(x) for x in e.get("loc", ()) if x != "body")
            parts.append(f"{where}: {e.get('msg', 'invalid')}" if where else e.get("msg", ""))
        return failure(request, 422, "; ".join(parts) or "invalid request")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return failure(request, 404, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        log.error("store error on %s: %s", request.url.path, exc)
        return failure(request, 503, str(exc))

    @app.exception_handler(StorylineError)
    async def library_error(request: Request, exc: StorylineError) -> Response:
        return failure(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        try:
            return failure(request, 500, "internal error (logged on the server)")
        except Exception:  # the error page itself failed: plain JSON still answers
            return error_response(500, "internal error (logged on the server)")

    # -- the write token ---------------------------------------------------------------------
    def check_token(given: str | None) -> None:
        if token is None:
            raise HTTPException(403, "writes are disabled: start the server with --token "
                                     "(or STORYLINE_TOKEN)")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "a valid token is required to add articles")

    def api_token(request: Request) -> None:
        auth = request.headers.get("authorization", "")
        given = auth[7:].strip() if auth.lower().startswith("bearer ") else None
        check_token(given or request.headers.get("x-storyline-token"))

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    async def stories_page(lang: str | None, source: str | None, date_from: date | None,
                           date_to: date | None, min_size: int | None, max_size: int | None
                           ) -> list[dict[str, Any]]:
        return await lib().read(lambda sl: sl.story_list(
            lang=lang or None, source=source or None, date_from=iso(date_from),
            date_to=iso(date_to), min_size=min_size, max_size=max_size))

    # -- REST API ------------------------------------------------------------------------------
    @app.get("/api/v1/health", tags=["api"])
    async def health() -> dict[str, Any]:
        """The server is up; how many stories it serves."""
        stories = await lib().read(lambda sl: len(sl.stories()))
        return {"status": "ok", "version": __version__, "stories": stories}

    @app.get("/api/v1/stories", tags=["api"])
    async def api_stories(lang: Lang = None, source: Source = None, date_from: Day = None,
                          date_to: Day = None, min_size: Size = None, max_size: Size = None,
                          offset: Offset = 0,
                          limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
                          ) -> dict[str, Any]:
        """Stories, largest first: carried in ``lang``, by ``source``, dated within
        [``date_from``, ``date_to``] in part, with ``min_size``..``max_size`` articles."""
        found = await stories_page(lang, source, date_from, date_to, min_size, max_size)
        return {"total": len(found), "offset": offset, "limit": limit,
                "stories": found[offset:offset + limit]}

    @app.get("/api/v1/stories/{story_id}", tags=["api"])
    async def api_story(story_id: ItemId) -> dict[str, Any]:
        """One story: headlines, articles (with language), summary, timeline, key terms,
        coverage and related stories, where the library provides them."""
        return await lib().model(lambda sl: sl.story_view(story_id))

    @app.get("/api/v1/articles/{article_id}", tags=["api"])
    async def api_article(article_id: ItemId) -> dict[str, Any]:
        """One stored article with its text and story id."""
        return await lib().read(lambda sl: sl.article(article_id))

    @app.get("/api/v1/search", tags=["api"])
    async def api_search(q: Annotated[str, Query(min_length=1, max_length=500)],
                         lang: Lang = None, source: Source = None, date_from: Day = None,
                         date_to: Day = None,
                         limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
                         ) -> dict[str, Any]:
        """Stories whose articles match ``q`` (any language), grouped by story."""
        results = await lib().model(lambda sl: sl.search(
            q, lang=lang or None, source=source or None, date_from=iso(date_from),
            date_to=iso(date_to), limit=limit))
        return {"query": q, "results": results}

    @app.post("/api/v1/similarity", tags=["api"])
    async def api_similarity(body: SimilarityIn) -> dict[str, Any]:
        """How alike two articles are: SemEval scale (1 same story .. 4) and P(same story)."""
        a, b = (x if isinstance(x, str) else x.model_dump(exclude_none=True)
                for x in (body.a, body.b))
        score = await lib().model(lambda sl: sl.similarity_of_texts(a, b, body.format))
        return {"similarity": score.similarity, "probability_same_story": score.probability,
                "same_story": score.same_story}

    @app.post("/api/v1/articles", tags=["api"], dependencies=[Depends(api_token)])
    async def api_add(body: ArticlesIn) -> dict[str, Any]:
        """Add articles and place each in a story at once (needs the token: ``Authorization:
        Bearer TOKEN``). Every input ends stored, duplicate, unchanged or rejected."""
        if body.records is not None:
            recs = [r.model_dump(exclude_none=True) for r in body.records]
            return await lib().write(lambda sl: sl.add_records(recs))
        return await lib().write(lambda sl: sl.add_page(
            body.page or "", body.format, source=body.source, url=body.url))

    # -- web pages -----------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def front(hl: Lang = None, lang: Lang = None, source: Source = None,
                    date_from: FormDay = "", date_to: FormDay = "", min_size: FormSize = "",
                    offset: Offset = 0) -> HTMLResponse:
        every = await stories_page(None, None, None, None, None, None)
        found = every if not (lang or source or date_from or date_to or min_size) else \
            await stories_page(lang, source, form_day(date_from), form_day(date_to),
                               int(min_size) if min_size else None, None)
        return page("index.html", stories=found[offset:offset + PAGE], total=len(found),
                    window=display.page_window(len(found), offset, PAGE),
                    languages=sorted({g for s in every for g in s["languages"]}),
                    sources=sorted({x for s in every for x in s["sources"]}),
                    hl=hl or "", lang=lang or "", source=source or "",
                    date_from=date_from, date_to=date_to, min_size=min_size)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    async def story_page(story_id: ItemId, hl: Lang = None) -> HTMLResponse:
        view = await lib().model(lambda sl: sl.story_view(story_id))
        return page("story.html", story=view, hl=hl or "")

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    async def article_page(article_id: ItemId, hl: Lang = None) -> HTMLResponse:
        found = await lib().read(lambda sl: sl.article(article_id))
        return page("article.html", article=found, hl=hl or "")

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    async def search_page(q: Annotated[str, Query(max_length=500)] = "", lang: Lang = None,
                          source: Source = None, date_from: FormDay = "", date_to: FormDay = "",
                          hl: Lang = None) -> HTMLResponse:
        results = None
        since, until = form_day(date_from), form_day(date_to)
        if q.strip():
            results = await lib().model(lambda sl: sl.search(
                q, lang=lang or None, source=source or None, date_from=iso(since),
                date_to=iso(until), limit=PAGE))
        return page("search.html", q=q, results=results, lang=lang or "", source=source or "",
                    date_from=date_from, date_to=date_to, hl=hl or "")

    @app.get("/paste", response_class=HTMLResponse, include_in_schema=False)
    async def paste_form(hl: Lang = None) -> HTMLResponse:
        return page("paste.html", outcome=None, form={}, writable=token is not None,
                    hl=hl or "")

    @app.post("/paste", response_class=HTMLResponse, include_in_schema=False)
    async def paste(text: Annotated[str, Form(min_length=1, max_length=MAX_TEXT_CHARS)],
                    token_given: Annotated[str, Form(alias="token", max_length=500)] = "",
                    title: Annotated[str, Form(max_length=2_000)] = "",
                    url: Annotated[str, Form(max_length=2_048)] = "",
                    source: Annotated[str, Form(max_length=200)] = "",
                    lang: Annotated[str, Form(max_length=16)] = "",
                    date_: Annotated[str, Form(alias="date", max_length=40)] = "",
                    format_: Annotated[str, Form(alias="format", pattern=r"^(text|html)$")] = "text",
                    ) -> HTMLResponse:
        check_token(token_given)
        form = {"title": title, "url": url, "source": source, "lang": lang, "date": date_,
                "format": format_}
        if title.strip():  # a titled article is a record; otherwise a raw page to clean
            rec = {k: v for k, v in {**form, "text": text}.items() if v and k != "format"}
            outcome = await lib().write(lambda sl: sl.add_records([rec], prefix="web"))
        else:
            outcome = await lib().write(lambda sl: sl.add_page(
                text, format_, prefix="web", source=source or None, url=url or None))
        # the form comes back empty for the next article (the publisher and format stay)
        return page("paste.html", outcome=outcome, form={"source": source, "format": format_},
                    writable=True, hl="")

    return app


def run(db: str | Path, host: str, port: int, token: str | None,
        log_level: str = "info") -> None:
    """Serve the app with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db, token), host=host, port=port, log_level=log_level,
                server_header=False)

