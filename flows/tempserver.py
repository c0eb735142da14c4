"""A one-shot ``wirewash run``'s temporary Prefect server, started before Prefect is even imported.

Without a ``PREFECT_API_URL`` Prefect starts a temporary server (a uvicorn subprocess) at the flow's
first API call; it boots in 4-5 s of CPU. ``launch()`` starts the same server, with the same command and
environment as Prefect's ``SubprocessASGIServer``, as the run's first act, so its boot overlaps the whole
import of Prefect and the flow (~3 s) instead of following the import of Prefect's server module (~1.5 s)
in this process. ``use()`` then points the flow at it (``PREFECT_API_URL`` for this run, and for its
worker processes through the settings Prefect hands them), or drops it when Prefect's settings name a
server after all (a profile's ``PREFECT_API_URL``, which only importing Prefect can tell). The server is
stopped at exit, after Prefect's own exit handlers (they flush the run's last events and logs to it).

For a server that lives one run, ``use()`` also turns off the flow-run heartbeat: it exists to let a
lasting server notice a crashed run, and stopping its thread costs up to a second at the end of the run.
Runs against a configured server (``wirewash serve``, ``PREFECT_API_URL``) keep it.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["TemporaryServer"]

# What Prefect's SubprocessASGIServer sets for its temporary server: no UI, ephemeral-mode services only.
SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
PORT_IN_USE = 3  # uvicorn's exit code when it cannot bind: Prefect's server then tries another port


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prefect_dir() -> str:
    """The folder holding the ``prefect`` package (uvicorn's ``--app-dir``), found without importing it."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


class TemporaryServer:
    """One uvicorn process serving Prefect's API on a free loopback port, for this process's run."""

    def __init__(self) -> None:
        self.env = {**os.environ, **SERVER_ENV}
        self.port = _free_port()
        self.process: subprocess.Popen | None = self._popen()
        self.ready = False
        atexit.register(self.stop)  # registered before Prefect's handlers, so it runs after them

    @classmethod
    def launch(cls) -> TemporaryServer | None:
        """Start the server now, unless the environment names one (``PREFECT_API_URL``) or Prefect is
        already imported (a caller inside Python: its settings decide, see ``use``)."""
        if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
            return None
        return cls()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _popen(self) -> subprocess.Popen:
        app = ["--app-dir", _prefect_dir(), "--factory", "prefect.server.api.server:create_app"]
        bind = ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "error", "--lifespan", "on"]
        return subprocess.Popen([sys.executable, "-m", "uvicorn", *app, *bind], env=self.env)

    def wait_ready(self, timeout: float) -> None:
        """Return once the API answers its health check; raise if it has not within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never a proxy
        while not self.ready:
            if self.process is None:
                raise RuntimeError("the temporary Prefect server was stopped")
            code = self.process.poll()
            if code == PORT_IN_USE:  # another process took the port between our probe and uvicorn's bind
                self.port = _free_port()
                self.process = self._popen()
            elif code is not None:
                raise RuntimeError(f"the temporary Prefect server exited with code {code}")
            health = f"{self.api_url}/health"
            with contextlib.suppress(OSError), direct.open(health, timeout=2) as response:
                self.ready = response.status == 200
            if not self.ready:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the temporary Prefect server did not start within {timeout:.0f} s")
                time.sleep(0.05)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @contextlib.contextmanager
    def use(self) -> Iterator[TemporaryServer | None]:
        """Inside this block the flow talks to this server, or, when Prefect's settings name a server or
        forbid a temporary one, to whatever Prefect would use without it (this server is then stopped).

        The URL goes into the environment and Prefect's process-wide settings, not only the current
        context's: Prefect's own threads (the process pool's event forwarder) start without the
        context, and would otherwise start a temporary server of their own."""
        import prefect.context
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
            get_current_settings,
            temporary_settings,
        )

        if PREFECT_API_URL.value() or not get_current_settings().server.ephemeral.enabled:
            self.stop()
            yield None
            return
        self.wait_ready(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
        # no UI on this server (Prefect's temporary one has none): no "View at" link to it in the log
        env = {"PREFECT_API_URL": self.api_url, "PREFECT_UI_URL": ""}
        before = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        prefect.context.refresh_global_settings_context()
        try:
            with temporary_settings({PREFECT_API_URL: self.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                yield self
        finally:
            for key, value in before.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            prefect.context.refresh_global_settings_context()
