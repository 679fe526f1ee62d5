"""Progress bars that stay in the terminal.

In a Jupyter kernel (papermill, nbval, JupyterLab) every redraw of a bar written to ``sys.stderr``
becomes one more output of the cell: a long training left hundreds of red stderr frames in the
rendered notebooks. ``ecomlib.progress.tqdm`` is a drop-in for ``tqdm.tqdm`` that, inside a kernel,
draws on the kernel's *original* stderr (ipykernel keeps a copy of fd 2, which is the terminal
papermill or the notebook server runs in, and ``OutStream.fileno()`` returns it) and, when the bar
closes, prints one summary line into the notebook: what ran, how far, how long, the last postfix
(e.g. the loss). Outside a kernel it is plain ``tqdm`` and prints no summary.

Inside ``terminal_only()`` (a study variant's training and evaluation) bars draw on the terminal and
print no summary: the notebook shows the variants bar's one line, not three lines per variant.
Under ``run_all.sh`` the kernel's original stderr is the terminal run_all.sh runs in, so every stage,
step, loss, tokens/s and evaluated row shows there while it runs.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from tqdm import std as _std

_terminals: dict[int, TextIO] = {}


def _in_kernel() -> bool:
    return type(sys.stderr).__module__.startswith("ipykernel.")


def kernel_terminal() -> TextIO | None:
    """Where a bar draws inside a kernel (the terminal, or nowhere); None outside a kernel."""
    if not _in_kernel():
        return None
    try:
        fd = sys.stderr.fileno()  # ipykernel: its copy of the original fd 2, not the captured pipe
    except (OSError, ValueError, io.UnsupportedOperation):
        fd = None
    if fd is None:  # no terminal to draw on (fd capture off): frames go nowhere, the summary still shows
        return _terminals.setdefault(-1, open(os.devnull, "w", encoding="utf-8"))
    if fd not in _terminals:
        _terminals[fd] = open(fd, "w", encoding="utf-8", errors="replace", closefd=False)
    return _terminals[fd]


_terminal_only = 0  # > 0 inside terminal_only()


@contextlib.contextmanager
def terminal_only() -> Iterator[None]:
    """Bars made inside draw on the terminal only: no summary line in the notebook."""
    global _terminal_only
    _terminal_only += 1
    try:
        yield
    finally:
        _terminal_only -= 1


def summary_line(d: dict[str, Any]) -> str:
    """'desc: n/total unit in 12.3 s (postfix)' from a bar's ``format_dict``."""
    count = f"{d['n']}/{d['total']}" if d.get("total") else f"{d['n']}"
    line = f"{d.get('prefix') or 'progress'}: {count} {d.get('unit') or 'it'} in {d['elapsed']:.1f} s"
    return line + (f" ({d['postfix']})" if d.get("postfix") else "")


class tqdm(_std.tqdm):  # noqa: N801 - a drop-in for tqdm.tqdm
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        terminal = kernel_terminal()
        self._summarize = terminal is not None and not _terminal_only
        if terminal is not None:
            kwargs["file"] = terminal
        super().__init__(*args, **kwargs)

    def close(self) -> None:
        if getattr(self, "_summarize", False) and not self.disable:
            print(summary_line(self.format_dict), file=sys.stdout, flush=True)
        super().close()
