"""Rewrite the golden text renderings: python tests/update_golden.py [--check]

Run it after an intended change to the text renderers, read `git diff tests/golden/`, and commit
the goldens with the change. --check only reports which goldens differ (exit 1), writing nothing.
Tests never write goldens.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden import golden_files  # noqa: E402


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = []
    for path, data in golden_files().items():
        if path.is_file() and path.read_bytes() == data:
            continue
        changed.append(path.name)
        if not check:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
    verb = "差分あり" if check else "更新"
    print(f"{verb}: {', '.join(changed)}" if changed else "変更なし")
    return 1 if check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
