"""The kinds of ledger entry (台账), declared once: the model, the fields a unit fills in, and the columns shown on
the page, in the spreadsheet and in the documents. Services, views, exports and indicators all read this table.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bangfu.assistance.models import Donation, Fund, LeaderVisit, ProduceTrade, Project, Training


@dataclass(frozen=True)
class Column:
    key: str  # a field name, or `get_X_display`
    heading: str
    width: int = 12
    number: bool = False


@dataclass(frozen=True)
class LedgerKind:
    key: str
    model: type
    label: str
    fields: tuple[str, ...]  # what a unit fills in (unit is set by the service, never posted)
    columns: tuple[Column, ...]


_DATE = Column("date", _("日期"), 11)
_VILLAGE = Column("village_name", _("村"), 14)
_UNIT = Column("unit_label", _("帮扶单位"), 14)

LEDGER_KINDS: tuple[LedgerKind, ...] = (
    LedgerKind("fund", Fund, _("帮扶资金"),
               ("date", "flow", "amount", "source", "purpose", "village", "project", "note"),
               (_UNIT, _DATE, Column("get_flow_display", _("类别"), 10), Column("amount", _("金额（元）"), 14, True),
                Column("source", _("资金来源"), 18), Column("purpose", _("用途"), 28), _VILLAGE)),
    LedgerKind("project", Project, _("帮扶项目"),
               ("date", "name", "direction", "budget", "status", "beneficiaries", "village", "note"),
               (_UNIT, _DATE, Column("name", _("项目名称"), 28), Column("get_direction_display", _("帮扶方向"), 10),
                Column("budget", _("项目资金（元）"), 14, True), Column("get_status_display", _("状态"), 8),
                Column("beneficiaries", _("受益人数"), 8, True), _VILLAGE)),
    LedgerKind("donation", Donation, _("捐赠"),
               ("date", "form", "recipient", "items", "value", "joint_name", "village", "note"),
               (_UNIT, _DATE, Column("get_form_display", _("形式"), 6), Column("recipient", _("受赠方"), 20),
                Column("items", _("物资明细"), 28), Column("value", _("价值（元）"), 14, True),
                Column("joint_name", _("联合捐赠"), 18))),
    LedgerKind("training", Training, _("培训"),
               ("date", "kind", "title", "participants", "village", "note"),
               (_UNIT, _DATE, Column("get_kind_display", _("培训对象"), 16), Column("title", _("培训名称"), 28),
                Column("participants", _("培训人数"), 8, True), _VILLAGE)),
    LedgerKind("trade", ProduceTrade, _("消费帮扶"),
               ("date", "kind", "product", "amount", "counterpart", "village", "note"),
               (_UNIT, _DATE, Column("get_kind_display", _("类别"), 8), Column("product", _("产品"), 20),
                Column("amount", _("金额（元）"), 14, True), Column("counterpart", _("供货方/采购方"), 18), _VILLAGE)),
    LedgerKind("visit", LeaderVisit, _("领导调研"),
               ("date", "leaders", "people", "place", "village", "seen", "note"),
               (_UNIT, _DATE, Column("leaders", _("带队领导"), 20), Column("people", _("人次"), 6, True),
                Column("place", _("地点"), 16), _VILLAGE, Column("seen", _("调研内容"), 40))),
)
LEDGER_KIND_BY_KEY = {kind.key: kind for kind in LEDGER_KINDS}
LEDGER_KIND_BY_MODEL = {kind.model: kind for kind in LEDGER_KINDS}


def cell(entry, column: Column):
    """The value of one column for one entry, as pages, spreadsheets and documents show it."""
    if column.key == "village_name":
        from bangfu.assistance.selectors import village_label

        return village_label(entry.village) if entry.village_id else ""
    if column.key == "unit_label":
        return entry.unit.label
    value = getattr(entry, column.key)
    return value() if callable(value) else value
