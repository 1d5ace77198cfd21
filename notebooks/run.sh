#!/usr/bin/env bash
# Runs every notebook in this folder headless with the evcxr Rust kernel,
# installing what is missing first, and fails if any cell fails.
# Executed copies go to target/notebooks/ (the notebooks in the repository
# stay without outputs).
#
#   notebooks/run.sh              # every notebook
#   notebooks/run.sh 01_quickstart.ipynb
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/target/notebook-venv"
out="$root/target/notebooks"

if ! command -v python3 >/dev/null 2>&1; then
    echo "python3 is needed to run the notebooks (Jupyter)" >&2
    exit 1
fi
if [ ! -x "$venv/bin/jupyter" ]; then
    echo "==> a Python environment for Jupyter in $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        jupyter_client nbclient nbconvert ipykernel nbformat
fi
if ! command -v evcxr_jupyter >/dev/null 2>&1; then
    echo "==> the evcxr Jupyter kernel (cargo install, a few minutes)"
    cargo install evcxr_jupyter --locked
fi
# Registers the kernel "rust" that the notebooks name.
evcxr_jupyter --install >/dev/null

mkdir -p "$out"
cd "$here"
if [ "$#" -gt 0 ]; then books=("$@"); else books=(*.ipynb); fi
for book in "${books[@]}"; do
    echo "==> $book"
    start=$SECONDS
    "$venv/bin/jupyter" nbconvert --to notebook --execute "$book" \
        --output-dir "$out" --ExecutePreprocessor.timeout=900
    # evcxr reports a panic (a failed assert!) as text on stderr, not as a
    # cell error: look for one in the executed copy.
    "$venv/bin/python" - "$out/$book" <<'PY'
import json, sys
book = json.load(open(sys.argv[1]))
for cell in book["cells"]:
    for output in cell.get("outputs", []):
        text = "".join(output.get("text", ""))
        if output.get("name") == "stderr" and "panicked at" in text:
            sys.exit(f"{sys.argv[1]}: a cell panicked:\n{text}")
PY
    echo "    ok in $((SECONDS - start)) s"
done
