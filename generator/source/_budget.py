"""Limits on everything a reseller's template or an imported document can make grow.

Why: a DOCX template is outside input. Jinja's sandbox stops it reaching Python internals but
not from asking for `{{ 'x' * 10**12 }}` (MemoryError), `range(100000)` nested three deep or a
macro that calls itself twice per level (hours). Each limit here has a named error:

- R016 テンプレートの計算が大きすぎる: *, **, + and range() whose result would exceed the budget
  (checked before the operation runs, so nothing big is ever allocated);
- R017 テンプレートの描画に時間がかかりすぎる: wall-clock budget per render (SIGALRM, main thread;
  worker processes render in their main thread, so builds are covered);
- R018 出力が大きすぎる: the rendered document above MAX_OUTPUT;
- I009 / R019 DOCX の展開後が大きすぎる・部品が多すぎる: checked from the ZIP directory before any
  part is decompressed (Python's zipfile never inflates more than an entry's declared size).
"""

from __future__ import annotations

import contextlib
import io
import operator
import signal
import threading
import zipfile
from typing import Any, Iterator

from jinja2.sandbox import SandboxedEnvironment

from .errors import Finding, Location, RenderError, SourceError

MAX_VALUE = 1_000_000  # characters or items one template expression may produce
MAX_RANGE = 10_000
RENDER_SECONDS = 20.0
MAX_OUTPUT = 50 * 1024 * 1024
MAX_DOCX_PARTS = 1_000
MAX_DOCX_UNPACKED = 100 * 1024 * 1024


class BudgetExceeded(Exception):
    """Raised inside a render; the renderer turns it into R016/R017 with the template's name."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else 0


def _power_size(base: Any, exp: Any) -> bool:
    """Whether base ** exp would be a huge number (ints only; floats overflow cleanly)."""
    return isinstance(base, int) and isinstance(exp, int) and abs(base) > 1 and exp * max(abs(base).bit_length(), 1) > 4096


class BudgetedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with sizes checked before *, ** and + run, and a shorter range()."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _range

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            count = right if isinstance(right, int) else left if isinstance(left, int) else 1
            if max(_size(left), _size(right)) * abs(count) > MAX_VALUE:
                raise BudgetExceeded("R016")
            return operator.mul(left, right)
        if operator_ == "**":
            if _power_size(left, right):
                raise BudgetExceeded("R016")
            return operator.pow(left, right)
        if _size(left) + _size(right) > MAX_VALUE:
            raise BudgetExceeded("R016")
        return operator.add(left, right)


def _range(*args: int) -> range:
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise BudgetExceeded("R016")
    return rng


@contextlib.contextmanager
def time_budget(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """Raise BudgetExceeded("R017") in the main thread after seconds; elsewhere no timer (mkdocs serve threads)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(_signum: int, _frame: Any) -> None:
        raise BudgetExceeded("R017")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def budget_error(code: str, shown: str, where: Location | None = None) -> RenderError:
    where = where or Location(shown)
    if code == "R017":
        return RenderError(Finding(where, "R017", f"テンプレート「{shown}」の描画が {RENDER_SECONDS:.0f} 秒を超えました。",
                                   "ループの入れ子やマクロの再帰を減らしてください（テンプレートでは変数の表示と for / if だけを使ってください）。"))
    if code == "R018":
        return RenderError(Finding(where, "R018", f"テンプレート「{shown}」の出力が {MAX_OUTPUT // 2**20} MB を超えました。",
                                   "ループの入れ子や繰り返しを減らし、テンプレートに埋め込んだ画像などを小さくしてください。"))
    return RenderError(Finding(where, "R016", f"テンプレート「{shown}」の計算結果が大きすぎます（上限 {MAX_VALUE:,} 文字・要素、range は {MAX_RANGE:,}）。",
                               "文字列の掛け算・べき乗・大きな range() を使わないでください。"))


def check_zip(data: bytes, where: Location, code: str = "R019") -> None:
    """Refuse a DOCX whose parts would unpack to more than MAX_DOCX_UNPACKED or number over MAX_DOCX_PARTS.

    Reads only the ZIP's central directory; raises SourceError (import) or RenderError (template).
    """
    error = SourceError if code.startswith("I") else RenderError
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise error(Finding(where, "I003" if code.startswith("I") else "R014",
                            f"DOCX ファイルとして読めません（{exc.__class__.__name__}）。",
                            "Word で開いて「名前を付けて保存」（.docx）し直してください。")) from None
    if len(infos) > MAX_DOCX_PARTS:
        raise error(Finding(where, code, f"DOCX の部品が多すぎます（{len(infos):,} 個、上限 {MAX_DOCX_PARTS:,} 個）。",
                            "Word で開いて「名前を付けて保存」し直してください。規約の文書か確認してください。"))
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_DOCX_UNPACKED:
        raise error(Finding(where, code, f"DOCX の展開後の大きさが上限を超えます（{unpacked:,} バイト、上限 {MAX_DOCX_UNPACKED:,} バイト）。",
                            "画像を圧縮するか、規約の文書だけを指定してください。"))
