"""`kiyaku new VARIANT --like EXISTING --name NAME`: a complete starting file for a new reseller.

The new file has every option listed, every parameter the shared text uses (copied from the
model reseller with a TODO marker, which lint reports until it is replaced), the appendices its
options require (the model's own name replaced by {name}), and a short guide at the top.
The model's overrides are not copied: they reproduce the model's own document, not the new one.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..compile.params import TODO
from ..compile.pipeline import load
from ..history._calendar import today_jst
from ..source import _suggest
from ..source._yaml import make_yaml
from ..source.errors import Finding, Location, SourceError
from ..source.load import check_variant_id
from ..source.model import Appendix, Variant

GUIDE = """\
{name}（{variant_id}）の規約ファイルです。kiyaku new で {like} をもとに作りました。
手順（詳しくは docs/format.md の「販売店を追加する」）:
 1. 「{todo}: 」で始まる値をすべて、この販売店の値に書き換えます（「{todo}: 」の後ろは {like} の値です）。
    料金（type: yen）は 79200 のように整数だけで書きます。カンマや「円」は付けません。
 2. options: を確認します。各オプションの意味と、有効にすると必要になる別紙・パラメータは
    docs/format.md の「オプション一覧」にあります。
 3. appendices:（別紙）の表を、この販売店の料金表に合わせます。料金は {{installation_fee}} のように
    パラメータで書くと、本文と別紙とお知らせの新旧対照表が一度に変わります。
 4. 共通文と違う文言は overrides: に理由（reason:）つきで書きます。
 5. kiyaku lint がエラー 0 件になったら kiyaku build {variant_id} で出力を確かめ、
    kiyaku release {variant_id} --baseline で第1版を記録します。
    edition / issued / effective は、その後の版では kiyaku release が書き込みます（手で直しません）。
"""


@dataclass(frozen=True)
class NewVariant:
    variant_id: str
    path: Path
    text: str
    written: bool


def new_variant(root: Path | str, variant_id: str, like: str, name: str, dry_run: bool = False,
                today: dt.date | None = None) -> NewVariant:
    """Write variants/<variant_id>.yaml modelled on variants/<like>.yaml (or only return it with dry_run)."""
    check_variant_id(variant_id)
    root = Path(root)
    target = root / "variants" / f"{variant_id}.yaml"
    if target.exists() and not dry_run:
        raise SourceError(Finding(Location(f"variants/{variant_id}.yaml"), "N001", f"販売店「{variant_id}」のファイルは既にあります。",
                                  "別の販売店 ID を指定するか、既存のファイルを編集してください。"))
    if not name.strip():
        raise SourceError(Finding(Location("<コマンドライン>"), "N003", "--name（販売店の正式名称）が空です。", '例: --name "福山商工会議所"'))
    project = load(root)
    if like not in project.variants:
        raise SourceError(Finding(Location("<コマンドライン>"), "N002", f"手本にする販売店「{like}」はありません。",
                                  _suggest.did_you_mean(like, project.variants, f"あるのは: {', '.join(sorted(project.variants))}")))
    model = project.variants[like]
    day = (today or today_jst()).isoformat()  # Japan time, as kiyaku release counts days
    text = _dump(_data(project.document.parameters, project.document.options, model, variant_id, name, day),
                 GUIDE.format(name=name, variant_id=variant_id, like=like, todo=TODO))
    if not dry_run:
        from ..source._writer import write_file_atomic

        target.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomic(target, text.encode("utf-8"))
    return NewVariant(variant_id, target, text, not dry_run)


def _data(parameters, options, model: Variant, variant_id: str, name: str, day: str) -> CommentedMap:
    out = CommentedMap()
    out["id"] = variant_id
    out["name"] = name
    out["self"] = DoubleQuotedScalarString(f"{TODO}: {model.self_ref}")
    out["edition"] = 1
    out["issued"] = DoubleQuotedScalarString(day)
    out["effective"] = DoubleQuotedScalarString(day)
    out["notice_days"] = model.notice_days
    out.yaml_add_eol_comment("第1版の表紙の日付と実施日。kiyaku release --baseline がこのまま記録します", "issued")
    params = CommentedMap()
    for key, decl in parameters.items():
        value = model.params.get(key, decl.example if decl.example is not None else "")
        params[key] = DoubleQuotedScalarString(f"{TODO}: {value}")
        params.yaml_add_eol_comment(f"{decl.type}: {decl.description}", key)
    out["params"] = params
    chosen = CommentedMap()
    for key, decl in options.items():
        chosen[key] = model.options.get(key, decl.default)
        chosen.yaml_add_eol_comment(decl.description, key)
    out["options"] = chosen
    if model.appendices:
        out["appendices"] = [_appendix(a, model.name) for a in model.appendices]
    return out


def _appendix(appendix: Appendix, old_name: str) -> Any:
    data = appendix.model_dump(exclude_none=True, exclude_defaults=True)
    for section in data.get("sections", []):
        table = section.get("table") or {}
        if table.get("missing"):  # the model's reason is about the model's source, not this reseller
            table["missing"] = f"{TODO}: この販売店の料金表を columns: と rows: に書き、この missing: の行を消してください"
    return _rename(data, old_name)


def _rename(data: Any, old_name: str, key: str = "") -> Any:
    """The model's own name becomes {name}, so the appendix already speaks of the new reseller."""
    if isinstance(data, dict):
        return CommentedMap((k, _rename(v, old_name, k)) for k, v in data.items())
    if isinstance(data, list):
        items = [_rename(v, old_name) for v in data]
        if key == "columns":
            return _flow(items)
        return [_flow(v) for v in items] if key == "rows" else items
    if isinstance(data, str):
        return data.replace(old_name, "{name}") if old_name else data
    return data


def _flow(items: list) -> CommentedSeq:
    row = CommentedSeq(items)
    row.fa.set_flow_style()  # a table row on one line reads like the table
    return row


def _dump(data: CommentedMap, guide: str) -> str:
    data.yaml_set_start_comment(guide)
    stream = io.StringIO()
    make_yaml().dump(data, stream)
    return stream.getvalue()
