"""Throwaway helper: parse a seed text (PDF extraction) into articles/paragraphs/items/blocks.

Used once to transcribe the two seed documents into terms/ and variants/. It normalises the
extraction noise listed in /work/shared/DOMAIN.md (markdown marks, half-width brackets, spaces
between Japanese and digits/Latin, lines broken at page ends, sentence ends cut to ものとし、)
and replaces the reseller's self-reference and name by {self} / {name}.

    python tools/seed_convert.py /work/shared/seeds/000_aee22a7e7b248959.txt   # dump as JSON
    python tools/seed_convert.py A.txt B.txt --diff                            # paragraph diff

It does not write YAML: ids, references and placeholders were decided by hand.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
import unicodedata
from pathlib import Path

SEEDS = {
    "000": dict(self_ref="弊社", name="アイティサポート城東株式会社",
                # 1-based line numbers that continue the previous line (page breaks)
                joins={35, 55, 72, 91, 115, 146, 147, 251, 282}, drop_tail={}, drop_head={}),
    "001": dict(self_ref="本所", name="広島商工会議所",
                joins={35, 57, 75, 88, 147, 168, 198, 211, 240},
                # text duplicated by the extraction on both sides of a page break
                drop_tail={35: "「サ"}, drop_head={88: "ます。"}),
}

HEAD = re.compile(r"^第(\d+)条[（(](.+)[）)]$")
PARA = re.compile(r"^(\d+)\.(.*)$")
ITEM = re.compile(r"^[（(](\d+)[）)](.*)$")

KEEP_SPACES = [
    ("サイバーセキュリティ見守りサービスサービス仕様書", "サイバーセキュリティ見守りサービス サービス仕様書"),
    ("お助け実働隊地域IT事業者", "お助け実働隊 地域IT事業者"),
    ("UnifiedThreatManagement", "Unified Threat Management"),
]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("**", "")
    text = re.sub(r"\s+", "", text)
    for old, new in KEEP_SPACES:
        text = text.replace(old, new)
    text = text.replace("(", "（").replace(")", "）").replace("~", "～").replace("關", "関")
    text = re.sub(r"に関する事(?=[、な])", "に関すること", text)
    text = text.replace("ものとし。", "ものとします。")
    text = re.sub(r"ものとし、(?=(但し|なお)、)", "ものとします。", text)
    text = re.sub(r"ものとし、$", "ものとします。", text)
    return text


def clean_line(line: str) -> str:
    line = line.strip()
    line = re.sub(r"^#+\s*", "", line)
    line = line.replace("**", "")
    line = re.sub(r"^-\s*", "", line)
    return line.strip()


def parse(path: Path) -> dict:
    key = path.name[:3]
    conf = SEEDS[key]
    lines = path.read_text(encoding="utf-8").splitlines()
    # 1. logical lines: join page breaks
    logical: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = clean_line(raw)
        if not line:
            continue
        if number in conf["joins"]:
            tail = conf["drop_tail"].get(number)
            head = conf["drop_head"].get(number)
            prev_no, prev = logical[-1]
            if tail and prev.endswith(tail):
                prev = prev[: -len(tail)]
            if head and line.startswith(head):
                line = line[len(head):]
            logical[-1] = (prev_no, prev + line)
        else:
            logical.append((number, line))
    articles = []
    doc = {"cover": [], "articles": articles, "supplementary": None, "appendix": []}
    article = para = item = None
    state = "cover"
    for number, line in logical:
        squeezed = re.sub(r"\s+", "", line)
        if state == "appendix":
            doc["appendix"].append(line)
            continue
        if squeezed == "附則":
            state = "supplementary"
            continue
        if state == "supplementary":
            if squeezed.startswith("<別紙>"):
                state = "appendix"
                continue
            doc["supplementary"] = line
            continue
        m = HEAD.match(squeezed)
        if m:
            state = "body"
            article = {"no": int(m.group(1)), "caption": m.group(2), "line": number,
                       "lead": None, "paragraphs": [], "items": []}
            articles.append(article)
            para = item = None
            continue
        if state == "cover":
            doc["cover"].append(line)
            continue
        m = PARA.match(squeezed)
        if m:
            para = {"no": int(m.group(1)), "line": number, "blocks": [m.group(2)], "items": []}
            article["paragraphs"].append(para)
            item = None
            continue
        m = ITEM.match(squeezed)
        if m:
            item = {"no": int(m.group(1)), "line": number, "blocks": [m.group(2)]}
            (para["items"] if para else article["items"]).append(item)
            continue
        if item is not None:
            item["blocks"].append(line)
        elif para is not None:
            para["blocks"].append(line)
        else:
            article["lead"] = line
    # 2. normalise text and self reference
    def fix(text: str) -> str:
        text = normalise(text)
        return text.replace(conf["name"], "{name}").replace(conf["self_ref"], "{self}")
    for article in articles:
        article["caption"] = fix(article["caption"])
        if article["lead"]:
            article["lead"] = fix(article["lead"])
        for p in article["paragraphs"]:
            p["blocks"] = [fix(b) for b in p["blocks"]]
            for i in p["items"]:
                i["blocks"] = [fix(b) for b in i["blocks"]]
        for i in article["items"]:
            i["blocks"] = [fix(b) for b in i["blocks"]]
    return doc


def flat(doc: dict) -> list[tuple[str, str]]:
    out = []
    for a in doc["articles"]:
        out.append((f"{a['no']}", a["caption"]))
        if a["lead"]:
            out.append((f"{a['no']}.lead", a["lead"]))
        for i in a["items"]:
            for k, b in enumerate(i["blocks"]):
                out.append((f"{a['no']}.({i['no']}).{k}", b))
        for p in a["paragraphs"]:
            for k, b in enumerate(p["blocks"]):
                out.append((f"{a['no']}.{p['no']}.{k}", b))
            for i in p["items"]:
                for k, b in enumerate(i["blocks"]):
                    out.append((f"{a['no']}.{p['no']}.({i['no']}).{k}", b))
    return out


def main(argv: list[str]) -> None:
    if "--diff" in argv:
        a, b = (dict(flat(parse(Path(p)))) for p in argv[:2])
        for key in list(a) + [k for k in b if k not in a]:
            x, y = a.get(key), b.get(key)
            if x == y:
                continue
            print(f"== {key}")
            if x is None or y is None:
                print("  A:", x)
                print("  B:", y)
                continue
            sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op != "equal":
                    print(f"  {op}: A[{x[max(0,i1-8):i2+8]}] B[{y[max(0,j1-8):j2+8]}]")
        return
    print(json.dumps(parse(Path(argv[0])), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
