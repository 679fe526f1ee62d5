"""Name the failing cell of a partially executed notebook (used by run_all.sh on failure)."""

from __future__ import annotations

import json
import sys


def failing_cell(path: str) -> str:
    nb = json.load(open(path, encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                src = "".join(cell.get("source", ""))
                first = src.strip().splitlines()[0] if src.strip() else ""
                return f"failing cell: #{i} (starts with: {first!r}): {out.get('ename')}: {out.get('evalue')}"
    return "no failing cell recorded (the kernel may have died)"


if __name__ == "__main__":
    print(failing_cell(sys.argv[1]))
