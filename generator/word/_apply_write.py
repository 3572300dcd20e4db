"""Writing an apply plan into the YAML files: in place where the text was written, else a new override.

Every edit is a splice (generator/source/_yaml_splice.py): the file is re-read after each one, so
positions stay right and untouched lines keep their bytes and comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..compile.resolve import RText, ResolvedVariant
from ..source._yaml import load_yaml_text
from ..source._yaml_splice import append_item, replace_value
from ..source.errors import Finding
from ._apply_map import origin_path


class Files:
    """Texts of the files being edited, read once and re-parsed after every splice."""

    def __init__(self, root: Path) -> None:
        self.root, self.texts = root, {}

    def text(self, relpath: str) -> str:
        if relpath not in self.texts:
            self.texts[relpath] = (self.root / relpath).read_text(encoding="utf-8")
        return self.texts[relpath]

    def positions(self, relpath: str) -> dict:
        return load_yaml_text(self.text(relpath), Path(relpath)).positions

    def data(self, relpath: str) -> Any:
        return load_yaml_text(self.text(relpath), Path(relpath)).data

    def replace(self, relpath: str, path: tuple, value: Any) -> None:
        old = _get(load_yaml_text(self.text(relpath), Path(relpath)).tree, path)
        if isinstance(value, str) and isinstance(old, str) and type(old) is not str:
            value = type(old)(value)  # keep the quoting the author chose ("16,500円" stays quoted)
        self.texts[relpath] = replace_value(self.text(relpath), self.positions(relpath), path, value)

    def append(self, relpath: str, key: str, item: Any) -> None:
        self.texts[relpath] = append_item(self.text(relpath), self.positions(relpath), key, item)


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _as_yaml(rtext: RText, source: str) -> Any:
    return {"id": rtext.id, "text": source} if rtext.id else source


def _in_place(files: Files, resolved: ResolvedVariant, texts: list[RText], edits: dict[int, str | None]) -> bool:
    """Edit the blocks where they were written; False when some block's field cannot be found."""
    by_origin: dict[tuple, list[int]] = {}
    for j in edits:
        by_origin.setdefault((texts[j].origin.path, texts[j].origin.line, texts[j].origin.col), []).append(j)
    for (relpath, _line, _col), changed in by_origin.items():
        path = origin_path(resolved, texts[changed[0]].origin)
        if path is None:
            return False
        value = _get(files.data(relpath), path)
        group = [j for j, t in enumerate(texts) if (t.origin.path, t.origin.line, t.origin.col) == (relpath, _line, _col)]
        if isinstance(value, str):
            if edits[changed[0]] is None:
                return False
            files.replace(relpath, path, edits[changed[0]])
            continue
        new_list = []
        for k, j in enumerate(group):
            old = value[k]
            if j in edits and edits[j] is None:
                continue
            src = edits.get(j, old["text"] if isinstance(old, dict) else old)
            new_list.append({**old, "text": src} if isinstance(old, dict) else src)
        if not new_list:
            return False
        if len(new_list) == len(value):
            for k, j in enumerate(group):
                if j in edits:
                    files.replace(relpath, path + ((k, "text") if isinstance(value[k], dict) else (k,)), edits[j])
        else:
            files.replace(relpath, path, new_list)
    return True


def write_plan(plan, resolved: ResolvedVariant, root: Path, to_shared: bool, reason: str) -> tuple[dict[str, str], list[Finding]]:
    files, findings = Files(root), []
    vfile = resolved.project.variant_files[resolved.variant.id]

    def override(item: dict) -> None:
        files.append(vfile, "overrides", {**item, "reason": reason})

    for (node_path, field), edits in plan.changes.items():
        node = plan.nodes[node_path]
        texts = node.lead if field == "lead" else node.after if field == "after" else node.blocks
        writable = all(texts[j].origin.path == vfile or (to_shared and texts[j].origin.path.startswith("terms/")) for j in edits)
        if writable and _in_place(files, resolved, texts, edits):
            continue
        if all(v is None for v in edits.values()) and len(edits) == len(texts) and field != "lead":
            override({"remove": node_path})
            continue
        if len(edits) == 1 and texts[next(iter(edits))].id:
            j = next(iter(edits))
            op = {"remove": f"{node_path}.{texts[j].id}"} if edits[j] is None else {"replace": f"{node_path}.{texts[j].id}", "text": edits[j]}
            override(op)
            continue
        if field == "after":
            findings.append(Finding(texts[0].origin, "W106", "号の後の文（after）は販売店ごとの上書きにできません。",
                                    "--to shared で共有条項に書き込むか、YAML を直接編集してください。"))
            continue
        blocks = [_as_yaml(t, edits.get(j, t.text)) for j, t in enumerate(texts) if edits.get(j, t.text) is not None]
        override({"replace": node_path, "text": blocks[0] if len(blocks) == 1 and isinstance(blocks[0], str) else blocks})
    for article_id, caption in plan.captions.items():
        node = plan.nodes[article_id]
        relpath = node.origin.path
        if to_shared and relpath.startswith("terms/"):
            files.replace(relpath, ("caption",), caption)
        else:
            override({"replace": article_id, "caption": caption})
    for relpath, path, text in plan.plain:
        if relpath.startswith("terms/") and not to_shared:
            findings.append(Finding(resolved.project.where(relpath, path), "W109", "共有の文（全販売店の表紙・共通の別紙）が変更されています。",
                                    "全販売店に反映してよければ --to shared を付けて実行してください。"))
            continue
        files.replace(relpath, path, text)
    for item in plan.inserts:
        files.append(vfile, "overrides", item)
    return files.texts, findings
