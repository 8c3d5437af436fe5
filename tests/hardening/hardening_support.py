"""Shared tools of the hardening suite: the CLI as a user runs it, and small packs collected for real.

`collect_pack` runs the real stages on a few collectors only: collectors one at a time (so botocore
Stubber queues are answered in a known order), each snapshot written as it is taken, then
collection.json, evaluation against a one-framework file and, if asked, the PDF and workbook, all
inside `store.staged_pack` as `evidence run` does.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import yaml
from click.testing import Result
from typer.testing import CliRunner

from evidence import registry, store
from evidence.aws import ClientFactory
from evidence.cli import app
from evidence.collect import AccountTarget, collect_each
from evidence.frameworks import load_file
from evidence.models import CollectionInfo, Evidence, Pack, Scope
from evidence.pipeline import evaluate_in, make_period, report_in
from evidence.version import TOOL_VERSION

ACCOUNT = "123456789012"
REGION = "us-east-1"

runner = CliRunner()


def cli(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], env=env)


def assert_clear_error(result: Result, needle: str, code: int = 2) -> str:
    """A non-zero exit, no traceback, and exactly one `error:` line, which says `needle`."""
    out = result.output
    assert result.exit_code == code, out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    assert needle in errors[0], out
    return errors[0]


def no_aws_env(tmp_path: Path) -> dict[str, str | None]:
    """An environment with no AWS credentials anywhere in the standard chain."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=str(tmp_path / "no-config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-creds"),
               AWS_EC2_METADATA_DISABLED="true")
    return env


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def offline_factory(endpoint_url: str | None = None, *, max_attempts: int = 1) -> ClientFactory:
    """A factory for Stubber tests: any call a test did not stub goes to `endpoint_url`, by default a closed port."""
    session = boto3.Session(aws_access_key_id="AKIDHARDENING", aws_secret_access_key="hardening", region_name=REGION)
    return ClientFactory(session, endpoint_url=endpoint_url or f"http://127.0.0.1:{closed_port()}",
                         max_attempts=max_attempts)


def framework_file(path: Path, controls: Mapping[str, Iterable[str]]) -> Path:
    """A one-framework file: control id -> the checks that decide it."""
    data = {
        "id": "hardening", "name": "Hardening", "version": "1", "source": "tests",
        "controls": [
            {"id": cid, "title": f"Control {cid}", "section": "S", "evidence": "automated",
             "checks": [{"id": c} for c in checks]}
            for cid, checks in controls.items()
        ],
    }
    path.write_text(yaml.safe_dump(data))
    return path


def collect_pack(
    dest: Path,
    factory: ClientFactory,
    keys: Iterable[str],
    controls: Mapping[str, Iterable[str]],
    *,
    render: bool = False,
    on_done: Callable[[Evidence], None] | None = None,
) -> Pack:
    """Collect `keys` for one account and region, evaluate, optionally render: a complete pack at `dest`."""
    specs = [registry.collectors()[k] for k in keys]
    period = make_period(None, None)
    started = datetime.now(UTC)
    framework = load_file(framework_file(dest.parent / f"{dest.name}-framework.yaml", controls))

    with store.staged_pack(dest) as folder:
        def done(ev: Evidence) -> None:
            store.write_evidence(folder, ev)
            if on_done is not None:
                on_done(ev)

        collect_each((AccountTarget(ACCOUNT, factory),), done, regions=(REGION,), period=period, specs=specs,
                     workers=1)
        info = CollectionInfo(tool_version=TOOL_VERSION, scope=Scope(accounts=(ACCOUNT,), regions=(REGION,)),
                              period=period, started_at=started, finished_at=datetime.now(UTC))
        store.write_file(folder, store.COLLECTION, store.canonical_json(info))
        pack = evaluate_in(folder, [framework])
        if render:
            report_in(folder, pack)
    return pack


def snapshot(pack_dir: Path, key: str) -> Evidence:
    evidence, _ = store.read_evidence(pack_dir)
    return next(ev for ev in evidence if ev.key == key)


def check_status(pack: Pack, check_id: str) -> str:
    return next(c.status.value for c in pack.frameworks[0].checks if c.check == check_id)


class Cutoff:
    """A loopback TCP relay to an upstream endpoint that can be cut at once, as a network that goes away:
    open connections are reset and new ones refused."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self._listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()


def emulator_env(emulator: Any) -> dict[str, str | None]:
    """The environment a user would set to point the CLI at the emulator."""
    from evidence.demo.emulator import emulator_credentials

    creds = emulator_credentials()
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=emulator.endpoint_url, AWS_ACCESS_KEY_ID=creds["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=creds["aws_secret_access_key"], AWS_DEFAULT_REGION=REGION,
               AWS_EC2_METADATA_DISABLED="true")
    return env
