"""The default metric set a new team starts with (PRODUCT.md, "Metrics")."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class MetricKind(StrEnum):
    COUNT = "count"
    MONEY = "money"


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    key: str
    kind: MetricKind
    daily_norm: Decimal | None
    max_value: Decimal
    is_key: bool = False


DEFAULT_METRICS: tuple[MetricDefinition, ...] = (
    MetricDefinition("calls", MetricKind.COUNT, Decimal(30), Decimal(1000), is_key=True),
    MetricDefinition("meetings", MetricKind.COUNT, Decimal(2), Decimal(100)),
    MetricDefinition("proposals", MetricKind.COUNT, Decimal(3), Decimal(200)),
    MetricDefinition("leads", MetricKind.COUNT, Decimal(5), Decimal(500)),
    MetricDefinition("deals", MetricKind.COUNT, None, Decimal(200)),
    MetricDefinition("revenue", MetricKind.MONEY, None, Decimal(1_000_000_000)),
)


# Words people use for the default metrics, matched by prefix when they type labelled numbers
# ("звонки 30, встречи 2"). A renamed or custom metric also answers to its own label.
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "calls": ("звонки", "звонков", "звонка", "звонок", "звон", "calls", "call"),
    "meetings": ("встречи", "встреч", "встреча", "презентации", "meetings", "meeting", "demos"),
    "proposals": ("кп", "предложения", "предложений", "proposals", "proposal", "offers"),
    "leads": ("лиды", "лидов", "лида", "лид", "leads", "lead"),
    "deals": ("сделки", "сделок", "сделка", "deals", "deal"),
    "revenue": ("оплаты", "оплат", "оплата", "выручка", "деньги", "revenue", "payments", "paid"),
}


def aliases_for(key: str, label: str | None) -> tuple[str, ...]:
    words = DEFAULT_ALIASES.get(key, (key,))
    return (label.lower(), *words) if label else words
