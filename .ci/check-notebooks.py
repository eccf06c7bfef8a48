"""Checks the notebooks as committed: each has a cell tagged `parameters` (papermill injects the
warehouse and MLflow URI after it) and no outputs or execution counts (they are committed clean).

Usage: check-notebooks.py <notebooks dir>. Prints one line per notebook; exits 1 on a problem."""
import pathlib
import sys

import nbformat

problems = 0
paths = sorted(pathlib.Path(sys.argv[1]).glob("[0-9]*.ipynb"))
if len(paths) < 4:
    print(f"check-notebooks: expected notebooks 01..04 in {sys.argv[1]}, found {len(paths)}")
    sys.exit(1)
for path in paths:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    issues = []
    if len(tagged) != 1:
        issues.append(f"{len(tagged)} cells tagged parameters (want 1)")
    if dirty:
        issues.append(f"cells {dirty} have outputs (clear them before committing)")
    problems += bool(issues)
    print(f"  {'ok  ' if not issues else 'FAIL'} {path.name}: {len(code)} code cells" + (": " + "; ".join(issues) if issues else ""))
sys.exit(1 if problems else 0)
