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
