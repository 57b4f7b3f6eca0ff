"""Shared fixtures: a real ``redis-server`` for the Redis index tests, and restart
sentinels kept out of the home directory.

The Redis tests run against the real server (the Debian package), never only against
fakeredis: persistence, restarts and lost connections are what they are about.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1, killed by pid.

    AOF on with ``appendfsync always`` (so a ``kill -9`` loses nothing a client was told
    is written) and RDB snapshots off, unless ``persistent=False`` (then neither).
    """

    def __init__(self, directory: Path, *, persistent: bool = True) -> None:
        self.port = _free_port()
        self.directory = directory
        self.persistent = persistent
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def url(self, prefix: str) -> str:
        return f"redis://{HOST}:{self.port}/0?prefix={prefix}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        options = {
            "bind": HOST,
            "port": str(self.port),
            "dir": str(self.directory),
            "appendonly": "yes" if self.persistent else "no",
            "appendfsync": "always",
            "save": "",
            "daemonize": "no",
            "logfile": str(self.directory / "redis.log"),
        }
        argv = ["redis-server"]
        for name, value in options.items():
            argv += [f"--{name}", value]
        self.process = subprocess.Popen(
            argv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self._answers_ping():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = self.directory / "redis.log"
                tail = log.read_text()[-2000:] if log.exists() else ""
                self.kill()
                raise RuntimeError(f"redis-server on port {self.port} did not start:\n{tail}")
            time.sleep(0.02)

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """``kill -9``: no shutdown, no final save."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def restart(self, *, empty: bool = False) -> None:
        """Kill -9 and start again on the same port: the AOF is replayed, or with
        ``empty`` a fresh directory and no persistence (a server that forgot everything)."""
        self.kill()
        if empty:
            self.directory = self.directory.with_name(self.directory.name + "-empty")
            self.persistent = False
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def _need_redis_server() -> None:
    """Skip without redis-server, except where the run demands the real thing (``make
    test`` sets DEDUP_REQUIRE_REDIS=1), so CI cannot pass on skipped Redis tests."""
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("DEDUP_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A real redis-server for the whole session (AOF on, free port, temp dir)."""
    _need_redis_server()
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """``redis://127.0.0.1:PORT/0?prefix=…`` on the session server, a fresh prefix per test."""
    return redis_server.url(f"t-{uuid.uuid4().hex[:12]}")


@pytest.fixture
def start_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., RedisServer]]:
    """Start private servers (``start_redis(persistent=True)``) for tests that kill,
    restart or empty them; all are stopped when the test ends."""
    _need_redis_server()
    started: list[RedisServer] = []

    def start(*, persistent: bool = True) -> RedisServer:
        server = RedisServer(tmp_path_factory.mktemp("redis-private"), persistent=persistent)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture(autouse=True)
def _state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Restart sentinels (``DEDUP_STATE_DIR``) in a temp dir per test, never in ~."""
    monkeypatch.setenv("DEDUP_STATE_DIR", str(tmp_path_factory.mktemp("state")))
