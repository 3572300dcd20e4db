"""Build speed at network scale: N synthetic resellers, incremental and parallel, against a LibreOffice baseline.

    python bench/bench_scale.py [--n 10,100,500] [--jobs N] [--baseline-sample 20] [--site-at 100]
    python bench/bench_scale.py --smoke          # N=3, one baseline document (what CI runs)

For each N, N resellers are generated from the shipped variants (different ids, names, fees and
options) into a temporary git repository, and every build runs as `python -m generator build`
in a new process (what a user waits for). Measured: full cold build (all formats, no cache),
no-op rebuild, rebuild after one variant changes, rebuild after one shared clause changes (every
text changes) and after a clause inside an option changes (only resellers with it on), peak RSS,
one variant in docx+pdf+html in a warm process, the mkdocs site, and the baseline pipeline:
DOCX → PDF by LibreOffice headless (one `soffice --convert-to pdf` per reseller, in sequence) and
DOCX → HTML by pandoc (pypandoc). With more than --baseline-sample resellers the baseline runs on
a sample and is scaled up (marked "est."). Figures only: this is not a test. Lines starting with
"figure " are for machines (tests/test_bench_smoke.py checks them).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOFFICE = "/usr/bin/soffice"
CITIES = ["札幌", "仙台", "新潟", "金沢", "静岡", "名古屋", "京都", "神戸", "岡山", "松山", "高松", "福岡", "熊本", "那覇",
          "青森", "盛岡", "秋田", "山形", "福島", "水戸", "宇都宮", "前橋", "甲府", "長野", "岐阜", "津", "大津", "奈良"]
PREFECTURES = dict(zip(CITIES, ["北海道", "宮城県", "新潟県", "石川県", "静岡県", "愛知県", "京都府", "兵庫県", "岡山県", "愛媛県",
                                 "香川県", "福岡県", "熊本県", "沖縄県", "青森県", "岩手県", "秋田県", "山形県", "福島県",
                                 "茨城県", "栃木県", "群馬県", "山梨県", "長野県", "岐阜県", "三重県", "滋賀県", "奈良県"]))
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]


# --- synthetic resellers ------------------------------------------------------------------------

def make_repo(n: int, dest: Path) -> list[str]:
    """A copy of the repository with n resellers made from the shipped variants; returns their ids."""
    for name in ("terms", "overrides", "docs"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name)
    for name in ("errata.yaml", "mkdocs.yml"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, dest / name)
    (dest / "variants").mkdir()
    bases = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "variants").glob("*.yaml"))}
    ids = []
    for i in range(n):
        base = sorted(bases)[i % len(bases)]
        vid = f"r{i:04d}-{base.split('-')[0]}"
        ids.append(vid)
        (dest / "variants" / f"{vid}.yaml").write_text(_variant(bases[base], base, vid, i), encoding="utf-8")
    (dest / ".gitignore").write_text("/rendered/\n/.kiyaku/\n/site/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    subprocess.run([*GIT, "-C", str(dest), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(dest), "commit", "-qm", f"{n} resellers"], check=True)
    return ids


def _variant(text: str, base: str, vid: str, i: int) -> str:
    city = CITIES[i % len(CITIES)]
    chamber = "self: 本所" in text
    name = f"{city}第{i}商工会議所" if chamber else f"株式会社{city}ITサポート{i}"
    text = text.replace(f"id: {base}\n", f"id: {vid}\n", 1)
    text = re.sub(r"(?m)^prefecture: .*\n", "", text)
    text = re.sub(r"(?m)^name: .*$", f"name: {name}\nprefecture: {PREFECTURES[city]}", text, count=1)
    if chamber:
        text = re.sub(r"(?m)^  member_scope: .*$", f"  member_scope: {name}", text, count=1)
    text = re.sub(r"(?m)^  member_fee: .*$", f"  member_fee: {66000 + (i % 50) * 1320}", text, count=1)  # typed yen: an integer
    text = re.sub(r"(?m)^  non_member_fee: .*$", f"  non_member_fee: {88000 + (i % 30) * 1100}", text, count=1)
    for bit, option in enumerate(("remote_dispatch", "it_subsidy", "critical_systems")):
        text = re.sub(rf"(?m)^  {option}: (true|false)$", f"  {option}: {'true' if (i >> bit) & 1 else 'false'}", text, count=1)
    return text


# --- running and measuring builds ---------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    peak_process_kib: int  # largest single process (wait4)
    peak_tree_kib: int  # build process and its workers together (sampled from /proc)
    stderr: str


def _tree_rss(pid: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += [c for c, p in parents.items() if p == current]
    return total


def run(args: list[str], cwd: Path = ROOT, timeout: float = 3600) -> Run:
    start = time.perf_counter()
    # This checkout's generator, not whichever one is installed (an editable install may point elsewhere).
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{stderr}")
    return Run(seconds, usage.ru_maxrss, peak[0], stderr)


def build(repo: Path, jobs: int | None, *extra: str) -> Run:
    args = ["generator", "build", "--root", str(repo), *extra]
    return run(args + (["--jobs", str(jobs)] if jobs else []))


def counts(result: Run) -> str:
    """What the build says it did (its summary line on stderr)."""
    found = re.search(r"作り直し (\d+) 件.*描画 (\d+) 件", result.stderr)
    return f"{found.group(1)} resellers rebuilt, {found.group(2)} files rendered" if found else "?"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def median_of(fn, repeat: int) -> float:
    return statistics.median(fn() for _ in range(repeat))


# --- the baseline: DOCX -> LibreOffice PDF, DOCX -> pandoc HTML ----------------------------------

def baseline(docx_files: list[Path], out: Path) -> float:
    """Seconds for the baseline pipeline over the given DOCX files, one soffice process per file, in sequence."""
    import pypandoc

    out.mkdir(parents=True, exist_ok=True)
    profile = out / "profile"
    start = time.perf_counter()
    for path in docx_files:
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=600)
        pypandoc.convert_file(str(path), "html", outputfile=str(out / f"{path.stem}.html"))
    return time.perf_counter() - start


# --- one scale -----------------------------------------------------------------------------------

def warm_one_variant(repo: Path, variant: str) -> tuple[float, float]:
    """(render only, build()) seconds for one changed variant in docx+pdf+html in a process that has rendered before."""
    from generator import render
    from generator.build.builder import build as build_in_process, render_context
    from generator.compile.pipeline import compile_variant, load

    formats = ["docx", "pdf", "html"]
    project = load(repo)
    others = [v for v in sorted(project.variants) if v != variant]
    warm = compile_variant(project, others[0] if others else variant)
    for fmt in formats:  # load renderers, fonts and templates on another document
        render.get(fmt).render(warm, render_context(project, repo, warm))
    doc = compile_variant(project, variant)
    start = time.perf_counter()
    for fmt in formats:
        render.get(fmt).render(doc, render_context(project, repo, doc))
    render_only = time.perf_counter() - start
    times = []
    for k in range(4):  # the first one imports lint and release checks: not counted
        edit(repo / "variants" / f"{variant}.yaml", "\nname: ", f"\nname: 改{k}")
        start = time.perf_counter()
        result = build_in_process(repo, [variant], formats, jobs=1)
        times.append(time.perf_counter() - start)
        assert len(result.rendered) == 3, result.rendered
    return render_only, statistics.median(times[1:])


def scale(n: int, args, tmp: Path) -> dict[str, float]:
    repo = tmp / f"n{n}"
    ids = make_repo(n, repo)
    jobs = args.jobs
    figures: dict[str, float] = {"n": n}
    print(f"\n== N = {n} resellers × 5 formats (txt md html docx pdf), jobs = {jobs or os.cpu_count()} "
          f"(load average {os.getloadavg()[0]:.1f}) ==", flush=True)

    cold = build(repo, jobs, "--no-cache")
    figures.update(cold_s=cold.seconds, peak_rss_mib=cold.peak_tree_kib / 1024, peak_process_mib=cold.peak_process_kib / 1024)
    print(f"full cold build (no cache)               {cold.seconds:8.2f} s   peak RSS {cold.peak_tree_kib / 1024:7.0f} MiB "
          f"(build + workers; largest process {cold.peak_process_kib / 1024:.0f} MiB)", flush=True)
    build(repo, jobs)  # fills the cache's state after a --no-cache build
    noop = median_of(lambda: build(repo, jobs).seconds, args.repeat)
    figures["noop_s"] = noop
    print(f"no-op rebuild                            {noop:8.2f} s", flush=True)

    counter = iter(range(10 ** 6))

    def one_variant() -> float:
        edit(repo / "variants" / f"{ids[len(ids) // 2]}.yaml", "\nname: ", f"\nname: 新{next(counter)}")
        return build(repo, jobs).seconds

    figures["one_variant_s"] = median_of(one_variant, args.repeat)
    print(f"rebuild after one variant changed        {figures['one_variant_s']:8.2f} s", flush=True)

    edit(repo / "terms" / "purpose.yaml", "目的とするものです。", "目的とします。")
    shared = build(repo, jobs)
    figures["shared_s"] = shared.seconds
    print(f"rebuild after a shared clause changed    {shared.seconds:8.2f} s   ({counts(shared)})", flush=True)
    edit(repo / "terms" / "customer-setup.yaml", "では利用しないでください。", "では利用できません。")
    optional = build(repo, jobs)
    figures["option_clause_s"] = optional.seconds
    print(f"rebuild after a clause in an option      {optional.seconds:8.2f} s   ({counts(optional)}; "
          f"critical_systems is on for about half)", flush=True)
    if n <= 100 or args.warm_at_scale:
        render_only, warm = warm_one_variant(repo, ids[0])
        figures.update(warm_render_s=render_only, warm_build_s=warm)
        print(f"one variant docx+pdf+html, warm process  {render_only:8.2f} s render, {warm:.2f} s build() incl. lint and publish", flush=True)

    if args.site_at == n:
        figures.update(site(repo))

    sample = ids if n <= args.baseline_sample else ids[:: max(1, n // args.baseline_sample)][: args.baseline_sample]
    if args.smoke:
        sample = ids[:1]
    if Path(SOFFICE).exists():
        docx = [repo / "rendered" / v / f"{v}.docx" for v in sample]
        seconds = baseline(docx, tmp / f"baseline{n}") * n / len(sample)
        estimated = len(sample) < n
        figures["baseline_s"] = seconds
        figures["ratio"] = seconds / cold.seconds
        mark = f"est. from {len(sample)} documents" if estimated else "measured"
        print(f"baseline: LibreOffice PDF + pandoc HTML  {seconds:8.2f} s   ({mark}; one soffice per reseller, in sequence)")
        print(f"  kiyaku cold build is {seconds / cold.seconds:.1f}× faster (and also makes DOCX, txt and md)", flush=True)
    else:
        print(f"baseline skipped: {SOFFICE} is missing")
    print("figure " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()), flush=True)
    return figures


def site(repo: Path) -> dict[str, float]:
    """mkdocs build of the whole site (every reseller's pages and downloads), as a fresh clone builds it
    (no build cache) and after `kiyaku build` (downloads read from the cache); nan when it fails."""
    if not (repo / "mkdocs.yml").is_file() or not (ROOT / "generator" / "site").is_dir():
        print("mkdocs site: skipped (no mkdocs.yml or site plugin)")
        return {}
    cache, hidden = repo / ".kiyaku" / "cache", repo / ".kiyaku" / "cache.hidden"
    seconds = {}
    for label in ("fresh clone", "after kiyaku build"):
        if label == "fresh clone" and cache.is_dir():
            cache.rename(hidden)
        try:
            result = run(["mkdocs", "build", "-q", "-f", str(repo / "mkdocs.yml"), "-d", str(repo / "site")], cwd=repo)
        except RuntimeError as exc:
            print(f"mkdocs site: skipped, the build failed: {str(exc).strip().splitlines()[-1][:200]}")
            return {}
        finally:
            if hidden.is_dir():
                hidden.rename(cache)
        seconds[label] = result.seconds
        print(f"mkdocs site build, {label:<18}    {result.seconds:8.2f} s   peak RSS {result.peak_tree_kib / 1024:.0f} MiB", flush=True)
    return {"site_fresh_s": seconds["fresh clone"], "site_s": seconds["after kiyaku build"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10,100,500", help="comma-separated numbers of resellers")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per incremental figure (median)")
    parser.add_argument("--baseline-sample", type=int, default=100, help="largest N whose baseline runs in full")
    parser.add_argument("--site-at", type=int, default=100, help="N at which to build the mkdocs site (0: never)")
    parser.add_argument("--warm-at-scale", action="store_true", help="also measure the warm one-variant figure above N=100")
    parser.add_argument("--smoke", action="store_true", help="N=3, one repeat, one baseline document (CI)")
    parser.add_argument("--keep", help="keep the generated repositories in this folder")
    args = parser.parse_args()
    sizes = [3] if args.smoke else [int(x) for x in args.n.split(",") if x.strip()]
    if args.smoke:
        args.repeat, args.site_at = 1, 0
    print(f"kiyaku scale benchmark: {os.cpu_count()} cores, python {sys.version.split()[0]}, sizes {sizes}")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kiyaku-scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        rows = [scale(n, args, tmp) for n in sizes]
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\n   N   cold s  no-op s  1 variant s  shared s  option s  peak MiB  baseline s  ratio")
    for r in rows:
        print(f"{r['n']:4d} {r['cold_s']:8.2f} {r['noop_s']:8.2f} {r['one_variant_s']:12.2f} {r['shared_s']:9.2f} "
              f"{r['option_clause_s']:9.2f} {r['peak_rss_mib']:9.0f} {r.get('baseline_s', float('nan')):11.1f} "
              f"{r.get('ratio', float('nan')):6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
