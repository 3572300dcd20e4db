"""The `kiyaku` command: a thin layer over the library. Errors print as path:line:col, never tracebacks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import KiyakuError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _print_findings(findings, stream=sys.stderr) -> None:
    for finding in findings:
        prefix = "警告: " if finding.severity == "warning" else ""
        print(prefix + finding.format() if not prefix else finding.format().replace(f" {finding.code} ", f" {finding.code} {prefix}", 1), file=stream)


def _formats(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [f.strip() for value in values for f in value.split(",") if f.strip()]


def cmd_lint(args) -> int:
    from .lint import lint

    findings = lint(args.root)
    _print_findings(findings, sys.stdout)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    print(f"エラー {errors} 件、警告 {warnings} 件", file=sys.stderr)
    return EXIT_FINDINGS if errors else EXIT_OK


def cmd_render(args) -> int:
    from . import render
    from .build import source_date_epoch
    from .compile import compile_variant, load

    fmt = args.format
    if args.at or args.edition:
        from .history import document_at

        doc, context_root = document_at(Path(args.root), args.variant, at=args.at, edition=args.edition), args.root
    else:
        project = load(args.root)
        doc = compile_variant(project, args.variant)
    renderer = render.get(fmt)
    template = None
    data = renderer.render(doc, render.RenderContext(root=str(args.root), timestamp=source_date_epoch(doc), template=template))
    if args.output:
        from ._writer import write_file_atomic

        write_file_atomic(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def cmd_build(args) -> int:
    from .build import build

    result = build(args.root, args.variants or None, _formats(args.format), args.out, draft=args.draft)
    for variant in result.variants:
        names = ", ".join(n for n in variant.files if n != "manifest.json")
        where = "（--draft: 書き込みなし）" if args.draft else f" → {result.out / variant.variant_id}"
        print(f"{variant.variant_id}: {names}{where}")
    return EXIT_OK


def cmd_verify(args) -> int:
    from .build import verify

    findings = verify(args.root, args.out)
    _print_findings(findings)
    if findings:
        print(f"不一致 {len(findings)} 件", file=sys.stderr)
        return EXIT_FINDINGS
    print("すべてのファイルがマニフェストと一致しました。", file=sys.stderr)
    return EXIT_OK


def cmd_compare(args) -> int:
    from .compare import compare, report
    from .compile import compile_variant, load
    from .errors import Finding, Location, SourceError
    from .render.text import render_text

    project = load(args.root)
    doc = compile_variant(project, args.variant)
    path = Path(args.file)
    try:
        theirs = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(Finding(Location(str(path)), "C004", f"比較するファイルを読めません（{exc.__class__.__name__}）。",
                                  "UTF-8 のテキストまたは Markdown ファイルを指定してください。")) from None
    result = compare(render_text(doc), theirs, project.errata, args.variant)
    sys.stdout.write(report(result, verbose=not args.quiet))
    if args.min is not None and result.similarity < args.min:
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_schema(args) -> int:
    from .schema import write

    for path in write(Path(args.root) / args.out):
        print(path)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiyaku", description="規約をコードとして管理する（terms of use as code）")
    p.add_argument("--version", action="version", version=f"kiyaku {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str, func):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--root", default=".", help="規約リポジトリのフォルダ（既定: 現在のフォルダ）")
        sp.set_defaults(func=func)
        return sp

    add("lint", "ソースを検査する（スキーマ、ID、参照、パラメータ、校正）", cmd_lint)
    sp = add("render", "1 つの販売店の規約を出力する（既定: 標準出力）", cmd_render)
    sp.add_argument("variant")
    sp.add_argument("--format", default="txt", help="txt | md | html | docx | pdf")
    sp.add_argument("-o", "--output", help="出力ファイル")
    sp.add_argument("--at", help="この日（YYYY-MM-DD）に有効だった版を出力する")
    sp.add_argument("--edition", type=int, help="この版を出力する")
    sp = add("build", "全販売店（または指定した販売店）を rendered/ に出力する", cmd_build)
    sp.add_argument("variants", nargs="*")
    sp.add_argument("--format", action="append", help="形式（繰り返し可、カンマ区切り可）")
    sp.add_argument("--out", help="出力フォルダ（既定: rendered/）")
    sp.add_argument("--draft", action="store_true", help="出力を作って検査するが書き込まない")
    sp = add("verify", "rendered/ のファイルをマニフェストとソースに照らして検証する", cmd_verify)
    sp.add_argument("--out", help="出力フォルダ（既定: rendered/）")
    sp = add("compare", "販売店の規約を外部の文書（テキスト・Markdown）と条ごとに比較する", cmd_compare)
    sp.add_argument("variant")
    sp.add_argument("file")
    sp.add_argument("--quiet", action="store_true", help="一致率だけを表示する")
    sp.add_argument("--min", type=float, help="全体の一致率がこれ未満なら終了コード 1")
    sp = add("schema", "エディタ用の JSON Schema を schema/ に書き出す", cmd_schema)
    sp.add_argument("--out", default="schema", help="出力フォルダ（既定: schema/）")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KiyakuError as exc:
        _print_findings(exc.findings)
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
