"""The JSON serializer of requests in the shared Redis frontier (scrapy-redis' SCHEDULER_SERIALIZER).

scrapy-redis' own `json` option cannot write a request's body or headers (bytes) and pickle is no
format to share between machines, so this module writes bytes as `{"$b": "<base64>"}`, tuples as
lists and dictionaries with non-string keys (headers) as `{"$d": [[key, value], ...]}`.
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _encode(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: _encode(item) for key, item in value.items()}
        return {"$d": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if isinstance(value, list | tuple | set | frozenset):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot put a {type(value).__name__} into the shared frontier: {value!r:.80}")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$b"}:
            return base64.b64decode(value["$b"])
        if set(value) == {"$d"}:
            return {_decode(key): _decode(item) for key, item in value["$d"]}
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


def dumps(obj: dict[str, Any]) -> str:
    """A request dict (`Request.to_dict`) as one JSON line."""
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":"))


def loads(data: str | bytes) -> dict[str, Any]:
    """The request dict `dumps` wrote (for `request_from_dict`)."""
    return _decode(json.loads(data))
