"""argparse in Japanese: usage errors name what is wrong in the users' language, exit 2.

argparse writes its own messages in English; the ones a user can cause are mapped here
to Japanese (a message not in the table is shown as it is, after the Japanese prefix).
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import NoReturn

EXIT_USAGE = 2

_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^the following arguments are required: (.+)$"), "次の引数が必要です: {0}"),
    (re.compile(r"^unrecognized arguments: (.+)$"), "知らない引数があります: {0}"),
    (re.compile(r"^argument (\S+): invalid choice: (.+?) \(choose from (.+)\)$"), "引数 {0}: {1} は選べません（選べる値: {2}）"),
    (re.compile(r"^argument (\S+): expected one argument$"), "引数 {0} には値を 1 つ指定してください"),
    (re.compile(r"^argument (\S+): expected at least one argument$"), "引数 {0} には値を 1 つ以上指定してください"),
    (re.compile(r"^argument (\S+): expected at most one argument$"), "引数 {0} に指定できる値は 1 つまでです"),
    (re.compile(r"^argument (\S+): invalid (\S+) value: (.+)$"), "引数 {0}: 値 {2} は正しくありません（{1} で指定してください）"),
    (re.compile(r"^argument (\S+): not allowed with argument (.+)$"), "引数 {0} は {1} と一緒には使えません"),
    (re.compile(r"^argument (\S+): ignored explicit argument (.+)$"), "引数 {0} には値 {1} を付けられません"),
    (re.compile(r"^argument (\S+): (.+)$"), "引数 {0}: {1}"),
    (re.compile(r"^one of the arguments (.+) is required$"), "次の引数のどれかが必要です: {0}"),
    (re.compile(r"^ambiguous option: (\S+) could match (.+)$"), "オプション {0} は複数に当てはまります: {1}"),
)


def translate(message: str) -> str:
    for pattern, japanese in _MESSAGES:
        found = pattern.match(message)
        if found:
            return japanese.format(*(translate(g) if g and g.startswith("argument ") else g for g in found.groups()))
    return message


class JapaneseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):  # noqa: ANN001 - argparse's signature
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class JapaneseParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and usage errors are in Japanese (subparsers inherit it)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", JapaneseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="この説明を表示して終了する")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: エラー: {translate(message)}\n    → {self.prog} -h で使い方を表示します。\n")
