"""The source model: what a file in terms/ or variants/ may contain.

Each class is the schema of one kind of YAML node. Fields are declared once, with a
description that also becomes the JSON Schema shown by editors while legal staff type.
Unknown keys are refused (extra="forbid") so that a typo never silently drops a clause.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

import datetime as dt

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
PATH_PATTERN = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

Id = Annotated[str, Field(pattern=ID_PATTERN, description="安定した ID（半角英小文字・数字・ハイフン）。番号ではありません。")]
IdPath = Annotated[str, Field(pattern=PATH_PATTERN, description="ID をドットでつないだ場所（例: fees.no-refund）。")]


def _real_date(value: str) -> str:
    """A date that passes the pattern but does not exist (2026-02-30) is refused here, not in a renderer."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("impossible_date", "存在しない日付です") from None
    return value


DateStr = Annotated[str, Field(pattern=DATE_PATTERN, description='日付（"YYYY-MM-DD"、必ず引用符で囲む）。'),
                    AfterValidator(_real_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Block(Strict):
    """A text block that overrides can target by id."""

    id: Id
    text: str = Field(description="本文。{self} などのパラメータ、{ref:ID} の参照、{if オプション}…{end} が使えます。")


TextBlocks = Union[str, list[Union[str, Block]]]
TEXT_DESCRIPTION = "本文。1 つの文なら文字列、複数の段落（ブロック）ならリスト。"


class Item(Strict):
    """号: an item (1) (2) … inside a paragraph, or directly under an article's lead sentence."""

    id: Id
    text: TextBlocks = Field(description=TEXT_DESCRIPTION)
    when: str | None = Field(None, description="このオプションが有効な販売店だけに入れる（「not オプション名」で逆）。")


class Paragraph(Strict):
    """項: a numbered paragraph 1. 2. … with optional items."""

    id: Id
    text: TextBlocks | None = Field(None, description=TEXT_DESCRIPTION)
    items: list[Item] = Field(default_factory=list, description="号のリスト。")
    after: TextBlocks | None = Field(None, description="号のあとに続く本文（あれば）。")
    when: str | None = Field(None, description="このオプションが有効な販売店だけに入れる（「not オプション名」で逆）。")


class Article(Strict):
    """条: one file in terms/. Its number is computed from the order in terms/document.yaml."""

    id: Id
    caption: str = Field(description="見出し（括弧は付けない）。例: 目的")
    lead: TextBlocks | None = Field(None, description="番号のない柱書き（第23条のように号だけが続く条など）。")
    paragraphs: list[Paragraph] = Field(default_factory=list, description="項のリスト。")
    items: list[Item] = Field(default_factory=list, description="柱書きの直後に続く号（項がない条のみ）。")
    when: str | None = Field(None, description="このオプションが有効な販売店だけに入れる。")


class Table(Strict):
    """A table in an appendix; ``missing`` marks a table the source lacks (reported by lint)."""

    columns: list[str] = Field(default_factory=list, description="列見出し。")
    rows: list[list[str]] = Field(default_factory=list, description="行（各行は列見出しと同じ数のセル）。")
    missing: str | None = Field(None, description="表が原本にない場合、その理由。lint が警告として報告します。")


class AppendixSection(Strict):
    """One part of an appendix, referred to from clauses by its mark (※1, ※2)."""

    id: Id
    mark: str = Field(description="参照記号。例: ※1")
    heading: str = Field(description="見出し。例: サイバーインシデント駆け付け・初動対処価格")
    text: TextBlocks | None = Field(None, description="表の前の本文。")
    table: Table | None = None
    notes: list[str] = Field(default_factory=list, description="表の後の注記（※ で始まる文）。")


class Appendix(Strict):
    """別紙: an appendix of a variant (or shared by all)."""

    id: Id
    title: str = Field(description="別紙の表題。")
    sections: list[AppendixSection] = Field(default_factory=list)


class Requirement(Strict):
    """What a variant must provide once an option is on: an appendix section or a parameter."""

    section: IdPath | None = Field(None, description="必要な別紙の節（別紙ID.節ID、例: fee-schedule.incident）。")
    param: str | None = Field(None, description="必要なパラメータ名。")
    when: str | None = Field(None, description="この条件のときだけ必要（例: not self_installation）。")


class OptionDecl(Strict):
    """An option that switches optional clauses on or off per reseller."""

    description: str
    default: bool = False
    switches: list[IdPath] = Field(default_factory=list, description="このオプションで入る・変わる条項（説明用、docs/format.md の表に出ます）。")
    requires: list[Requirement] = Field(default_factory=list, description="有効にした販売店が書かなければならない別紙の節・パラメータ。")


ParamType = Literal["yen", "date", "count", "text", "choice"]


class ParameterDecl(Strict):
    """A parameter every variant supplies (a fee, a scope, a word), with its type."""

    description: str
    type: ParamType = Field("text", description="yen（円、整数で 79200 と書く。表示は 79,200）/ date（\"YYYY-MM-DD\"）/ count（整数）/ text（文字列）/ choice（choices のどれか）。")
    choices: list[str] = Field(default_factory=list, description="type: choice のときに選べる値。")
    example: str | int | None = None


KIND_WORDING = {
    "利益変更": "お客様の一般の利益に適合する変更",
    "不利益変更": "お客様のご負担または制約が増える場合がある変更",
}


class NoticeWording(Strict):
    """How a 規約変更のお知らせ words what customers read (the release record keeps its own codes)."""

    kinds: dict[Literal["利益変更", "不利益変更"], str] = Field(
        default_factory=lambda: dict(KIND_WORDING),
        description="変更の種類（リリース記録の区分）ごとに、お知らせでお客様に示す表現。例: 不利益変更: 料金の値上げを含む変更")
    addressee: str = Field("お客様各位", description="宛名。")


class DocumentConfig(Strict):
    """terms/document.yaml: the title page, the order of articles, options and parameters."""

    service: str = Field(description="サービス名。")
    subtitle: str = Field(description="表紙の副題。例: サービス利用規約 (利用契約内容)")
    title: str = Field(description="本文の表題。")
    articles: list[Id] = Field(description="条の並び順（ID）。番号はこの順に自動で振られます。")
    supplementary: TextBlocks = Field(description="附則。{effective} で実施日が入ります。")
    options: dict[str, OptionDecl] = Field(default_factory=dict)
    parameters: dict[str, ParameterDecl] = Field(default_factory=dict)
    appendices: list[Appendix] = Field(default_factory=list, description="全販売店共通の別紙（通常はなし）。")
    release_branch: str = Field("main", pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$",
                                description="kiyaku release を実行できるブランチ（既定: main）。")
    notice: NoticeWording = Field(default_factory=NoticeWording, description="規約変更のお知らせの文言（宛名、変更の種類の表現）。")

    @field_validator("options", "parameters")
    @classmethod
    def _ascii_names(cls, value: dict) -> dict:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"名前「{name}」は半角英小文字・数字・_ で書いてください")
        return value


class Override(Strict):
    """A change one variant makes to the shared clauses, addressed by id path."""

    replace: IdPath | None = Field(None, description="置き換える条・項・号・ブロックの場所。")
    insert_after: IdPath | None = Field(None, description="この場所の後に新しい項・号を入れる。")
    insert_before: IdPath | None = Field(None, description="この場所の前に新しい項・号を入れる。")
    remove: IdPath | None = Field(None, description="削除する場所。")
    text: TextBlocks | None = Field(None, description="replace: 新しい本文。")
    caption: str | None = Field(None, description="replace: 新しい見出し（条のみ）。")
    paragraph: Paragraph | None = Field(None, description="insert: 新しい項。")
    item: Item | None = Field(None, description="insert: 新しい号。")
    article: Article | None = Field(None, description="insert: 新しい条。")
    reason: str = Field(description="この販売店だけ違う理由（審査用）。")


PREFECTURES = ("北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
               "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
               "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
               "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
               "宮崎県", "鹿児島県", "沖縄県")
Prefecture = Literal[PREFECTURES]  # type: ignore[valid-type]


class Variant(Strict):
    """variants/<id>.yaml: one reseller's identity, parameters, options, overrides and appendices."""

    id: Id
    name: str = Field(description="販売店の正式名称。例: 広島商工会議所")
    prefecture: Prefecture | None = Field(None, description="所在地の都道府県（例: 広島県）。サイトのホームで販売店を都道府県ごとに並べます。")
    self_ref: str = Field(alias="self", description="自称。例: 本所 / 弊社")
    edition: int = Field(ge=1, description="版。例: 7（第7版）")
    issued: DateStr = Field(description="表紙の日付（\"YYYY-MM-DD\"、必ず引用符で囲む）。")
    effective: DateStr = Field(description="附則の実施日（\"YYYY-MM-DD\"、必ず引用符で囲む）。")
    notice_days: int = Field(30, ge=1, le=365, description="規約変更の予告期間（日）。第3条第3項。")
    template: str | None = Field(None, description="DOCX の独自テンプレート（リポジトリからの相対パス）。")
    address: str | None = Field(None, description="お知らせの連絡先: 所在地（郵便番号から）。規約変更のお知らせを出す販売店は必須。")
    phone: str | None = Field(None, description="お知らせの連絡先: 問い合わせ先の電話番号（受付時間を添えてもよい）。規約変更のお知らせを出す販売店は必須。")
    email: str | None = Field(None, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+|TODO.*)$", description="お知らせの連絡先: 問い合わせ先の電子メールアドレス。規約変更のお知らせを出す販売店は必須。")
    web: str | None = Field(None, pattern=r"^(https?://[^\s]+|TODO.*)$", description="お知らせの連絡先: 本サービスの公式ウェブページ（https://…、第3条第3項の告知先）。規約変更のお知らせを出す販売店は必須。")
    params: dict[str, str | int] = Field(default_factory=dict, description="パラメータの値。yen と count は整数（79200）、それ以外は文字列。")
    options: dict[str, bool] = Field(default_factory=dict, description="オプションの有効・無効。")
    overrides: list[Override] = Field(default_factory=list)
    appendices: list[Appendix] = Field(default_factory=list, description="この販売店の別紙。")

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)


class ErratumEntry(Strict):
    """One correction of a defect in a source document, for legal staff to approve."""

    id: Id
    source: str = Field(description="原本（例: seeds/000 第12条第3項、l.167）。")
    variants: list[str] = Field(description="影響する販売店。")
    where: str = Field(description="場所（ID パス）。")
    original: str
    corrected: str
    why: str
    status: Literal["proposed", "approved"] = "proposed"


class Errata(Strict):
    errata: list[ErratumEntry]
