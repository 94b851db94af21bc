"""Story-view checks over a database: summary sentences verbatim in the articles they cite,
the seeds' key terms, and coverage per story (the figures of BENCHMARKS.md, issue 13).

    storyline run examples/sample ../shared/seeds/*.txt --db /tmp/views.db --quiet
    python benchmarks/check_views.py /tmp/views.db
"""

from __future__ import annotations

import sys
import time

from storyline import Storyline


def main(db: str) -> int:
    with Storyline(db, create=False) as sl:
        arts = {a.id: a for a in sl.articles()}
        total = verbatim = 0
        t0 = time.perf_counter()
        views = [sl.story_view(s.id) for s in sl.stories()]
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        for s in sl.stories():
            sl.story_view(s.id)
        again = time.perf_counter() - t0
        for v in views:
            items = v["summary"] + [i for x in v["summary_by_lang"].values() for i in x]
            for item in items:
                total += 1
                verbatim += item["text"] in arts[item["article_id"]].text
            cov = v["coverage"]
            print(f"{v['id']} {v['headline'][:50]!r}: {len(v['summary'])} summary sentences; "
                  f"not carried by languages {cov['languages']['missing']} (active) "
                  f"{cov['languages']['silent']} (silent); sources missing "
                  f"{cov['sources']['missing']}")
            if any("seeds" in arts[a["id"]].origin for a in v["articles"]):
                for lang, terms in v["key_terms"]["by_lang"].items():
                    print(f"   key terms {lang}: {[t['term'] for t in terms]}")
                print("   shared names:", [n["forms"] for n in v["key_terms"]["shared_names"][:6]])
                for item in v["summary"]:
                    print(f"   summary [{item['lang']}] {item['text'][:110]}")
        print(f"{verbatim}/{total} summary sentences verbatim in the article they cite; "
              f"{len(views)} stories: {first:.1f} s for all views the first time "
              f"(sentences embedded), {again:.1f} s the second time (cached)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
