"""run_all.sh's notebook runner (#24 items 4 and 5): Ctrl-C stops the kernel at once and prints one line,
no papermill traceback (``zmq.error.ZMQError``, ``Aborted!``), no kernel left; no "TCP without
encryption" warning on a normal run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest

from ecomlib.config import REPO_ROOT
from ecomlib.study import runnb


def _notebook(path, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "ecomlib", "display_name": "Python (ecomlib)", "language": "python"}
    nbformat.write(nb, str(path))


def _runner(tmp_path, nb, *extra: str) -> subprocess.Popen:
    # as from a terminal: ipykernel keeps no copy of the terminal's fd 2 when it sees PYTEST_CURRENT_TEST
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} | {"PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-m", "ecomlib.study.runnb", str(nb), str(tmp_path / "out.ipynb"),
                             "-k", "ecomlib", "--log-level", "WARNING", "--no-progress-bar", *extra],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # a group of its own: the SIGINT below reaches only it


def test_a_notebook_runs_with_no_tcp_warning(tmp_path):
    _notebook(tmp_path / "nb.ipynb", "print(6 * 7)")
    proc = _runner(tmp_path, tmp_path / "nb.ipynb")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "TCP without encryption" not in err and err.strip() == "", err
    cells = json.loads((tmp_path / "out.ipynb").read_text())["cells"]
    assert "".join(cells[0]["outputs"][0]["text"]) == "42\n"


def test_a_variants_bars_reach_the_terminal_and_not_the_notebook(tmp_path):
    """#24 item 1 end to end: under run_all.sh's runner, a bar drawn in the kernel (ecomlib.progress, inside
    terminal_only as a study variant's stages are) shows on the runner's stderr, not in the notebook."""
    _notebook(tmp_path / "nb.ipynb", "from ecomlib.progress import terminal_only, tqdm\n"
              "with terminal_only():\n    for _ in tqdm(range(3), desc='train ecominstruct'):\n        pass")
    proc = _runner(tmp_path, tmp_path / "nb.ipynb")
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "train ecominstruct: 100%" in err and "3/3" in err, err
    assert "train ecominstruct" not in json.dumps(json.loads((tmp_path / "out.ipynb").read_text())["cells"][0]["outputs"])


@pytest.mark.parametrize("sig, rc", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_kernel_at_once_with_one_line(tmp_path, sig, rc):
    _notebook(tmp_path / "nb.ipynb", "print('started', flush=True)", "import time\ntime.sleep(300)")
    proc = _runner(tmp_path, tmp_path / "nb.ipynb")
    out_nb = tmp_path / "out.ipynb"
    tree: list[int] = []
    try:
        deadline = time.monotonic() + 300
        while not _printed(out_nb):  # saved after cell 1 ran in the kernel
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.2)
        tree = runnb._descendants(proc.pid)
        assert any("ipykernel" in _cmdline(p) for p in tree)
        t0 = time.monotonic()
        proc.send_signal(sig)  # to the runner alone: papermill alone kept the cell running (#24)
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - t0
    finally:
        for pid in [proc.pid, *tree]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert proc.returncode == rc and took < 15, (proc.returncode, took, err)
    assert [line for line in err.splitlines() if line.strip()] == [
        f"runnb: interrupted ({sig.name}); the kernel is stopped, the partial notebook is at {out_nb}"]
    time.sleep(0.5)
    assert [p for p in tree if _running(p)] == []  # the kernel and papermill are gone


def _printed(nb) -> bool:
    try:
        outputs = json.loads(nb.read_text())["cells"][0]["outputs"]
    except (OSError, ValueError, KeyError, IndexError):
        return False
    return any("started" in "".join(o.get("text", "")) for o in outputs)


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _running(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_each_kernel_gets_its_own_socket_folder(tmp_path, monkeypatch):
    """jupyter_client's IPC default is "kernel-ipc" in the working directory: two run_all.sh started in
    the repository at once raced for the same socket names ("Kernel didn't respond in 60 seconds")."""
    import os

    from ecomlib.study.runnb import _ipc_kernel_manager

    monkeypatch.chdir(tmp_path)
    manager = _ipc_kernel_manager()
    a, b = manager(kernel_name="python3"), manager(kernel_name="python3")
    assert a.transport == b.transport == "ipc"
    assert os.path.isabs(a.ip) and os.path.isabs(b.ip) and os.path.dirname(a.ip) != os.path.dirname(b.ip)
    assert not list(tmp_path.iterdir())  # nothing in the working directory


def _manager_without_a_process(monkeypatch):
    """The runner's kernel manager with a kernel that "is running" but has no process: what it would signal
    is recorded instead, and the shutdown request and clean-up do nothing."""
    cls = runnb._ipc_kernel_manager()
    monkeypatch.setattr(cls, "has_kernel", property(lambda self: True))
    km = cls(kernel_name="python3")
    sent: list[int] = []

    async def record(signum):
        sent.append(signum)

    async def nothing(*args, **kwargs):
        return None

    for name in ("_async_request_shutdown", "_async_finish_shutdown", "_async_cleanup_resources", "_async_kill_kernel"):
        monkeypatch.setattr(km, name, nothing)
    monkeypatch.setattr(km, "_async_signal_kernel", record)
    return km, sent


def test_the_runner_shuts_the_kernel_down_without_an_interrupt(monkeypatch):
    """jupyter_client SIGINTs a kernel before its shutdown request; landing in a message handler, that
    printed "[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel." on a clean run (seen once in CI)."""
    import asyncio

    for now in (False, True):
        km, sent = _manager_without_a_process(monkeypatch)
        asyncio.run(km.shutdown_kernel(now=now))
        assert sent == [], now


def test_an_explicit_interrupt_still_reaches_the_kernel(monkeypatch):
    import asyncio

    km, sent = _manager_without_a_process(monkeypatch)
    asyncio.run(km.interrupt_kernel())
    assert sent == [signal.SIGINT]
