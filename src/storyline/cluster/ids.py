"""Stable story ids: a re-clustered story keeps the id of the old story it overlaps most."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence


def new_story_id(members: Sequence[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()
    return f"s{digest[:10]}"


def assign_story_ids(
    clusters: Sequence[Sequence[str]], previous: Mapping[str, str],
) -> dict[str, list[str]]:
    """Map each cluster (a list of article ids) to a story id.

    Greedy by overlap: the pair (cluster, old story) sharing most articles is matched first;
    each old id is given out once. Unmatched clusters get an id derived from their members.
    """
    overlaps: list[tuple[int, int, str]] = []
    for k, members in enumerate(clusters):
        counts = Counter(previous[a] for a in members if a in previous)
        overlaps.extend((n, k, sid) for sid, n in counts.items())
    overlaps.sort(key=lambda t: (-t[0], t[1], t[2]))
    taken_ids: set[str] = set()
    result: dict[int, str] = {}
    for _, k, sid in overlaps:
        if k not in result and sid not in taken_ids:
            result[k] = sid
            taken_ids.add(sid)
    out: dict[str, list[str]] = {}
    for k, members in enumerate(clusters):
        found = result.get(k)
        sid = found if found is not None else new_story_id(members)
        if found is None:
            while sid in taken_ids or sid in out:  # astronomically rare; keep ids unique
                sid = new_story_id([*members, sid])
        out[sid] = list(members)
    return out
