"""Progress of a budgeted backfill (`komo crawl|update --budget N`): what is stored, what the archive
holds by the listing pages read so far, and how many nights remain at this budget."""

from __future__ import annotations

import math
from typing import Any


def backfill_progress(budget: dict[str, Any], stored: int) -> dict[str, Any]:
    """From the spider's budget figures (crawler/spiders/press.py) and the documents stored for the
    source: stored, estimated_total, nights_to_go, budget, complete.

    The archive's size is estimated from the listing pages: entries per page read times the listing
    pages known (exact once every listing page was read). A night's budget first pays for the
    listing pages and the re-check window; the rest fetches articles."""
    read = max(1, int(budget.get("listing_pages_read", 0)))
    known = max(read, int(budget.get("listing_pages_known", 0)))
    entries = int(budget.get("listing_entries", 0))
    complete = not budget.get("exhausted")
    estimated = entries if complete or read >= known else round(entries / read * known)
    estimated = max(estimated, stored)
    per_night = int(budget["budget"]) - known - int(budget.get("recheck", 0))
    remaining = max(0, estimated - stored)
    if complete:
        nights: int | None = 0
    else:
        nights = max(1, math.ceil(remaining / per_night)) if per_night > 0 else None
    return {"stored": stored, "estimated_total": estimated, "nights_to_go": nights, "budget": int(budget["budget"]),
            "complete": complete, "articles_per_night": max(0, per_night)}


def progress_text(progress: dict[str, Any]) -> str:
    """`12,400 of ~45,000 articles, 3 nights to go at this budget`."""
    if progress["complete"]:
        return f"backfill complete: {progress['stored']:,} articles"
    head = f"{progress['stored']:,} of ~{progress['estimated_total']:,} articles"
    nights = progress["nights_to_go"]
    if nights is None:
        return (f"{head}; the budget of {progress['budget']:,} requests does not cover the listing pages and "
                "re-checks: raise --budget")
    return f"{head}, {nights} night{'s' if nights != 1 else ''} to go at this budget"
