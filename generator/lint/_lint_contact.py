"""Lint: the contact block a reseller's 規約変更のお知らせ prints (variant fields address, phone, email, web).

Why only once a notice is released: a reseller whose only record is its baseline has never sent a
notice, and its terms render without these fields. From the first release after the baseline on,
a notice without a way to reach the issuer is not something a legal department would sign, so a
missing field is an error (L011). A value still marked ``TODO`` (the fields shipped for resellers
whose contact data is not confirmed yet) is a warning (L012) on every run until someone fills it in.

The check runs in two steps so lint's cache stays correct: the gaps of every variant depend only on
the sources (cached with them); which variants have released a notice is read from releases/ on
every run, like the other release checks.
"""

from __future__ import annotations

from pathlib import Path

from ..source.errors import Finding, ReleaseError
from ..source.load import Project

FIELDS = {"address": "所在地", "phone": "電話番号", "email": "電子メールアドレス", "web": "ウェブページ"}
MISSING, TODO = "L011", "L012"


def contact_gaps(project: Project) -> list[tuple[str, Finding]]:
    """(variant id, finding) for every contact field that is missing or still TODO."""
    out = []
    for variant_id, variant in sorted(project.variants.items()):
        relpath = project.variant_files[variant_id]
        for name, label in FIELDS.items():
            value = getattr(variant, name)
            if value is None or not value.strip():
                out.append((variant_id, Finding(project.where(relpath, ("id",)), MISSING,
                                                f"規約変更のお知らせに載せる連絡先の{label}（{name}）がありません。",
                                                f"variants/{variant_id}.yaml に {name}: を書いてください（お知らせを出す販売店は必須）。")))
            elif value.strip().upper().startswith("TODO"):
                out.append((variant_id, Finding(project.where(relpath, (name,)), TODO,
                                                f"連絡先の{label}（{name}）が未確定です: {value.strip()}",
                                                "販売店に確認して正しい値を書いてください。お知らせにはこのまま印刷されます。", "warning")))
    return out


def notifying_variants(root: Path) -> set[str]:
    """Variants with a release record after their baseline, i.e. that have sent a change notice."""
    from ..history.editions import load_records

    try:
        records = load_records(root)
    except ReleaseError:  # a broken record is reported by the release checks; here it only means "unknown"
        return set()
    return {variant for variant, recs in records.items() if any(not r.is_baseline for r in recs)}


def contact_findings(root: Path, gaps: list[tuple[str, Finding]]) -> list[Finding]:
    """The gaps that matter: a TODO value always (a warning), a missing field once the variant has released a notice."""
    notifying = notifying_variants(root)
    return [f for variant, f in gaps if f.code == TODO or variant in notifying]
