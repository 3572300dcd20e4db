"""Proofreading rules: the kinds of error found in the real source documents.

Each rule is a regular expression over clause text with a code, a message for legal staff
and a hint. Rules are data so that the legal team can read (and extend) the list.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: re.Pattern[str]
    message: str
    hint: str
    severity: str = "error"


_KANJI = "一-龯々"
_JAPANESE = f"ぁ-ゖァ-ヺ{_KANJI}"

RULES: tuple[Rule, ...] = (
    Rule("PR001", re.compile(rf"([おご])\1(?=[{_KANJI}])"), "接頭語の「{0}」が重なっています（例: おお客様）。", "一つ削除してください。"),
    Rule("PR001", re.compile(r"(?<![ぁ-ゖ])(の|を|が)\1(?![ぁ-ゖ])"), "助詞「{0}」が重なっています。", "一つ削除してください。"),
    Rule("PR002", re.compile(r"第\s*\d+\s*第\s*\d+\s*[項号]"), "手書きの参照「{0}」に「条」がありません。", "{ref:条のID.項のID} で書くと番号は自動で正しく入ります。"),
    Rule("PR003", re.compile(r"本項第\s*\d+\s*項"), "「{0}」: 項の中に項はありません（本条第N項の誤り）。", "{ref:ID:本条} で書いてください。"),
    Rule("PR004", re.compile(r"(?<![法令則])第\s*(\d+)\s*条(?:\s*第\s*(\d+)\s*項)?"), "条項番号「{0}」が手書きされています。", "{ref:ID} で書くと、条の追加・削除で番号がずれません。"),
    Rule("PR006", re.compile(rf"\([^()（）]*[{_JAPANESE}][^()（）]*\)"), "日本語の括弧書きに半角の括弧が使われています: 「{0}」", "全角の（ ）にそろえてください。"),
    Rule("PR007", re.compile(r"(?<=[あかさたなはまやらわ])つ(?=た[。、と])"), "促音の「っ」が大きい「つ」になっています（例: あつた）。", "「っ」に直してください。"),
    Rule("PR008", re.compile(r"振り出しまは"), "「{0}」は「振り出しまたは」の誤りと思われます。", "「た」を補ってください。"),
    Rule("PR008", re.compile(r"現実が発生"), "「{0}」は「現実に発生」の誤りと思われます。", "「が」を「に」に直してください。"),
    Rule("PR008", re.compile(r"非開示者"), "「{0}」は「被開示者」（開示を受けた者）の誤りと思われます。", "「被開示者」に直してください。"),
    Rule("PR009", re.compile(r"(?:\{self\}|本所|弊社)の?業務委託先等"), "「{0}」: 定義された用語は「業務提携先等」です（第4条第5項）。", "「業務提携先等」に直してください。"),
    # PR011 (invisible and bidi characters) is checked in every field, not only here: generator/source/_textchars.py
    Rule("PR012", re.compile(r"[\uff61-\uff9f]+"), "半角カナ「{0}」が使われています。", "全角のカタカナに直してください。"),
    Rule("PR014", re.compile(r"[\uff10-\uff19][\uff10-\uff19，,．]*"), "全角数字「{0}」が使われています（金額・日付が環境によって揃わず、検索にも掛かりません）。",
         "半角で「{1}」と書いてください。料金なら {member_fee} のようにパラメータで書くと、すべての箇所が一度に変わります。"),
    Rule("PR013", re.compile(r"\u301c"), "波ダッシュ（〜 U+301C）が使われています。", "全角チルダ「～」（U+FF5E）にそろえてください（環境によって表示が変わるため）。", "warning"),
)

_REF_WITH_CAPTION = re.compile(r"\{ref:([a-z0-9.-]+)\}（([^（）{}]+)）")


@dataclass(frozen=True)
class Hit:
    code: str
    start: int
    message: str
    hint: str
    severity: str


def proofread(text: str) -> list[Hit]:
    hits = []
    for rule in RULES:
        for match in rule.pattern.finditer(text):
            hint = rule.hint.replace("{1}", unicodedata.normalize("NFKC", match.group(0)))
            hits.append(Hit(rule.code, match.start(), rule.message.replace("{0}", match.group(0)), hint, rule.severity))
    return hits


def typed_captions(text: str) -> list[tuple[int, str, str]]:
    """(offset, article id, caption typed after a reference) for checks against the real caption."""
    return [(m.start(), m.group(1), m.group(2)) for m in _REF_WITH_CAPTION.finditer(text)]
