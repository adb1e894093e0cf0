"""Web edge: serving under gunicorn (sync workers, app built in each worker after fork) and a WSGI factory."""

from __future__ import annotations

import gc

from gunicorn.app.base import BaseApplication

from ..config import ENV_CONFIG, ENV_INDEX, Settings, resolve_settings

# Young-generation threshold of the worker's collector (CPython's default 700). A request allocates thousands of
# container objects that live a while (the cached page's hits and facet values, the caches' entries), so at 700
# the collector ran every few requests and walked them again: 373 ms of CPU over 1,500 distinct requests in one
# process, 26 pauses over 5 ms. At 5,000: 209 ms, with 15 (scratch probe, /work/notes/lead/s8/gcprobe.py).
GC_YOUNG_THRESHOLD = 5000

__all__ = ["ENV_CONFIG", "ENV_INDEX", "SearchApplication", "create_app_from_env", "gunicorn_options", "run_gunicorn"]


class SearchApplication(BaseApplication):
    """gunicorn application holding the Settings object explicitly; workers inherit it when forked and each
    builds its own Flask app (and so its own SearchService) in load(), since preload_app stays off."""

    def __init__(self, settings: Settings, options: dict):
        self.settings = settings
        self.options = options
        super().__init__(prog="searchsvc serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app
        return warm_up(create_app(self.settings))


def warm_up(app):
    """Open the index and load its tables in this worker before the first request (about 1-2 s on the
    shared corpus), so no user pays for it. A missing index is not an error here: requests get a 503.
    Then every object made so far (modules, the open generation's tables) is frozen out of the cyclic garbage
    collector: they live as long as the worker, and each full collection walked all of them again (0.1-0.2 s
    on a loaded machine, every few hundred requests, a pause for every request waiting on that worker), and the
    young generation is collected less often (GC_YOUNG_THRESHOLD)."""
    from ..errors import SearchsvcError
    from ..models import SearchRequest
    from . import get_service
    try:
        get_service(app).search(SearchRequest(q="warm up"))
    except SearchsvcError:
        pass
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    return app


def gunicorn_options(settings: Settings, bind: str | None = None, workers: int | None = None) -> dict:
    """gunicorn settings from config.toml [server], overridden by the command line."""
    return {
        "bind": [bind or settings.server.bind],
        "workers": workers or settings.server.workers,
        "worker_class": "sync",
        "timeout": settings.server.timeout,
        "graceful_timeout": 10,
        "preload_app": False,            # every worker opens its own searcher after fork
        "control_socket_disable": True,  # no shared ~/.gunicorn socket between several servers
        "accesslog": "-",
        "errorlog": "-",
        "limit_request_line": 8190,
        "limit_request_fields": 64,
        "proc_name": "searchsvc",
    }


def run_gunicorn(settings: Settings, bind: str | None = None, workers: int | None = None) -> None:
    """Serve until stopped (SIGINT/SIGTERM)."""
    SearchApplication(settings, gunicorn_options(settings, bind, workers)).run()


def create_app_from_env():
    """For a plain gunicorn command: `gunicorn 'searchsvc.web.wsgi:create_app_from_env()'`.
    The settings are the CLI's: $SEARCHSVC_CONFIG, else ./config.toml if present, else built-in defaults; the
    index from $SEARCHSVC_INDEX when set."""
    from . import create_app
    return warm_up(create_app(resolve_settings().settings))
