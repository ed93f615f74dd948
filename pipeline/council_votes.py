"""Votes of council minutes into the store: every agenda item (SessionNet or OParl) whose current
version the vote parser has not read is read (crawler/votes.py) after its crawl is loaded.

Votes are derived data: a later run re-reads items whose text changed or all of them when the
parser or its lexicon (data/lexicons/votes.toml) changed, so editing the lexicon needs no recrawl.
"""

from __future__ import annotations

from typing import Any

from kommunalmonitor.crawler.votes import VoteParser, item_text, parser_version

from .store import Store
from .store import votes as vote_store


def refresh_votes(store: Store, sources: list[str], run_id: int | None = None, batch: int = 5000) -> dict[str, int]:
    """Read the votes of every agenda item of `sources` not read in its current version; returns
    how many items were read and votes found."""
    version = parser_version()
    parser = VoteParser()
    items = vote_store.items_to_read(store.con, sources, version)
    found = 0
    for start in range(0, len(items), batch):
        reads: list[tuple[str, str, str, int]] = []
        rows: list[dict[str, Any]] = []
        for source, item_id, content_hash, result, vote_field, minutes in items[start:start + batch]:
            votes = parser.parse(item_text(result, vote_field, minutes))
            reads.append((source, item_id, content_hash, len(votes)))
            for position, vote in enumerate(votes, 1):
                rows.append({"source": source, "agenda_item": item_id, "position": position, "main": vote.main,
                             "motion": vote.motion, "result": vote.result, "unanimous": vote.unanimous,
                             "yes": vote.yes, "no": vote.no, "abstain": vote.abstain,
                             "factions": [f.to_dict() for f in vote.factions], "sentence": vote.sentence,
                             "item_hash": content_hash})
        with store.transaction():
            vote_store.replace_votes(store.con, reads, rows, version, run_id)
        found += len(rows)
    return {"items_read": len(items), "votes_found": found}
