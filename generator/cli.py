"""The `kiyaku` command: a thin layer over the library. Errors print as path:line:col, never tracebacks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from ._argparse_ja import JapaneseParser
from .source.errors import KiyakuError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _print_findings(findings, stream=None) -> None:
    """One `path:line:col: code message` per finding (warnings say 警告 after the code)."""
    stream = stream or sys.stderr  # looked up at call time, so a redirected stderr is honoured
    for finding in findings:
        text = finding.format()
        if finding.severity == "warning":
            text = text.replace(f" {finding.code} ", f" {finding.code} 警告: ", 1)
        print(text, file=stream)


def _emit(data: bytes, output: str | None, root: str = ".") -> int:
    """Write a rendering to -o FILE atomically, or to stdout; a bad -o is a finding, never a traceback."""
    if output:
        from .source._outdir import check_output_file
        from .source._writer import write_file_atomic
        from .source.errors import Finding, Location, OutputError

        try:
            check_output_file(Path(root), Path(output))
            write_file_atomic(Path(output), data)
        except OSError as exc:
            raise OutputError(Finding(Location(output), "O016", f"-o のファイルを書けません（{exc.strerror or exc.__class__.__name__}）。",
                                      "フォルダの場所・名前の長さ・書き込み権限を確認してください。")) from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return EXIT_OK


def _formats(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [f.strip() for value in values for f in value.split(",") if f.strip()]


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError("1 以上の整数を指定してください")
    return int(value)


def cmd_lint(args) -> int:
    from .lint.checks import lint

    findings = lint(args.root, cache=not args.no_cache)
    _print_findings(findings, sys.stdout)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    print(f"エラー {errors} 件、警告 {warnings} 件", file=sys.stderr)
    return EXIT_FINDINGS if errors else EXIT_OK


def cmd_render(args) -> int:
    from . import render
    from .build.builder import _check_formats, render_context, source_date_epoch
    from .compile.pipeline import compile_variant, load

    _check_formats([args.format])
    if args.at or args.edition:
        from .history.editions import document_at

        # a past edition is rendered with the default template: the record fixes the text, not the letterhead
        doc = document_at(Path(args.root), args.variant, at=args.at, edition=args.edition)
        context = render.RenderContext(root=str(args.root), timestamp=source_date_epoch(doc))
    else:
        project = load(args.root)
        doc = compile_variant(project, args.variant)
        context = render_context(project, Path(args.root), doc)
    data = render.get(args.format).render(doc, context)
    return _emit(data, args.output, args.root)


def cmd_build(args) -> int:
    from .build.builder import build

    result = build(args.root, args.variants or None, _formats(args.format), args.out, draft=args.draft,
                   jobs=args.jobs, cache=not args.no_cache)
    names: dict[str, list[str]] = {}
    for produced in result.files:
        names.setdefault(produced.variant_id, []).append(produced.name)
    touched = {f.variant_id for f in result.files if f.how != "kept"}
    rebuilt = [v for v in result.variants if v in touched]
    for variant_id in rebuilt:  # unchanged variants are counted below, not listed (500 lines say nothing)
        where = "（--draft: 書き込みなし）" if args.draft else f" → {result.out / variant_id}"
        print(f"{variant_id}: {', '.join(names[variant_id])}{where}")
    print(f"販売店 {len(result.variants)} 件（作り直し {len(rebuilt)} 件、変更なし {len(result.variants) - len(rebuilt)} 件）、"
          f"ファイル 描画 {len(result.rendered)} 件・再利用 {len(result.reused)} 件", file=sys.stderr)
    return EXIT_OK


def cmd_verify(args) -> int:
    from .build.verify import verify

    if args.against:
        from .history._published import check_published

        findings = check_published(args.root, args.against)
        _print_findings(findings)
        errors = [f for f in findings if f.severity == "error"]
        print(f"公開先との不一致 {len(errors)} 件" if errors else "公開された SHA-256 はすべて git のリリース記録と一致しました。",
              file=sys.stderr)
        return EXIT_FINDINGS if errors else EXIT_OK
    findings = verify(args.root, args.out, jobs=args.jobs)
    _print_findings(findings)
    if findings:
        print(f"不一致 {len(findings)} 件", file=sys.stderr)
        return EXIT_FINDINGS
    print("すべてのファイルがマニフェストと一致しました。", file=sys.stderr)
    return EXIT_OK


def cmd_compare(args) -> int:
    from .importing.compare import compare, report
    from .compile.pipeline import compile_variant, load
    from .source.errors import Finding, Location, SourceError
    from .render.text import render_text

    project = load(args.root)
    doc = compile_variant(project, args.variant)
    from .source._files import Limit, read_checked

    path = Path(args.file)
    try:  # through the file boundary: a FIFO or /dev/zero is refused before a byte is read
        theirs = read_checked(path, Limit(20 * 1024 * 1024, "比較するファイル", "C007")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(Finding(Location(str(path)), "C004", f"比較するファイルを読めません（{exc.__class__.__name__}）。",
                                  "UTF-8 のテキストまたは Markdown ファイルを指定してください。")) from None
    result = compare(render_text(doc), theirs, project.errata, args.variant)
    sys.stdout.write(report(result, verbose=not args.quiet))
    if args.min is not None and result.similarity < args.min:
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_schema(args) -> int:
    from .source.schema import write

    for path in write(Path(args.root) / args.out):
        print(path)
    return EXIT_OK


# --- Releases, history, diff, notices, feeds ---
# (generator.changes.release, generator.history.editions, generator.changes.diff, generator.changes.notice, generator.changes.feeds)

def cmd_release(args) -> int:
    from .source.errors import Finding, Location, ReleaseError
    from .changes.release import release

    if args.resume or args.abort:
        from .changes.release import resume_or_abort

        if args.resume and args.abort or args.variants or args.all:
            raise ReleaseError(Finding(Location("<コマンドライン>"), "C005", "--resume と --abort は単独で指定してください。",
                                       "例: kiyaku release --resume"))
        print(resume_or_abort(args.root, resume=args.resume))
        return EXIT_OK
    if bool(args.variants) == args.all:
        raise ReleaseError(Finding(Location("<コマンドライン>"), "C005", "販売店を指定するか、--all を付けてください（両方は不可）。",
                                   "例: kiyaku release hiroshima-cci --announce 2026-12-01 --effective 2027-01-01 --reason …"))
    records = release(args.root, None if args.all else args.variants, args.announce, args.effective, args.reason or "",
                      args.kind, args.service_change, args.baseline)
    for r in records:
        print(f"{r.variant}: 第{r.edition}版を記録しました（告知 {r.announced}、実施 {r.effective}、"
              f"ソース {r.source_commit[:10]}、タグ {r.variant}/ed{r.edition}）")
    return EXIT_OK


def cmd_status(args) -> int:
    from .changes.release import format_status, status

    from .changes.release import check_records

    # partial states (an interrupted release, a record without its tag, a tag without its record) with their repair
    problems = [f for f in check_records(args.root) if f.severity == "error"]
    _print_findings(problems)
    sys.stdout.write(format_status(status(args.root, args.variant)))
    return EXIT_FINDINGS if problems else EXIT_OK


def cmd_diff(args) -> int:
    from .changes.diff import diff, format_diff
    from .history.editions import document_for_ref

    old = document_for_ref(args.root, args.variant, args.from_ref)
    new = document_for_ref(args.root, args.variant, args.to_ref)
    print(f"{args.variant}: {args.from_ref}（第{old.edition}版） → {args.to_ref}（第{new.edition}版）")
    sys.stdout.write(format_diff(diff(old, new)))
    return EXIT_OK


def cmd_notice(args) -> int:
    from .changes.notice import make_notice, render_notice

    data = render_notice(make_notice(args.root, args.variant, args.edition, args.terms_url), args.format)
    return _emit(data, args.output, args.root)


def cmd_feed(args) -> int:
    from .changes.feeds import atom

    data = atom(args.root, args.variant, args.base_url)
    return _emit(data, args.output, args.root)


def cmd_import(args) -> int:
    from .importing.importer import import_terms

    result = import_terms(args.file, args.variant, root=args.root, name=args.name, dry_run=args.dry_run, force=args.force)
    sys.stdout.write(result.report)
    print("（--dry-run: 書き込みなし）" if args.dry_run else f"書き込みました: {result.path}", file=sys.stderr)
    return EXIT_OK


def cmd_redline(args) -> int:
    from .word.redline import redline

    result = redline(args.root, args.variant, args.from_ref, args.to_ref, author=args.author)
    print(f"{args.variant}: 第{result.old_edition}版 → 第{result.new_edition}版、変更履歴 {result.changes} 件", file=sys.stderr)
    return _emit(result.data, args.output)


def cmd_apply(args) -> int:
    from .word.apply import apply_docx

    result = apply_docx(args.file, root=args.root, variant_id=args.variant, dry_run=args.dry_run,
                        pending=args.pending, to_shared=args.to == "shared")
    sys.stdout.write(result.report)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = JapaneseParser(prog="kiyaku", description="規約をコードとして管理する（terms of use as code）")
    p.add_argument("--version", action="version", version=f"kiyaku {__version__}", help="版を表示して終了する")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", title="コマンド")

    def add(name: str, help_text: str, func):
        sp = sub.add_parser(name, help=help_text, description=help_text)
        sp.add_argument("--root", default=".", help="規約リポジトリのフォルダ（既定: 現在のフォルダ）")
        sp.set_defaults(func=func)
        return sp

    sp = add("lint", "ソースを検査する（スキーマ、ID、参照、パラメータ、校正）", cmd_lint)
    sp.add_argument("--no-cache", action="store_true", help="前回の結果（.kiyaku/cache）を読まずにすべて検査する（結果は書き込む）")
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
    sp.add_argument("--jobs", "-j", type=_jobs, help="並列に描画するプロセス数（既定: CPU の数）")
    sp.add_argument("--no-cache", action="store_true", help="変更のない販売店も含めてすべて描画し直す（.kiyaku/cache を読まない。結果は書き込むので次の build はすぐ終わる）")
    sp = add("verify", "rendered/ のファイルをマニフェストとソースに照らして検証する（キャッシュを使わず作り直す）", cmd_verify)
    sp.add_argument("--out", help="出力フォルダ（既定: rendered/）")
    sp.add_argument("--jobs", "-j", type=_jobs, help="並列に描画するプロセス数（既定: CPU の数）")
    sp.add_argument("--against", nargs="+", metavar="SITE_DIR_OR_URL",
                    help="公開サイト（フォルダまたは https:// の URL）の SHA-256 を git のリリース記録と照合する")
    sp = add("compare", "販売店の規約を外部の文書（テキスト・Markdown）と条ごとに比較する", cmd_compare)
    sp.add_argument("variant")
    sp.add_argument("file")
    sp.add_argument("--quiet", action="store_true", help="一致率だけを表示する")
    sp.add_argument("--min", type=float, help="全体の一致率がこれ未満なら終了コード 1")
    sp = add("schema", "エディタ用の JSON Schema を schema/ に書き出す", cmd_schema)
    sp.add_argument("--out", default="schema", help="出力フォルダ（既定: schema/）")
    sp = add("release", "販売店の規約の新しい版を記録する（リリース記録をコミットし、タグを付ける）", cmd_release)
    sp.add_argument("variants", nargs="*", metavar="VARIANT")
    sp.add_argument("--all", action="store_true", help="本文が変わった販売店をすべてリリースする")
    sp.add_argument("--announce", help="告知日 YYYY-MM-DD（日本時間）")
    sp.add_argument("--effective", help="実施日 YYYY-MM-DD（告知日の翌日から予告期間（既定 30 日）が満了した翌日以降）")
    sp.add_argument("--reason", help="変更の理由（お知らせに載ります）")
    sp.add_argument("--kind", default="不利益変更", choices=["利益変更", "不利益変更"], help="変更の種類（既定: 不利益変更）")
    sp.add_argument("--service-change", action="store_true", help="本サービスの内容の変更を含む（第12条第5項の返金期限をお知らせに載せる）")
    sp.add_argument("--baseline", action="store_true", help="variants/<id>.yaml の現在の版を基準版として記録する（最初の 1 回）")
    sp.add_argument("--resume", action="store_true", help="途中で止まったリリース（.kiyaku/release-journal.json）を最後まで行う")
    sp.add_argument("--abort", action="store_true", help="途中で止まったリリースを取り消し、元の状態に戻す")
    sp = add("status", "販売店ごとに、現在の版・告知済みの版・未リリースの変更を表示する", cmd_status)
    sp.add_argument("variant", nargs="?")
    sp = add("diff", "2 つの版の違いを条項 ID で対応づけて表示する", cmd_diff)
    sp.add_argument("variant")
    sp.add_argument("--from", dest="from_ref", required=True, help="git の版、ed<版番号>、または WORKTREE")
    sp.add_argument("--to", dest="to_ref", default="WORKTREE", help="git の版、ed<版番号>、または WORKTREE（既定）")
    sp = add("notice", "規約変更のお知らせ（新旧対照表つき）を作る", cmd_notice)
    sp.add_argument("variant")
    sp.add_argument("--edition", type=int, help="版（既定: 最新の変更）")
    sp.add_argument("--format", default="md", choices=["md", "html", "docx", "pdf"])
    sp.add_argument("-o", "--output", help="出力ファイル（既定: 標準出力）")
    sp.add_argument("--terms-url", help="規約 HTML の URL（条へのリンク用、既定: <販売店>.html）")
    sp = add("feed", "お知らせの Atom フィード（販売店ごと、または全販売店）", cmd_feed)
    sp.add_argument("variant", nargs="?")
    sp.add_argument("--base-url", default="", help="公開先の URL（https://…/ で終わる）")
    sp.add_argument("-o", "--output", help="出力ファイル（既定: 標準出力）")
    sp = add("import", "既存の規約（.docx / .md / .txt）を取り込み、共有条項との違いを販売店ファイルにする", cmd_import)
    sp.add_argument("file")
    sp.add_argument("--variant", required=True, help="新しい販売店 ID（例: hiroshima-cci）")
    sp.add_argument("--name", help="販売店の正式名称（既定: 原本の表紙から読み取る）")
    sp.add_argument("--dry-run", action="store_true", help="報告だけを表示し、何も書き込まない")
    sp.add_argument("--force", action="store_true", help="既存の variants/<ID>.yaml を上書きする")
    sp = add("new", "新しい販売店のファイルを、既存の販売店を手本に作る（TODO を埋めて使う）", cmd_new)
    sp.add_argument("variant", metavar="VARIANT", help="新しい販売店 ID（例: fukuyama-cci）")
    sp.add_argument("--like", required=True, metavar="EXISTING", help="手本にする既存の販売店 ID（例: hiroshima-cci）")
    sp.add_argument("--name", required=True, help="販売店の正式名称（例: 福山商工会議所）")
    sp.add_argument("--dry-run", action="store_true", help="内容を表示するだけで書き込まない")
    sp = add("redline", "2 つの版の違いを Word の変更履歴つき文書（.docx）にする", cmd_redline)
    sp.add_argument("variant")
    sp.add_argument("--from", dest="from_ref", required=True, help="git の版、ed<版番号>、または WORKTREE")
    sp.add_argument("--to", dest="to_ref", default="WORKTREE", help="git の版、ed<版番号>、または WORKTREE（既定）")
    sp.add_argument("-o", "--output", required=True, help="出力ファイル（.docx）")
    sp.add_argument("--author", default="kiyaku", help="変更履歴の作成者（既定: kiyaku）")
    sp = add("apply", "Word で編集された規約（.docx）の変更を YAML に書き戻す（コミットはしない）", cmd_apply)
    sp.add_argument("file")
    sp.add_argument("--variant", help="販売店 ID（既定: 文書のプロパティから読み取る）")
    sp.add_argument("--dry-run", action="store_true", help="変更内容を表示するだけで書き込まない")
    sp.add_argument("--pending", default="refuse", choices=["refuse", "accept", "ignore"],
                    help="未処理の変更履歴: refuse（既定、中止）| accept（すべて承諾したものとして読む）| ignore（変更前の文として読む）")
    sp.add_argument("--to", default="variant", choices=["variant", "shared"],
                    help="書き込み先: variant（既定、販売店ファイルの上書き）| shared（terms/ の共有条項）")
    return p


def cmd_new(args) -> int:
    from .importing.scaffold import new_variant

    result = new_variant(args.root, args.variant, args.like, args.name, dry_run=args.dry_run)
    if args.dry_run:
        sys.stdout.write(result.text)
        print("（--dry-run: 書き込みなし）", file=sys.stderr)
    else:
        print(f"書き込みました: {result.path}\n    → ファイル先頭の手順に沿って TODO を埋め、kiyaku lint で確かめてください。", file=sys.stderr)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    import os

    from .source._faults import git_failed_finding, git_missing_finding, os_finding, prepare_streams, utf8_argv

    prepare_streams()
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # no git on PATH: our own message, not an ImportError
    args = parser().parse_args(utf8_argv(sys.argv[1:] if argv is None else argv))
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
    except OSError as exc:
        if _git_missing(exc):
            _print_findings([git_missing_finding()])
        else:
            _print_findings([os_finding(exc)])
        return EXIT_FINDINGS
    except Exception as exc:  # noqa: BLE001 — only git's own failures are turned into a message
        import git

        if _git_missing(exc):
            _print_findings([git_missing_finding()])
        elif isinstance(exc, git.GitCommandError):
            _print_findings([git_failed_finding(exc)])
        else:
            raise
        return EXIT_FINDINGS


def _git_missing(exc: BaseException) -> bool:
    import git

    return isinstance(exc, git.GitCommandNotFound) or (isinstance(exc, FileNotFoundError) and exc.filename == "git")


if __name__ == "__main__":
    sys.exit(main())
