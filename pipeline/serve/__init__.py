"""`komo serve`: the published snapshot as a read-only local web app (search, topics, documents,
lists, alert feeds), server-rendered HTML without any script."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kommunalmonitor.core.home import Home

from .app import create_app

__all__ = ["create_app", "run"]


def run(home: Home, host: str = "127.0.0.1", port: int = 8080, timeout: float = 20.0, loopback_only: bool = True,
        ready: Callable[[str], Any] | None = None) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM). `ready` is told the URL once the socket listens."""
    import uvicorn

    app = create_app(home, timeout=timeout, loopback_only=loopback_only)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                            server_header=False, proxy_headers=False, lifespan="off")
    shown = f"[{host}]" if ":" in host else host

    class _Announcing(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and ready:
                ready(f"http://{shown}:{port}/")

    server = _Announcing(config)
    try:
        server.run()
    finally:
        app.state.pool.close()
    if not server.started:
        from kommunalmonitor.core.errors import KomoError

        raise KomoError(f"cannot listen on {shown}:{port} (in use by another program?); choose another --port")
