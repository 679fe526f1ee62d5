"""``python -m ecomlib.study.runnb IN OUT [papermill options]``: papermill, as run_all.sh runs it, that
stops cleanly on Ctrl-C and keeps the terminal quiet.

* papermill runs in a child process in its own session, so a Ctrl-C in the terminal reaches only this
  runner: papermill never prints its ``KeyboardInterrupt`` / ``zmq.error.ZMQError`` traceback and
  ``Aborted!``. On SIGINT or SIGTERM the runner stops the kernel's process group and papermill's (a
  SIGINT to papermill alone let the cell run on), prints one line (none with ``--quiet-interrupt``:
  run_all.sh prints its own) and exits 128 + the signal. Stages are cached atomically, so a rerun resumes.
* The kernel talks to papermill over IPC sockets, not TCP: ipykernel's "running over TCP without
  encryption" warning is not printed for every notebook (and nothing listens on a port).
* The kernel's stderr stays the terminal: progress bars drawn there (``ecomlib.progress``) are seen live.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CHILD = "--child"  # internal: this module re-executed as the papermill process
QUIET = "--quiet-interrupt"


def _ipc_kernel_manager():
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @default("ip")
        def _ip_default(self) -> str:
            # jupyter_client's default is "kernel-ipc" in the working directory: two runs started there at
            # once (the README's shared cache) raced for the same socket names and a kernel never answered
            return _private_socket_prefix()

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            # jupyter_client SIGINTs the kernel before asking it to shut down; papermill shuts down only
            # after the last cell, so the interrupt stops nothing, but when it lands while the kernel is in
            # a message handler, ipykernel logs "KeyboardInterrupt caught in kernel." on a clean run. The
            # shutdown request, then SIGTERM and SIGKILL after the wait, still stop a kernel that hangs.
            self._shutting_down_quietly = True
            try:
                await super().shutdown_kernel(now=now, restart=restart)
            finally:
                self._shutting_down_quietly = False

        async def _async_interrupt_kernel(self) -> None:
            if not getattr(self, "_shutting_down_quietly", False):
                await super()._async_interrupt_kernel()

    return IPCKernelManager


def _private_socket_prefix() -> str:
    """A socket path prefix in a folder of this process's own, removed at exit."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="ecomlib-kernel-")
    atexit.register(shutil.rmtree, folder, True)
    return os.path.join(folder, "ipc")


def run_papermill(argv: list[str]) -> None:
    """papermill's own command line, in this process, with the kernel on IPC sockets."""
    from papermill import cli

    execute = cli.execute_notebook
    manager = _ipc_kernel_manager()
    cli.execute_notebook = lambda *a, **kw: execute(*a, kernel_manager_class=manager, **kw)
    cli.papermill.main(args=argv, prog_name="papermill")


def _children(pid: int) -> list[int]:
    """Every process whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        kids = _children(todo.pop())
        found += kids
        todo += kids
    return found


def stop(child: subprocess.Popen, grace: float = 5.0) -> None:
    """SIGTERM the process groups of papermill and of everything it started (the kernel has its own
    session), then SIGKILL what is left after ``grace`` seconds."""
    groups = {child.pid}
    for pid in _descendants(child.pid):
        try:
            groups.add(os.getpgid(pid))
        except ProcessLookupError:
            pass
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 0.0)):
        for g in groups:
            try:
                os.killpg(g, sig)
            except (ProcessLookupError, PermissionError):
                pass
        deadline = time.monotonic() + wait
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if child.poll() is not None and all(not _alive_group(g) for g in groups):
            return
    child.wait()


def _alive_group(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except (ProcessLookupError, PermissionError):
        return False


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def _raise(signum: int, _frame) -> None:
    raise _Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [CHILD]:
        run_papermill(argv[1:])
        return 0
    quiet = QUIET in argv
    argv = [a for a in argv if a != QUIET]
    old = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    child = None
    try:
        child = subprocess.Popen([sys.executable, "-m", "ecomlib.study.runnb", CHILD, *argv], start_new_session=True)
        return child.wait()
    except _Interrupted as e:
        for s in old:  # a second Ctrl-C while stopping must not leave the kernel behind
            signal.signal(s, signal.SIG_IGN)
        if child is not None:
            stop(child)
        if not quiet:
            name = signal.Signals(e.signum).name
            out = argv[1] if len(argv) > 1 else "the output notebook"
            print(f"\nrunnb: interrupted ({name}); the kernel is stopped, the partial notebook is at {out}",
                  file=sys.stderr)
        return 128 + e.signum


if __name__ == "__main__":
    sys.exit(main())
