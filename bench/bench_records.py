"""Time `kiyaku lint`, `kiyaku status` and `kiyaku verify` with 10, 100 and 1,000 release records.

    python bench/bench_records.py [--counts 10,100,1000] [--repeat 3]

Each size is a fresh git repository (the mini fixture) with one variant released N times: one
commit per record and one annotated tag per edition, as `kiyaku release` makes them (written
with git fast-import, so building the history takes seconds, not one release run per record).
Times are for the real command in a new process (Python start-up included): lint cold (no
.kiyaku/cache) and warm (second run), status, and verify (which also renders every edition
again from its commit). Figures only: this is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.compile.pipeline import compile_variant, load  # noqa: E402
from generator.history.editions import ReleaseRecord, document_sha256, dump_record, text_sha256, with_meta  # noqa: E402

MINI = ROOT / "tests" / "fixtures" / "mini"
WHO = "法務 太郎 <legal@example.jp>"


def _git(root: Path, *args: str, stdin: bytes | None = None) -> str:
    env = {"GIT_AUTHOR_DATE": "2026-01-05T10:00:00+09:00", "GIT_COMMITTER_DATE": "2026-01-05T10:00:00+09:00",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root), "PATH": "/usr/bin:/bin:/usr/local/bin"}
    done = subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, env=env, check=True)
    return done.stdout.decode()


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def make_repo(base: Path, count: int) -> Path:
    """The mini fixture with `count` records of variant alpha (edition 1 is the baseline)."""
    root = base / f"records-{count}"
    for name in ("terms", "variants"):
        shutil.copytree(MINI / name, root / name)
    (root / ".gitignore").write_text("/rendered/\n/.kiyaku/\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "法務 太郎")
    _git(root, "config", "user.email", "legal@example.jp")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "初版")
    source = _git(root, "rev-parse", "HEAD").strip()
    project = load(root)
    stream = bytearray()
    stamp = int(dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc).timestamp())
    announced = dt.date(2026, 1, 5)
    for edition in range(1, count + 1):
        effective = announced + dt.timedelta(days=40)
        meta = with_meta(project, "alpha", edition, announced.isoformat(), effective.isoformat())
        doc = compile_variant(meta, "alpha")
        record = ReleaseRecord(variant="alpha", edition=edition, previous_edition=edition - 1 if edition > 1 else None,
                               announced=announced.isoformat(), effective=effective.isoformat(), notice_days=30,
                               kind="基準" if edition == 1 else "不利益変更", service_change=False, reason=f"第{edition}版",
                               source_commit=source, text_sha256=text_sha256(doc), document_sha256=document_sha256(doc))
        when = f"{stamp} +0900".encode()
        stream += b"commit refs/heads/main\nmark :%d\n" % edition
        stream += b"committer " + WHO.encode() + b" " + when + b"\n" + _data(f"規約改定を記録: alpha 第{edition}版".encode())
        stream += (b"from " + source.encode() + b"\n") if edition == 1 else b""
        stream += b"M 100644 inline " + record.relpath.encode() + b"\n" + _data(dump_record(record))
        stream += f"tag alpha/ed{edition}\nfrom :{edition}\n".encode()
        stream += b"tagger " + WHO.encode() + b" " + when + b"\n" + _data(f"alpha 第{edition}版".encode())
        announced, stamp = announced + dt.timedelta(days=1), stamp + 86400
    _git(root, "fast-import", "--quiet", stdin=bytes(stream))
    _git(root, "reset", "-q", "--hard", "main")
    return root


def _time(root: Path, *args: str) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "generator", *args, "--root", str(root)], cwd=ROOT,
                          capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="10,100,1000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'records':>7}  {'lint cold':>9}  {'lint warm':>9}  {'status':>7}  {'verify':>7}  (seconds, median of {args.repeat}; exit codes)")
    with tempfile.TemporaryDirectory(prefix="kiyaku-bench-records-") as tmp:
        for count in (int(c) for c in args.counts.split(",")):
            root = make_repo(Path(tmp), count)
            cold, code_cold = _time(root, "lint", "--no-cache")
            warm_runs = [_time(root, "lint") for _ in range(args.repeat + 1)][1:]
            status_runs = [_time(root, "status") for _ in range(args.repeat)]
            subprocess.run([sys.executable, "-m", "generator", "build", "--format", "txt", "--root", str(root)], cwd=ROOT,
                           capture_output=True, check=True)
            verify_time, code_verify = _time(root, "verify")
            codes = {code_cold, *(c for _, c in warm_runs), *(c for _, c in status_runs), code_verify}
            print(f"{count:>7}  {cold:>9.2f}  {statistics.median(t for t, _ in warm_runs):>9.2f}  "
                  f"{statistics.median(t for t, _ in status_runs):>7.2f}  {verify_time:>7.2f}  exit {sorted(codes)}")


if __name__ == "__main__":
    main()
