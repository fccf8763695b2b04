"""Executes one notebook headlessly, like `jupyter nbconvert --to notebook --execute`, but on a
cell error also says which cell failed and what it printed.

tslab reports an error with an empty message and writes the real one (a compile error such as
"2:7 - Type 'string' is not assignable to type 'number'", or a stack trace) to the cell's
stderr; nbconvert's own report leaves that out.

    /usr/bin/python3 notebooks/execute.py NOTEBOOK OUTPUT [--timeout SECONDS]

Writes the executed notebook to OUTPUT (also when a cell fails); exit status 1 on a cell error.
The kernel is the notebook's own (tslab); set JUPYTER_PATH so Jupyter finds it (see jupyter.ts).
"""
import argparse
import os
import sys

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def text_of(outputs):
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("%s: %s\n%s" % (out.get("ename", ""), out.get("evalue", ""), "\n".join(out.get("traceback", []))))
    return "".join(parts).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebook")
    ap.add_argument("output")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    args = ap.parse_args()

    nb = nbformat.read(args.notebook, as_version=4)
    failed = {}

    def on_cell_error(cell, cell_index, execute_reply):
        failed.setdefault("index", cell_index)

    client = NotebookClient(
        nb, timeout=args.timeout, resources={"metadata": {"path": os.path.dirname(os.path.abspath(args.notebook))}},
        on_cell_error=on_cell_error,
    )
    status = 0
    try:
        client.execute()
    except CellExecutionError:
        status = 1
    finally:
        nbformat.write(nb, args.output)
    if status:
        i = failed.get("index", -1)
        cell = nb.cells[i] if i >= 0 else {"source": "?", "outputs": []}
        number = sum(1 for c in nb.cells[: i + 1] if c.cell_type == "code")
        sys.stderr.write("%s: code cell %d (cell index %d) failed:\n%s\n--- its output ---\n%s\n" % (
            os.path.basename(args.notebook), number, i, cell["source"], text_of(cell.get("outputs", [])) or "(none)"))
    return status


if __name__ == "__main__":
    sys.exit(main())
