"""Real bot processes for the fault campaign (`tests/test_faults.py`), cheap to start again.

Importing aiogram, SQLAlchemy and matplotlib costs a new `python -m bot` a second or two of
CPU, and a campaign that kills a process fifty times would spend most of its time on it. So a
*zygote* imports the bot once and forks a child per start: the child is a process of its own
(its own pid, sockets, database connections and event loop) that runs exactly what
`python -m bot` or `python -m scheduler` runs (`bot.__main__.main`, `scheduler.__main__.main`)
with the environment it is given, and dies by SIGKILL like any other. Only the imports are
shared, as with a preloading server. `Launcher.start(..., fresh=True)` starts a genuine
`python -m ...` instead, so a campaign can check that the two behave alike.

    python -m tests.fault_processes      # the zygote: reads one JSON request a line on stdin
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _child(request: dict[str, Any]) -> None:
    """In the forked child: become `python -m <module>` with the given environment."""
    code: Any = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)  # a signal to the test's group never reaches it by accident
        os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(handle, fd)
            os.close(handle)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = [f"python -m {request['module']}", *request["argv"]]
        if request["module"] == "bot":
            from bot.__main__ import main
        else:
            from scheduler.__main__ import main
        code = main(request["argv"])
    except SystemExit as exc:
        code = exc.code
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code if isinstance(code, int) else 1)


def serve() -> None:
    """The zygote: import everything a bot process needs, then fork on request."""
    import bot.__main__
    import bot.charts
    import handlers
    import scheduler.__main__

    del bot, handlers, scheduler
    # Children are reaped by the kernel: the test sees a killed child vanish at once.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), flush=True)


@dataclass
class Child:
    """One bot process: its pid and where its output goes."""

    pid: int
    stdout: Path
    stderr: Path
    popen: subprocess.Popen[bytes] | None = None  # a `fresh` start only
    started: float = 0.0

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    async def gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.01)
        return True

    async def kill(self) -> None:
        """SIGKILL: no handler, no cleanup, sockets and connections dropped by the kernel."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        assert await self.gone(10), f"process {self.pid} survived SIGKILL"

    async def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, as systemd or Docker stops it; SIGKILL if it does not end in time."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        if not await self.gone(timeout):
            await self.kill()

    def errors(self) -> str:
        return self.stderr.read_text(errors="replace") if self.stderr.exists() else ""


class Launcher:
    """Starts bot processes from the zygote (or fresh); one zygote per test module. Its calls
    block only for a fork, so it serves any test's event loop."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._zygote: subprocess.Popen[bytes] | None = None
        self._count = 0
        self.started = 0
        self.fresh = 0

    def open(self) -> None:
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "tests.fault_processes"], cwd=ROOT,
            env={**_base_env(), "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self._zygote.stdout is not None
        line = self._zygote.stdout.readline()
        assert line.strip() == b"ready", line

    def close(self) -> None:
        if self._zygote is None:
            return
        zygote, self._zygote = self._zygote, None
        assert zygote.stdin is not None and zygote.stdout is not None
        zygote.stdin.close()
        try:
            zygote.wait(10)
        except subprocess.TimeoutExpired:
            zygote.kill()
            zygote.wait()
        zygote.stdout.close()

    def start(
        self, module: str, env: dict[str, str], argv: list[str] | None = None, fresh: bool = False
    ) -> Child:
        """`python -m <module> <argv>` with `env` (on top of PATH); forked unless `fresh`."""
        self._count += 1
        self.started += 1
        stdout = self.workdir / f"{module}-{self._count}.out"
        stderr = self.workdir / f"{module}-{self._count}.err"
        full_env = {**_base_env(), "PYTHONPATH": str(ROOT), **env}
        if fresh:
            self.fresh += 1
            with stdout.open("wb") as out, stderr.open("wb") as err:
                popen = subprocess.Popen(
                    [sys.executable, "-m", module, *(argv or [])], cwd=self.workdir,
                    env=full_env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                )  # fmt: skip
            return Child(popen.pid, stdout, stderr, popen, time.monotonic())
        assert self._zygote is not None and self._zygote.stdin is not None
        assert self._zygote.stdout is not None
        request = {
            "module": module, "argv": argv or [], "env": full_env, "cwd": str(self.workdir),
            "stdout": str(stdout), "stderr": str(stderr),
        }  # fmt: skip
        self._zygote.stdin.write(json.dumps(request).encode() + b"\n")
        self._zygote.stdin.flush()
        answer = self._zygote.stdout.readline()
        return Child(int(json.loads(answer)["pid"]), stdout, stderr, None, time.monotonic())


def _base_env() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


if __name__ == "__main__":
    serve()
