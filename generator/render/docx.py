"""DOCX through docxtpl: resellers get a Word file they can put on their letterhead.

The layout lives in a Word template (default: generator/templates/terms.docx, made by
tools/make_docx_template.py). A variant may name its own template (``template:`` in
variants/<id>.yaml, relative to the repository root) to restyle without code.

Jinja runs with autoescape (``&`` and ``<`` in a clause stay text in the XML) and
StrictUndefined; before rendering, the template's variables are checked against the view
(generator/render/_view.py) so a typo in a reseller's template is reported with the file name
instead of silently printing nothing.

Determinism: docxtpl/python-docx output differs between runs only in zip timestamps, so the
package is rewritten with one fixed timestamp (RenderContext.timestamp), [Content_Types].xml
first and the other entries sorted, and docProps/core.xml created/modified set to that time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from . import RenderContext
from ..compile.document import NumberedDocument
from ..source._budget import MAX_OUTPUT, BudgetedSandbox, BudgetExceeded, budget_error, check_zip, time_budget
from ..source._files import Limit, read_checked
from ..source.errors import Finding, Location, RenderError, SourceError
from ._docx_ids import stamp
from ._view import View, document_view

DEFAULT_TEMPLATE = "terms.docx"
TEMPLATE_LIMIT = Limit(20 * 1024 * 1024, "DOCX テンプレート", "R019")
_FIRST = "[Content_Types].xml"


def _template_path(context: RenderContext) -> tuple[Path, str]:
    """The template file and the name shown in messages; a variant's template must stay inside the repository."""
    if not context.template:
        return Path(str(resources.files("generator").joinpath("templates", DEFAULT_TEMPLATE))), \
            f"generator/templates/{DEFAULT_TEMPLATE}"
    shown = context.template
    where = context.template_origin or Location(shown)
    # realpath, not Path.resolve(): a template that is a symlink loop must be a finding, not a RuntimeError
    root = Path(os.path.realpath(context.root))
    path = Path(os.path.realpath(root / shown))
    if Path(shown).is_absolute() or not path.is_relative_to(root):
        raise RenderError(Finding(where, "R010", f"テンプレート「{shown}」がリポジトリの外を指しています。",
                                  "template: にはリポジトリのフォルダからの相対パスを書いてください（例: templates/letterhead.docx）。"))
    if not os.path.lexists(path):
        raise RenderError(Finding(where, "R011", f"テンプレート「{shown}」がありません。",
                                  "ファイル名と場所を確認するか、template: の行を削除して既定のテンプレートを使ってください。"))
    return path, shown


def _template_bytes(context: RenderContext) -> tuple[bytes, str]:
    """The template's bytes through the file boundary, with its ZIP directory checked before any part is unpacked."""
    path, shown = _template_path(context)
    where = context.template_origin or Location(shown)
    try:
        data = read_checked(path, TEMPLATE_LIMIT, Path(context.root) if context.template else None, where)
    except SourceError as exc:
        raise RenderError(exc.findings) from None
    check_zip(data, where, "R019")
    return data, shown


class _DocxSandbox(BudgetedSandbox):
    """The sandbox, with each template's XML compiled once per process instead of once per reseller.

    docxtpl compiles the document XML with from_string() on every render, and Jinja caches only
    templates it loads by name: at 500 resellers that compiled the same 300 kB of XML 500 times
    (about a fifth of a DOCX render). The compiled code depends only on the source and on the
    environment's settings, which _environment() makes the same every time.
    """

    _compiled: dict[tuple[str, bool], Any] = {}
    _KEEP = 8  # templates kept: the default one and a few resellers' own

    def compile(self, source: Any, name: str | None = None, filename: str | None = None, raw: bool = False,
                defer_init: bool = False) -> Any:
        if not isinstance(source, str) or name or filename or raw or defer_init:
            return super().compile(source, name, filename, raw, defer_init)
        key = (source, bool(self.autoescape))
        code = self._compiled.get(key)
        if code is None:
            code = super().compile(source)
            if len(self._compiled) >= self._KEEP:
                self._compiled.pop(next(iter(self._compiled)))
            self._compiled[key] = code
        return code


def _environment() -> jinja2.Environment:
    # Sandboxed: a reseller's template is outside input, and plain Jinja can reach Python internals;
    # budgeted: it must not be able to ask for gigabytes or hours either (generator/source/_budget.py).
    # an empty loader: {% include %} / {% extends %} in a template is R013 (not found), not a TypeError traceback
    return _DocxSandbox(autoescape=True, undefined=jinja2.StrictUndefined, loader=jinja2.DictLoader({}))


class _Record:
    """A view dict read by attribute only, without dict's methods.

    Jinja looks up attributes before keys, so on a plain dict ``{{ a.items }}`` would print
    "<built-in method items>"; on a record it is an unknown name and reported as R012.
    """

    __slots__ = ("_data",)

    def __init__(self, data: dict) -> None:
        self._data = data

    def __getattr__(self, name: str):
        try:
            return self._data[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str):
        return self._data[name]


def _records(value):
    if isinstance(value, dict):
        return _Record({k: _records(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_records(v) for v in value]
    return value


def _unknown_name(exc: jinja2.UndefinedError) -> str:
    """The name out of Jinja's English message ("'x' is undefined", "… has no attribute 'x'")."""
    found = re.findall(r"'([^']+)'", exc.message or "")
    return found[-1] if found else str(exc)


_VARIABLES: dict[bytes, frozenset[str]] = {}  # template SHA-256 -> the names it uses (parsing it cost 60 ms a render)


def _template_variables(template: DocxTemplate, data: bytes, env: jinja2.Environment) -> frozenset[str]:
    """Every name the template reads that it does not set itself; raises TemplateSyntaxError."""
    key = hashlib.sha256(data).digest()
    if key not in _VARIABLES:
        if len(_VARIABLES) >= 8:
            _VARIABLES.pop(next(iter(_VARIABLES)))
        _VARIABLES[key] = frozenset(template.get_undeclared_template_variables(env))
    return _VARIABLES[key]


def _check_variables(template: DocxTemplate, data: bytes, env: jinja2.Environment, view: View, shown: str) -> None:
    try:
        unknown = _template_variables(template, data, env) - set(view) - set(env.globals)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(Finding(Location(shown), "R013", f"テンプレート「{shown}」の差し込み記法に誤りがあります: {exc.message}",
                                  "{{ 変数 }} と {%p for … %} … {%p endfor %} の組を確認してください。")) from None
    if unknown:
        names = ", ".join(sorted(unknown))
        raise RenderError(Finding(Location(shown), "R012", f"テンプレート「{shown}」に未定義の変数があります: {names}",
                                  f"使える変数: {', '.join(sorted(view))}（詳しくは docs/templates.md）"))


def _check_tables(template: DocxTemplate, shown: str, where: Location) -> None:
    """Every table needs its column grid: docxtpl reads it while rendering and would crash (AttributeError)."""
    if any(tbl.find(qn("w:tblGrid")) is None for tbl in template.docx.element.body.iter(qn("w:tbl"))):
        raise RenderError(Finding(where, "R014", f"テンプレート「{shown}」の表に列の定義（w:tblGrid）がありません。",
                                  "Word で開いて「名前を付けて保存」（.docx）し直してください。"))


def _core_properties(template: DocxTemplate, doc: NumberedDocument, when: dt.datetime) -> None:
    """Metadata a reader sees in Word's properties; dates fixed so the bytes do not depend on the clock."""
    props = template.docx.core_properties
    props.title = doc.title
    props.author = doc.provider
    props.subject = f"{doc.service} {doc.subtitle}"
    props.keywords = f"{doc.provider}, 第{doc.edition}版, {doc.issued.isoformat()}"
    props.comments = f"{doc.provider} 第{doc.edition}版（{doc.issued_text}）"
    props.identifier = f"{doc.variant_id}-{doc.edition}"
    props.language = "ja-JP"
    props.last_modified_by = doc.provider
    props.revision = doc.edition
    props.created = props.modified = when.replace(tzinfo=None)


def _text_width(text: str) -> int:
    """Width in half-width units (a kanji counts two), the measure table columns are balanced by."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_columns(template: DocxTemplate, cap: int = 40) -> None:
    """Columns made by a {%tc %} loop come out equally wide; share the width by each column's longest cell.

    Word would autofit, LibreOffice does not. Tables whose template columns differ in width were
    sized by hand in the template and are kept as they are.
    """
    for tbl in template.docx.element.body.iter(qn("w:tbl")):
        cols = tbl.find(qn("w:tblGrid")).findall(qn("w:gridCol"))  # every table has one (_check_tables)
        widths = {c.get(qn("w:w")) for c in cols}
        if len(cols) < 2 or len(widths) != 1 or None in widths:
            continue
        need = [4] * len(cols)
        for row in tbl.findall(qn("w:tr")):
            for i, cell in enumerate(row.findall(qn("w:tc"))[: len(cols)]):
                text = "".join(t.text or "" for t in cell.iter(qn("w:t")))
                need[i] = max(need[i], min(cap, _text_width(text) + 2))
        total = int(cols[0].get(qn("w:w"))) * len(cols)
        twips = [total * n // sum(need) for n in need]
        for col, width in zip(cols, twips):
            col.set(qn("w:w"), str(width))
        for row in tbl.findall(qn("w:tr")):
            for cell, width in zip(row.findall(qn("w:tc")), twips):
                props = cell.find(qn("w:tcPr"))
                if props is not None and props.find(qn("w:tcW")) is None:
                    tcw = props.makeelement(qn("w:tcW"), {qn("w:w"): str(width), qn("w:type"): "dxa"})
                    props.insert(0, tcw)


def normalise_zip(data: bytes, timestamp: int) -> bytes:
    """Same content → same bytes: fixed entry times and attributes, a stable entry order."""
    when = dt.datetime.fromtimestamp(max(timestamp, 315532800), dt.timezone.utc)  # zip dates start in 1980
    date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda n: (n != _FIRST, n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()


def render_docx(doc: NumberedDocument, context: RenderContext) -> bytes:
    data, shown = _template_bytes(context)
    view = document_view(doc)
    env = _environment()
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise RenderError(Finding(context.template_origin or Location(shown), "R014",
                                  f"テンプレート「{shown}」を Word ファイルとして開けません（{exc.__class__.__name__}）。",
                                  "Word で「.docx」形式で保存し直してください。")) from None
    _check_tables(template, shown, context.template_origin or Location(shown))
    _check_variables(template, data, env, view, shown)
    try:
        with time_budget():
            template.render({k: _records(v) for k, v in view.items()}, env)  # env escapes: one switch, not two
    except BudgetExceeded as exc:
        raise budget_error(exc.code, shown, context.template_origin) from None
    except RecursionError:
        raise budget_error("R016", shown, context.template_origin) from None
    except jinja2.UndefinedError as exc:
        raise RenderError(Finding(Location(shown), "R012", f"テンプレート「{shown}」に未定義の変数があります: {_unknown_name(exc)}",
                                  "使える変数は docs/templates.md にあります（号は entries、項は paragraphs）。")) from None
    except jinja2.exceptions.SecurityError:
        raise RenderError(Finding(Location(shown), "R015", f"テンプレート「{shown}」が許可されていない操作をしています。",
                                  "テンプレートでは変数の表示と for / if だけを使ってください。")) from None
    except jinja2.TemplateError as exc:
        raise RenderError(Finding(Location(shown), "R013", f"テンプレート「{shown}」の差し込み記法に誤りがあります: {exc}",
                                  "{{ 変数 }} と {%p for … %} … {%p endfor %} の組を確認してください。")) from None
    _fit_columns(template)
    stamp(template.docx.element.body, doc)  # ids for kiyaku apply / redline (generator/render/_docx_ids.py)
    when = dt.datetime.fromtimestamp(context.timestamp, dt.timezone.utc)
    _core_properties(template, doc, when)
    buffer = io.BytesIO()
    template.save(buffer)
    if buffer.tell() > MAX_OUTPUT:
        raise budget_error("R018", shown, context.template_origin)
    return normalise_zip(buffer.getvalue(), context.timestamp)


class DocxRenderer:
    name, extension = "docx", ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(self, doc: NumberedDocument, context: RenderContext | None = None) -> bytes:
        return render_docx(doc, context or RenderContext())
