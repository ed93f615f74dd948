"""The store package: the only place that writes SQL.

`core` opens, migrates, loads and publishes; the read side for reports, search and
exports lives in sibling modules. Schema and views are the numbered files in migrations/.
"""

from .core import LoadResult, Store

__all__ = ["LoadResult", "Store"]
