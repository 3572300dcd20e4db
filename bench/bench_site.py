"""Website build at network scale, and the fair LibreOffice/pandoc baseline.

    python bench/bench_site.py [--n 10,100,500] [--jobs N] [--baseline-at 100]
    python bench/bench_site.py --smoke          # N=3, no baseline (what CI runs)

For each N, N synthetic resellers (bench_scale.make_repo) go into a temporary git repository;
then, each in a new process that runs THIS checkout's generator (PYTHONPATH is set to it, not the
installed package): `mkdocs build` as a fresh clone runs it (no rendered/, no cache), `kiyaku
build`, and `mkdocs build` again after it. Printed: seconds, seconds per reseller, the search
index a visitor downloads, the home page's size, and the load average (the machine is shared).

The baseline (--baseline-at N) is the best way a user would run the alternative on the same
DOCX files: one `soffice --convert-to pdf` per core, each converting a batch, and pandoc on every
core. The old one-soffice-per-file-in-sequence figure is printed beside it. kiyaku's figure is a
cold `kiyaku build --no-cache` (all five formats) in the same run. Figures only: not a test;
lines starting with "figure " are for machines (tests/test_bench_smoke.py checks them).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_scale import SOFFICE, make_repo  # noqa: E402


def checkout_env() -> dict[str, str]:
    """The environment of every measured process: this checkout's generator, whatever is installed."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=checkout_env(), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def site_build(repo: Path) -> float:
    shutil.rmtree(repo / "site", ignore_errors=True)
    return timed(["mkdocs", "build", "-q", "-f", str(repo / "mkdocs.yml"), "-d", str(repo / "site")], repo)


def fresh_clone(repo: Path) -> None:
    """What a fresh clone has: no rendered/, no build cache, no site."""
    for name in ("rendered", ".kiyaku", "site"):
        shutil.rmtree(repo / name, ignore_errors=True)


def sizes(repo: Path) -> dict[str, float]:
    site = repo / "site"
    index = sum(p.stat().st_size for p in (site / "search").glob("*.json"))
    return {"search_kib": index / 1024, "home_kib": (site / "index.html").stat().st_size / 1024}


# --- the fair baseline ---------------------------------------------------------------------------

def _soffice_batch(files: list[Path], out: Path, profile: Path) -> None:
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, files)], check=True, capture_output=True, timeout=3600)


def _pandoc_batch(files: list[Path], out: Path) -> None:
    import pypandoc

    for path in files:
        pypandoc.convert_file(str(path), "html", outputfile=str(out / f"{path.stem}.html"))


def fair_baseline(docx: list[Path], out: Path, cores: int) -> float:
    """Seconds for PDF (LibreOffice) + HTML (pandoc) of every file, one soffice and one pandoc stream per core."""
    out.mkdir(parents=True, exist_ok=True)
    batches = [docx[i::cores] for i in range(cores) if docx[i::cores]]
    start = time.perf_counter()
    with cf.ThreadPoolExecutor(len(batches)) as pool:  # threads only wait: the work is in the child processes
        jobs = [pool.submit(_soffice_batch, b, out, out / f"profile{i}") for i, b in enumerate(batches)]
        for job in jobs:
            job.result()
    with cf.ThreadPoolExecutor(len(batches)) as pool:
        for job in [pool.submit(_pandoc_batch, b, out) for b in batches]:
            job.result()
    return time.perf_counter() - start


def naive_baseline(docx: list[Path], out: Path) -> float:
    """The old figure: one soffice process per file, in sequence, then pandoc."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for path in docx:
        _soffice_batch([path], out, out / "profile")
    _pandoc_batch(docx, out)
    return time.perf_counter() - start


# --- one scale -----------------------------------------------------------------------------------

def scale(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    repo = tmp / f"n{n}"
    ids = make_repo(n, repo)
    figures: dict[str, float] = {"n": n, "load": os.getloadavg()[0]}
    print(f"\n== N = {n} resellers (load average {figures['load']:.1f}) ==", flush=True)
    fresh_clone(repo)
    figures["site_fresh_s"] = site_build(repo)
    figures.update(sizes(repo))
    print(f"site, fresh clone          {figures['site_fresh_s']:8.2f} s  {figures['site_fresh_s'] / n:6.3f} s per reseller", flush=True)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    fresh_clone(repo)
    figures["build_cold_s"] = timed(["generator", "build", "--root", str(repo), "--no-cache", *jobs], repo)
    print(f"kiyaku build --no-cache    {figures['build_cold_s']:8.2f} s", flush=True)
    figures["site_s"] = site_build(repo)
    print(f"site, after kiyaku build   {figures['site_s']:8.2f} s  {figures['site_s'] / n:6.3f} s per reseller", flush=True)
    print(f"search index               {figures['search_kib']:8.0f} KiB   home page {figures['home_kib']:6.0f} KiB", flush=True)
    if args.baseline_at == n and Path(SOFFICE).exists():
        docx = [repo / "rendered" / v / f"{v}.docx" for v in ids]
        cores = os.cpu_count() or 1
        figures["baseline_s"] = fair_baseline(docx, tmp / f"fair{n}", cores)
        figures["ratio"] = figures["baseline_s"] / figures["build_cold_s"]
        print(f"baseline, {cores} soffice + {cores} pandoc on batches   {figures['baseline_s']:8.2f} s   "
              f"kiyaku is {figures['ratio']:.1f}× faster (and also makes DOCX, txt and md)", flush=True)
        # Like for like: the baseline makes PDF and HTML (from DOCX files it is given); so does this build.
        # It runs into a scratch folder: rendered/ stays the five-format build the site step used.
        figures["build_pdf_html_s"] = timed(["generator", "build", "--root", str(repo), "--no-cache", "--format", "pdf,html",
                                             "--out", str(tmp / f"pdfhtml{n}"), *jobs], repo)
        figures["ratio_pdf_html"] = figures["baseline_s"] / figures["build_pdf_html_s"]
        print(f"kiyaku build --no-cache --format pdf,html   {figures['build_pdf_html_s']:8.2f} s   "
              f"{figures['ratio_pdf_html']:.1f}× the baseline's speed for the same two formats", flush=True)
        if not args.no_naive:
            sample = docx[: max(1, min(len(docx), 20))]
            naive = naive_baseline(sample, tmp / f"naive{n}") * len(docx) / len(sample)
            figures["naive_baseline_s"] = naive
            print(f"old baseline, one soffice per file in sequence   {naive:8.2f} s (est. from {len(sample)} files; "
                  f"{naive / figures['build_cold_s']:.1f}×)", flush=True)
    figures["load_end"] = os.getloadavg()[0]
    print("figure " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()), flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", default="10,100,500", help="comma-separated numbers of resellers")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes for kiyaku build (default: all cores)")
    parser.add_argument("--baseline-at", type=int, default=100, help="N at which to run the fair baseline (0: never)")
    parser.add_argument("--no-naive", action="store_true", help="skip the old one-soffice-per-file baseline")
    parser.add_argument("--smoke", action="store_true", help="N=3, no baseline (CI)")
    parser.add_argument("--keep", help="keep the generated repositories in this folder")
    args = parser.parse_args()
    sizes_n = [3] if args.smoke else [int(x) for x in args.n.split(",") if x.strip()]
    if args.smoke:
        args.baseline_at = 0
    print(f"kiyaku site benchmark: {os.cpu_count()} cores, generator from {ROOT}, sizes {sizes_n}")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kiyaku-site-"))
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        rows = [scale(n, args, tmp) for n in sizes_n]
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print("\n   N  site fresh s  per reseller  build s  site after s  per reseller  search KiB  home KiB  load")
    for r in rows:
        print(f"{r['n']:4d} {r['site_fresh_s']:13.2f} {r['site_fresh_s'] / r['n']:13.3f} {r['build_cold_s']:8.2f} "
              f"{r['site_s']:13.2f} {r['site_s'] / r['n']:13.3f} {r['search_kib']:11.0f} {r['home_kib']:9.0f} {r['load']:5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
