"""The ``storyline`` command: a thin shell over the library (parse, call, print)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from storyline.api_python import Storyline
from storyline.errors import StorylineError
from storyline.ingest import snapshot
from storyline.pipeline import IngestReport
from storyline.types import Article, Notice, RawDocument, Rejection, Story

DEFAULT_DB = "storyline.db"
# Piped output is read by people in pagers and logs: give tables room instead of 80 columns.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


# -- shared options -----------------------------------------------------------------------
def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", default=DEFAULT_DB, show_default=True, envvar="STORYLINE_DB",
                        show_envvar=True,
                        help="SQLite database file, or a postgresql://user@host/dbname URL "
                             "(several processes and hosts sharing one store).")(f)


def engine_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--workers / --engine / --scheduler: where cleaning, language id and signing run
    (this process always writes the store and embeds)."""
    f = click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Run the per-document stages on an existing Dask cluster "
                          "(e.g. tcp://10.0.0.5:8786); implies --engine dask.")(f)
    f = click.option("--engine", type=click.Choice(["processes", "dask"]), default=None,
                     help="processes (default): local worker processes; dask: a Dask "
                          "cluster (--scheduler, else a local one of --workers processes).")(f)
    return click.option("--workers", type=click.IntRange(min=0), default=None,
                        help="Worker processes for the per-document stages (default: one per "
                             "spare core; 0: all in this process).")(f)


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True,
                        help="Print machine-readable JSON instead of tables.")(f)


def quiet_option(f: Callable[..., Any]) -> Callable[..., Any]:
    # accepted by every command, so scripts can pass it uniformly
    return click.option("--quiet", "-q", is_flag=True, help="No progress bars.")(f)


@contextmanager
def edge() -> Iterator[None]:
    """Turn library errors into one clear line (click prints 'Error: ...', exit 1)."""
    try:
        yield
    except StorylineError as exc:
        raise click.ClickException(str(exc)) from None


class ArticleRateColumn(ProgressColumn):
    """Articles stored so far and articles per second (a file may hold many articles)."""

    def render(self, task: Task) -> Text:
        n = int(task.fields.get("articles", 0))
        rate = n / task.elapsed if task.elapsed else 0.0
        return Text(f"{n} articles {rate:5.1f}/s", style="progress.data.speed")


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Callable[[str, int, int | None], None] | None]:
    """One bar for the whole command: the stage running, files done of all, articles/s, ETA.

    Stages report ``(stage, done, total)``; ``("articles", n, None)`` only updates the count.
    """
    if quiet:
        yield None
        return
    bars = Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                    ArticleRateColumn(), TimeElapsedColumn(), TextColumn("eta"),
                    TimeRemainingColumn(), console=err, transient=False)
    task = bars.add_task("start", total=None, articles=0)

    def update(stage: str, done: int, total: int | None) -> None:
        if stage == "articles":
            bars.update(task, articles=done)
        else:
            bars.update(task, description=stage, completed=done, total=total)

    with bars:
        yield update


def dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# -- printing -----------------------------------------------------------------------------
def story_dict(s: Story) -> dict[str, Any]:
    return {"id": s.id, "headline": s.headline, "headlines": s.headlines,
            "languages": list(s.languages), "articles": s.size, "sources": list(s.sources),
            "first_date": s.first_date, "last_date": s.last_date,
            "article_ids": list(s.article_ids)}


def article_dict(a: Article) -> dict[str, Any]:
    d = asdict(a)
    d.pop("content_hash")
    return d


def print_report(report: IngestReport, as_json: bool) -> None:
    for n in report.notices:
        err.print(f"[yellow]warning[/]: {n.origin}: {n.message}", markup=True, highlight=False)
    for r in report.rejected:
        err.print(f"[red]rejected[/]: {r.origin}: {r.reason}", markup=True, highlight=False)
    c = report.counts()
    reasons = report.rejection_reasons()
    why = f" ({', '.join(f'{k}: {v}' for k, v in sorted(reasons.items()))})" if reasons else ""
    err.print(f"stored {c['stored']}, near-duplicates {c['near_duplicates']} (stored, linked), "
              f"duplicates {c['duplicates']}, unchanged {c['unchanged']}, "
              f"rejected {c['rejected']}{why}", highlight=False)


def report_dict(report: IngestReport) -> dict[str, Any]:
    return {**report.counts(),
            "rejections": [{"origin": r.origin, "reason": r.reason} for r in report.rejected],
            "warnings": [{"origin": n.origin, "message": n.message} for n in report.notices],
            "duplicates_of": [{"origin": o, "duplicate_of": d} for o, d in report.duplicates],
            "near_duplicates_of": [{"origin": o, "duplicate_of": d}
                                   for o, d in report.near_duplicates]}


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1].rstrip() + "…"


def print_stories(stories: list[Story]) -> None:
    table = Table(title=f"{len(stories)} stories", show_lines=False)
    for col in ("story", "headline", "languages", "articles", "sources", "first", "last"):
        table.add_column(col, overflow="fold", justify="right" if col == "articles" else "left")
    for s in stories:
        sources = ", ".join(s.sources[:2]) + (f" +{len(s.sources) - 2}" if len(s.sources) > 2
                                              else "")
        table.add_row(s.id, _short(s.headline, 56), ",".join(s.languages), str(s.size),
                      _short(sources, 26), s.first_date or "-", s.last_date or "-")
    out.print(table)


# -- commands -----------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storyline")
def main() -> None:
    """Storyline: group multilingual news articles into stories.

    \b
    Example:
      storyline run examples/sample --db news.db
      storyline stories --db news.db
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@engine_options
@json_option
@quiet_option
def run(paths: tuple[str, ...], db: str, workers: int | None, engine: str | None,
        scheduler: str | None,
        as_json: bool, quiet: bool) -> None:
    """Ingest PATHS (files or folders), then cluster and print the stories.

    \b
    Example:
      storyline run examples/sample ../more-news/ --db news.db
      storyline run incoming/ --db postgresql://storyline@dbhost/news --scheduler tcp://10.0.0.5:8786
    """
    with edge(), Storyline(db, workers=workers, engine=engine, scheduler=scheduler) as sl, \
            progress_bar(quiet or as_json) as bar:
        report = sl.add_paths(paths, progress=bar)
        stories = sl.cluster(progress=bar)
    if as_json:
        dump({"ingest": report_dict(report), "stories": [story_dict(s) for s in stories]})
        return
    print_report(report, as_json)
    print_stories(stories)


@main.command(name="ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
@engine_options
@json_option
@quiet_option
def ingest_cmd(paths: tuple[str, ...], db: str, workers: int | None, engine: str | None,
        scheduler: str | None,
               as_json: bool, quiet: bool) -> None:
    """Ingest PATHS into the database without clustering.

    \b
    Example:
      storyline ingest scraped/2026-03-14/ --db news.db
    """
    with edge(), Storyline(db, workers=workers, engine=engine, scheduler=scheduler) as sl, \
            progress_bar(quiet or as_json) as bar:
        report = sl.add_paths(paths, progress=bar)
    if as_json:
        dump(report_dict(report))
    else:
        print_report(report, as_json)


@main.command()
@db_option
@engine_options
@json_option
@quiet_option
def cluster(db: str, workers: int | None, engine: str | None,
        scheduler: str | None, as_json: bool,
            quiet: bool) -> None:
    """Embed new articles and re-cluster the whole database into stories.

    \b
    Example:
      storyline cluster --db news.db
    """
    with edge(), Storyline(db, create=False, workers=workers, engine=engine, scheduler=scheduler) as sl, \
            progress_bar(quiet or as_json) as bar:
        stories = sl.cluster(progress=bar)
    if as_json:
        dump([story_dict(s) for s in stories])
    else:
        print_stories(stories)


@main.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@db_option
@click.option("--interval", default=2.0, show_default=True, help="Seconds between scans.")
@click.option("--merge-every", default=60.0, show_default=True,
              help="Seconds between merge passes (stories that grew together).")
@click.option("--once", is_flag=True, help="Process what is there now, merge, and exit.")
@quiet_option
def watch(folder: str, db: str, interval: float, merge_every: float, once: bool,
          quiet: bool) -> None:
    """Watch FOLDER: place each new or changed file's articles in a story immediately.

    \b
    Example:
      storyline watch incoming/ --db news.db
    """
    import time

    seen: dict[str, tuple[float, int] | None] = {}
    last_merge = time.monotonic()
    with edge(), Storyline(db) as sl:
        try:
            while True:
                changed = []
                for p, key in snapshot(folder).items():  # any format, feeds and
                    if str(p) not in seen or seen[str(p)] != key:  # WARCs included
                        seen[str(p)] = key
                        changed.append(p)
                if changed:
                    report, placed = sl.add_articles(changed)
                    for r in report.rejected:
                        err.print(f"[red]rejected[/]: {r.origin}: {r.reason}", highlight=False)
                    for origin, original in report.duplicates:
                        out.print(f"duplicate {origin} of article {original}", highlight=False)
                    heads = {s.id: s.headline for s in sl.stories()}
                    for origin, sid in placed:
                        out.print(f"placed {origin} -> {sid}  {_short(heads.get(sid, ''), 60)}",
                                  highlight=False)
                if once or time.monotonic() - last_merge >= merge_every:
                    for absorbed, into in sl.merge_stories().items():
                        out.print(f"merged {absorbed} into {into}", highlight=False)
                    last_merge = time.monotonic()
                if once:
                    break
                time.sleep(interval)
        except KeyboardInterrupt:
            err.print("stopped", highlight=False)


@main.command()
@db_option
@json_option
@quiet_option
def stories(db: str, as_json: bool, quiet: bool) -> None:
    """List the stories in the database, largest first.

    \b
    Example:
      storyline stories --db news.db --json
    """
    with edge(), Storyline(db, create=False) as sl:
        found = sl.stories()
    if as_json:
        dump([story_dict(s) for s in found])
    else:
        print_stories(found)


@main.command()
@click.argument("story_id")
@db_option
@json_option
@quiet_option
def story(story_id: str, db: str, as_json: bool, quiet: bool) -> None:
    """Show one story: summary, timeline, key terms, coverage, related stories, and its
    articles grouped by language (--json: the story view dict, as Storyline.story_view).

    \b
    Example:
      storyline story s1a2b3c4d5 --db news.db
    """
    with edge(), Storyline(db, create=False) as sl:
        view = sl.story_view(story_id)
    by_lang: dict[str, list[dict[str, Any]]] = {}
    for a in view["articles"]:
        by_lang.setdefault(a["lang"], []).append(a)
    if as_json:
        dump({**view, "by_language": by_lang})
        return
    print_story_view(view, by_lang)


def print_story_view(view: dict[str, Any], by_lang: dict[str, list[dict[str, Any]]]) -> None:
    out.print(f"[bold]{view['headline']}[/]  ({view['id']}, {view['size']} articles, "
              f"{view['first_date'] or '?'} .. {view['last_date'] or '?'})", highlight=False)
    if view.get("summary"):
        out.print("\n[bold]Summary[/]", highlight=False)
        for item in view["summary"]:
            out.print(f"  - {item['text']}  [dim]({item['lang']}, {item['article_id']})[/]",
                      highlight=False)
    tl = view.get("timeline")
    if tl and tl["days"]:
        out.print(f"\n[bold]Timeline[/]  first {tl['first']}, peak {tl['peak']}, "
                  f"last {tl['last']}", highlight=False)
        for d in tl["days"]:
            langs = " ".join(f"{k}:{v}" for k, v in d["by_lang"].items())
            out.print(f"  {d['day']}  {'#' * d['count']:<10} {d['count']}  {langs}",
                      highlight=False)
        firsts = ", ".join(f"{k} {v['day']}" for k, v in tl["first_by_lang"].items())
        out.print(f"  first report per language: {firsts}", highlight=False)
    terms = view.get("key_terms")
    if terms:
        out.print("\n[bold]Key terms[/]", highlight=False)
        for lang, items in terms["by_lang"].items():
            out.print(f"  {lang}: " + ", ".join(t["term"] for t in items), highlight=False)
        if terms["shared_names"]:
            names = "; ".join(" / ".join(dict.fromkeys(f[0] for f in n["forms"].values() if f))
                              for n in terms["shared_names"])
            out.print(f"  shared names: {names}", highlight=False)
    cov = view.get("coverage")
    if cov:
        out.print("\n[bold]Coverage[/]" + (f"  (active {cov['window'][0]} .. {cov['window'][1]})"
                                            if cov.get("window") else ""), highlight=False)
        for kind in ("languages", "sources"):
            c = cov[kind]
            out.print(f"  {kind}: carried {', '.join(c['carried']) or '-'}; did not carry "
                      f"{', '.join(c['missing']) or '-'}; silent those days "
                      f"{', '.join(c['silent']) or '-'}", highlight=False)
    if view.get("related"):
        out.print("\n[bold]Related stories[/]", highlight=False)
        for r in view["related"]:
            out.print(f"  {r['score']:.2f}  {r['id']}  {r['headline']}", highlight=False)
    for lang, items in sorted(by_lang.items()):
        out.print(f"\n[bold]{lang}[/]  {view['headlines'].get(lang, '')}", highlight=False)
        for a in items:
            dup = f"  [dim](near-duplicate of {a['duplicate_of']})[/]" if a["duplicate_of"] else ""
            out.print(f"  - {a['title']}  [dim]{a['date'] or ''} {a['source'] or ''}[/]{dup}",
                      highlight=False)
            out.print(f"    {a['url'] or a['origin']}", highlight=False, style="dim")


@main.command()
@click.argument("query")
@click.option("--lang", default=None, help="Only articles in this language (ISO 639-1).")
@click.option("--source", default=None, help="Only articles from this source.")
@click.option("--from", "date_from", default=None, help="Only articles dated on/after (YYYY-MM-DD).")
@click.option("--to", "date_to", default=None, help="Only articles dated on/before (YYYY-MM-DD).")
@click.option("--mode", type=click.Choice(["fused", "keyword", "semantic"]), default="fused",
              show_default=True, help="Ranking: keyword (full text), semantic (any language) or both.")
@click.option("--limit", default=10, show_default=True, help="Stories to show.")
@db_option
@json_option
@quiet_option
def search(query: str, lang: str | None, source: str | None, date_from: str | None,
           date_to: str | None, mode: str, limit: int, db: str, as_json: bool,
           quiet: bool) -> None:
    """Search the stories for QUERY, in every language; results grouped by story.

    \b
    Example:
      storyline search "earthquake Izmir" --db news.db
      storyline search "Σεισμός" --lang en --from 2026-03-01 --json
    """
    with edge(), Storyline(db, create=False) as sl:
        results = sl.search(query, lang=lang, source=source, date_from=date_from,
                            date_to=date_to, limit=limit, mode=mode)
    if as_json:
        dump(results)
        return
    if not results:
        out.print("no matches", highlight=False)
    for r in results:
        out.print(f"[bold]{r['headline']}[/]  [dim]{r['story_id'] or '(no story)'}  "
                  f"score {r['score']:.4f}[/]", highlight=False)
        for a in r["articles"]:
            out.print(f"  - \\[{a['lang']}] {a['title']}  [dim]{a['source'] or ''} "
                      f"{a['date'] or ''} {a['id']}[/]", highlight=False)
            out.print(f"    {a['snippet']}", highlight=False, markup=False, style="dim")


@main.command(name="export")
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True, help="File format of the two tables.")
@db_option
@json_option
@quiet_option
def export_cmd(out_dir: str, fmt: str, db: str, as_json: bool, quiet: bool) -> None:
    """Export stories and articles (with story ids) into OUT_DIR: stories.FMT, articles.FMT.

    \b
    Example:
      storyline export out/ --format parquet --db news.db
      python -c "import pandas as pd; print(pd.read_parquet('out/articles.parquet'))"
    """
    with edge(), Storyline(db, create=False) as sl:
        written = sl.export(out_dir, fmt)
    if as_json:
        dump(written)
        return
    for name, info in written.items():
        out.print(f"{name}: {info['rows']} rows -> {info['path']}", highlight=False)


@main.command()
@click.option("--top", default=5, show_default=True, help="Stories listed per source.")
@db_option
@json_option
@quiet_option
def coverage(top: int, db: str, as_json: bool, quiet: bool) -> None:
    """The largest stories each source missed while it was publishing in their days.

    \b
    Example:
      storyline coverage --db news.db --top 3
    """
    with edge(), Storyline(db, create=False) as sl:
        gaps = sl.coverage_gaps(top=top)
    if as_json:
        dump(gaps)
        return
    for src, items in gaps.items():
        out.print(f"[bold]{src}[/] missed:", highlight=False)
        for s in items:
            out.print(f"  {s['size']:>3}  {s['id']}  {_short(s['headline'], 70)}  "
                      f"[dim]{','.join(s['languages'])}[/]", highlight=False)


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default: only this machine).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar="STORYLINE_TOKEN", default=None,
              help="Token that POST /api/v1/articles and the paste page require "
                   "(or env STORYLINE_TOKEN); without one, adding articles is refused.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(db: str, host: str, port: int, token: str | None, log_level: str) -> None:
    """Serve the web app and the REST API (/api/v1, schema at /openapi.json).

    \b
    Example:
      storyline serve --db news.db --port 8000
      STORYLINE_TOKEN=secret storyline serve --db news.db   # also accept new articles
    """
    try:
        from storyline.web.app import run as run_server
    except ImportError as exc:
        raise click.ClickException(f"the web app needs its extra ({exc.name} is missing): "
                                   "pip install 'storyline[web]'") from None
    if not db.startswith("postgresql://") and not Path(db).exists():
        raise click.ClickException(f"no database at {db}; run 'storyline run PATH --db {db}' "
                                   "first or pass --db")
    if token is not None and not token.strip():
        raise click.ClickException("--token is empty")
    err.print(f"Storyline at http://{host}:{port}/  (API: /api/v1, schema: /openapi.json; "
              f"adding articles {'needs the token' if token else 'disabled: no --token'})",
              highlight=False)
    run_server(db, host, port, token, log_level)


@main.command()
@click.argument("file", type=click.Path())
@click.option("--explain", is_flag=True, help="Also show each removed line and why.")
@json_option
def clean(file: str, explain: bool, as_json: bool) -> None:
    """Print the article extracted from FILE (a page dump, .html or .txt).

    \b
    Example:
      storyline clean scraped/page.txt --explain
    """
    from storyline.clean import DocumentCleaner
    from storyline.ingest import read_file

    docs = list(read_file(Path(file)))
    rejected = [d for d in docs if isinstance(d, Rejection)]
    if rejected:
        raise click.ClickException(f"{rejected[0].origin}: {rejected[0].reason}")
    cleaner = DocumentCleaner()
    results = []
    for doc in docs:
        if isinstance(doc, Notice):
            err.print(f"[yellow]warning[/]: {doc.origin}: {doc.message}", highlight=False)
            continue
        if isinstance(doc, RawDocument):
            results.append((doc.origin, cleaner.clean(doc).document))
    if as_json:
        dump([{"origin": o, "title": d.title, "date": d.date, "paragraphs": list(d.paragraphs),
               "removed": [{"text": r.text, "reason": r.reason} for r in d.removed]}
              for o, d in results])
        return
    for origin, d in results:
        if len(results) > 1:
            out.print(f"[dim]== {origin}[/]", highlight=False)
        out.print(f"[bold]{d.title or '(no title)'}[/]", highlight=False)
        if d.date:
            out.print(f"[dim]{d.date}[/]", highlight=False)
        for para in d.paragraphs:
            out.print(f"\n{para}", highlight=False, markup=False)
        if explain and d.removed:
            out.print(f"\n[bold]removed ({len(d.removed)} lines)[/]", highlight=False)
            for r in d.removed:
                out.print(f"  [red]{r.reason:<16}[/] ", end="", highlight=False)
                out.print(r.text, highlight=False, markup=False)


@main.group(name="eval")
def eval_group() -> None:
    """Score Storyline on a labelled benchmark file."""


@eval_group.command(name="textclean")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--rules-only", is_flag=True, help="Without the learned line model.")
@click.option("--cv", is_flag=True,
              help="Cross-validate instead: retrain the line model on 4/5 of the sites (all their "
                   "pages, in every file given) and clean the other 1/5, five times; a fixed fifth "
                   "of the sites is held out and scored apart (the honest figures for training files).")
@click.option("--html", "html_dir", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of <id>.html originals: also score word overlap with trafilatura's "
                   "extraction of each page's HTML, computed in this run.")
@json_option
def eval_textclean(files: tuple[str, ...], rules_only: bool, cv: bool, html_dir: str | None,
                   as_json: bool) -> None:
    """Score the text cleaner on files like ../shared/bench/textclean/dev.jsonl.

    Snippet precision/recall/F1 (the benchmark's rule); word-overlap precision/recall/F1 against
    a page's gold ``article`` text and its ``reference`` text (or trafilatura on --html) when
    present. Several files are scored one by one (e.g. renderings of the same pages, see
    scripts/render_textclean.py). The shipped line model was trained on the dev pages, so
    plain scores on them are in-sample; use --cv there.

    \b
    Examples:
      storyline eval textclean my_pages.jsonl
      storyline eval textclean ../shared/bench/textclean/dev.jsonl --html ../shared/bench/textclean/html
      storyline eval textclean ~/.cache/storyline/textclean/{shipped,w3m,lynx}.jsonl --cv
    """
    from storyline.clean.text import TextCleaner
    from storyline.evaluate import score_textclean

    try:
        if cv:
            from storyline.clean import learn

            rec = learn.train(list(files), cv=True).record
            scores: dict = {k: rec[k] for k in ("cross_validated", "held_out", "held_out_rules_only")
                            if k in rec}
        else:
            cleaner = TextCleaner(learned=not rules_only)
            scores = {f: score_textclean(f, cleaner, html_dir) for f in files}
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{', '.join(files)}: not a textclean benchmark file ({exc})") from None
    if as_json:
        dump(scores if len(scores) > 1 or cv else next(iter(scores.values())))
        return
    for name, sc in scores.items():
        parts = sc.get("renderings") or {"": sc}
        for rendering, r in parts.items():
            label = f"{name} {rendering}".strip() if cv else name
            speed = f"  ({r['pages_per_second']:.0f} pages/s)" if "pages_per_second" in r else ""
            out.print(f"{label}: {_prf_text(r)}{speed}", highlight=False)
            for key in ("words", "words_article", "words_reference"):
                if key in r:
                    out.print(f"  word overlap ({key.removeprefix('words_') if '_' in key else 'reference'}):"
                              f" {_prf_text(r[key])}", highlight=False)
        if "spread" in sc:
            out.print(f"{name}: all {_prf_text(sc)}  spread of F1 across renderings {sc['spread']:.3f}",
                      highlight=False)


def _figure(x: float | None) -> str:
    """A score to three places, "-" where it is undefined (None or NaN)."""
    return "-" if x is None or x != x else f"{x:.3f}"


def _prf_text(scores: dict) -> str:
    return f"precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  F1 {scores['f1']:.3f}"


def _train_and_save(files: tuple[str, ...], train, target: str, as_json: bool) -> dict | None:
    """Run ``train()`` on textclean ``files`` (a clear error when they are not such files), save
    the model to ``target``; its record, or None when it was printed as JSON."""
    try:
        model = train()
    except (ValueError, KeyError) as exc:
        raise click.ClickException(f"{', '.join(files)}: not a textclean benchmark file ({exc})") from None
    model.save(target)
    if as_json:
        dump({**model.record, "model": target})
        return None
    return model.record


@main.command(name="train-textclean")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Model file to write (default: the one shipped in the package).")
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold cross-validation (faster).")
@click.option("--all-sites", is_flag=True,
              help="Train on every page, the held-out fifth of the sites included (no held-out score).")
@click.option("--fit-on", default=None,
              help="Comma-separated renderings (file stems: shipped, w3m, ...) the model learns from; "
                   "all files are still scored. Default: all.")
@json_option
def train_textclean(files: tuple[str, ...], out_path: str | None, no_cv: bool, all_sites: bool,
                    fit_on: str | None, as_json: bool) -> None:
    """Retrain the text cleaner's line model on snippet-labelled pages (deterministic).

    Give the dev file, or several renderings of its pages (scripts/render_textclean.py writes
    them: shipped, w3m, lynx, html2text); one model learns from all of them.

    \b
    Examples:
      storyline train-textclean ../shared/bench/textclean/dev.jsonl
      storyline train-textclean ~/.cache/storyline/textclean/{shipped,w3m,lynx,html2text}.jsonl
      storyline train-textclean ~/.cache/storyline/textclean/{shipped,w3m,lynx,html2text}.jsonl --fit-on shipped
      # the shipped model (learns from three renderings, every site; C=~/.cache/storyline/textclean):
      storyline train-textclean $C/{shipped,w3m,lynx,html2text}.jsonl --fit-on shipped,w3m,lynx --all-sites
    """
    from storyline.clean import learn
    from storyline.clean.linemodel import MODEL_PATH

    target = out_path or str(MODEL_PATH)
    rec = _train_and_save(files, lambda: learn.train(list(files), cv=not no_cv, hold_out=not all_sites,
                                                     fit_on=fit_on.split(",") if fit_on else None), target, as_json)
    if rec is None:
        return
    out.print(f"trained on {rec['training_pages']} pages ({rec['labelled_lines']} labelled lines) -> {target}",
              highlight=False)
    for name in ("rules_only", "cross_validated", "held_out", "held_out_rules_only", "in_sample"):
        if name in rec:
            out.print(f"{name.replace('_', ' ')}: {_prf_text(rec[name])}", highlight=False)
            for rendering, r in rec[name].get("renderings", {}).items():
                out.print(f"  {rendering}: {_prf_text(r)}", highlight=False)


@main.command(name="train-headline")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--html", "html_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of the pages' HTML (<id>.html), which labels each page's headline.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Model file to write (default: the one shipped in the package).")
@click.option("--all-sites", is_flag=True,
              help="Train on every page, the held-out fifth of the sites included (no held-out score).")
@json_option
def train_headline(files: tuple[str, ...], html_dir: str, out_path: str | None, all_sites: bool,
                   as_json: bool) -> None:
    """Retrain the text cleaner's headline model on rendered pages and their HTML (deterministic).

    A page's headline is its title as trafilatura reads the HTML's metadata, or one of its
    <h1> elements; the model learns which line of the text dump it is.

    \b
    Example (C=~/.cache/storyline/textclean, from scripts/render_textclean.py):
      storyline train-headline $C/{shipped,w3m,lynx,html2text}.jsonl --html ../shared/bench/textclean/html
    """
    from storyline.clean import headline

    target = out_path or str(headline.MODEL_PATH)
    rec = _train_and_save(files, lambda: headline.train(list(files), html_dir, hold_out=not all_sites), target, as_json)
    if rec is None:
        return
    out.print(f"trained on {rec['pages']} pages in {rec['seconds']} s -> {target}", highlight=False)
    out.print("share of pages whose headline is right (rules' title -> model; reachable: some candidate is)",
              highlight=False)
    for name, base in (("cross_validated", "rules_title"), ("held_out", "held_out_rules_title")):
        for rendering, r in rec.get(name, {}).items():
            out.print(f"  {name.replace('_', ' ')}, {rendering}: {rec[base][rendering]['right']:.3f} -> "
                      f"{r['right']:.3f} (reachable {r['reachable']:.3f}, {r['pages']} pages)", highlight=False)


@main.command()
@click.argument("a", type=click.Path())
@click.argument("b", type=click.Path())
@json_option
def similarity(a: str, b: str, as_json: bool) -> None:
    """How alike are articles A and B (any languages)? Scale 1 (same story) .. 4.

    \b
    Example:
      storyline similarity report_ar.txt report_el.html
    """
    with edge(), Storyline(":memory:") as sl:
        score = sl.similarity(a, b)
    if as_json:
        dump({"similarity": score.similarity, "probability_same_story": score.probability,
              "same_story": score.same_story, "features": score.features})
        return
    verdict = "same story" if score.same_story else "different stories"
    out.print(f"similarity {score.similarity:.2f} (1 = same story .. 4 = unrelated)  "
              f"P(same story) {score.probability:.2f}  -> {verdict}", highlight=False)


@main.command(name="train-similarity")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), default=None,
              help="Model file to write (default: the one shipped in the package).")
@click.option("--cache", type=click.Path(file_okay=False), default=None,
              help="Embedding cache folder (default ~/.cache/storyline or $STORYLINE_CACHE).")
@json_option
@quiet_option
def train_similarity(file: str, out_path: str | None, cache: str | None, as_json: bool,
                     quiet: bool) -> None:
    """Retrain the same-story scorer on a SemEval-format pair file (deterministic).

    \b
    Example:
      storyline train-similarity ../shared/bench/similarity/train.jsonl
    """
    from importlib import resources

    from storyline.embed import get_embedder
    from storyline.training import train

    target = out_path or str(resources.files("storyline").joinpath("data", "scorer.json"))
    with edge(), progress_bar(quiet or as_json) as bar:
        result = train(file, get_embedder(), target, Path(cache) if cache else None,
                       progress=bar)
    rec = result["record"]
    if as_json:
        dump({**rec, "model": target})
        return
    out.print(f"trained on {rec['pairs']} pairs -> {target}", highlight=False)
    out.print(f"Pearson, grouped 5-fold CV: {rec['cv_pearson_grouped_5fold']:.3f}; "
              f"leave-one-language-pair-out: "
              f"{rec['cv_pearson_leave_one_language_pair_out']:.3f}; "
              f"zero-shot centred cosine: {rec['baseline_centred_cosine_pearson']:.3f}",
              highlight=False)
    ss = rec["cv_leave_one_language_pair_out_same_story"]
    out.print(f"leave-one-language-pair-out same story at P > 0.5: precision "
              f"{_figure(ss['precision'])} recall {_figure(ss['recall'])}; "
              f"ECE {rec['cv_leave_one_language_pair_out_ece']:.3f}; views {rec['views']}",
              highlight=False)


@eval_group.command(name="clusters")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--cache", type=click.Path(file_okay=False), default=None,
              help="Embedding cache folder.")
@json_option
@quiet_option
def eval_clusters(file: str, cache: str | None, as_json: bool, quiet: bool) -> None:
    """Cluster a labelled file like ../shared/bench/clustering/ecbplus_dev.jsonl, batch and
    streaming; print B-cubed precision/recall/F1 and V-measure.

    \b
    Example:
      storyline eval clusters ../shared/bench/clustering/ecbplus_dev.jsonl
    """
    from storyline.evaluate import evaluate_clusters

    with edge(), progress_bar(quiet or as_json) as bar:
        try:
            res = evaluate_clusters(file, cache=Path(cache) if cache else None, progress=bar)
        except ValueError as exc:
            raise click.ClickException(f"{file}: {exc}") from None
    if as_json:
        dump(res)
        return
    table = Table(title=f"{res['documents']} documents, {res['gold_clusters']} gold clusters")
    for col in ("mode", "B³ precision", "B³ recall", "B³ F1", "V-measure", "clusters", "s"):
        table.add_column(col, justify="left" if col == "mode" else "right")
    for mode in ("batch", "stream"):
        m = res[mode]
        table.add_row(mode, f"{m['bcubed_precision']:.3f}", f"{m['bcubed_recall']:.3f}",
                      f"{m['bcubed_f1']:.3f}", f"{m['v_measure']:.3f}", str(m["clusters"]),
                      f"{m['seconds']:.2f}")
    out.print(table)


@eval_group.command(name="similarity")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Scorer file (default: the shipped one).")
@click.option("--cache", type=click.Path(file_okay=False), default=None,
              help="Embedding cache folder.")
@json_option
@quiet_option
def eval_similarity(file: str, model: str | None, cache: str | None, as_json: bool,
                    quiet: bool) -> None:
    """Score the scorer on a pair file like ../shared/bench/similarity/train.jsonl.

    Prints Pearson of similarity vs -overall, overall and per language pair, and the
    same-story (overall < 2.5) precision/recall/F1. The zero-shot baseline is the centred
    full-text cosine (rescaled by language-pair alignment, as the scorer sees it).

    \b
    Example:
      storyline eval similarity pairs.jsonl
    """
    from storyline.embed import get_embedder
    from storyline.scorer import SameStoryScorer
    from storyline.training import load_pair_set, report

    with edge(), progress_bar(quiet or as_json) as bar:
        try:
            scorer = SameStoryScorer.load(model)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        data = load_pair_set(file, get_embedder(), Path(cache) if cache else None, bar,
                             priors=scorer.priors_, doc_freq=scorer.doc_freq_,
                             alignment_ref=scorer.alignment_ref_, features=scorer.features)
        route = data.route(scorer)
        x = data.columns(scorer.features)
        rep = report(-scorer.overall(x, route), scorer.probability(x, route), data)
        base = report(data.columns(["cos_full"])[:, 0], None, data)
    rep["baseline_centred_cosine_pearson"] = base["pearson"]
    if as_json:
        dump(rep)
        return
    table = Table(title=f"{rep['pairs']} pairs: Pearson {_figure(rep['pearson'])} "
                        f"(zero-shot centred cosine {_figure(base['pearson'])})")
    for col in ("language pair", "pairs", "Pearson", "cosine baseline", "P", "R", "ECE"):
        table.add_column(col, justify="left" if col == "language pair" else "right")
    for lp, v in rep["per_pair"].items():
        table.add_row(lp, str(v["n"]), _figure(v["pearson"]), _figure(base["per_pair"][lp]["pearson"]),
                      _figure(v["precision"]), _figure(v["recall"]), _figure(v["ece"]))
    out.print(table)
    ss = rep["same_story"]
    out.print(f"same story (overall < 2.5, P > 0.5): precision {_figure(ss['precision'])}  "
              f"recall {_figure(ss['recall'])}  F1 {_figure(ss['f1'])}  ECE {rep['ece']:.3f}",
              highlight=False)
    if any(v is None for row in rep["per_pair"].values() for v in row.values()):
        out.print("-: undefined (a language pair without same-story pairs has no recall, one "
                  "the scorer never calls the same story no precision)", highlight=False)
    out.print("reliability: " + "  ".join(
        f"[{b['bin'][0]:.1f},{b['bin'][1]:.1f}) n={b['n']} P={b['mean_probability']:.2f} "
        f"rate={b['same_rate']:.2f}" for b in rep["reliability"]), highlight=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
