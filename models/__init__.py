from models.base import Base
from models.tables import (
    Absence,
    DayEntry,
    Delivery,
    EntryChange,
    EntryValue,
    FsmRecord,
    Invite,
    Member,
    Metric,
    ProcessedUpdate,
    Team,
    User,
)

__all__ = [
    "Absence",
    "Base",
    "DayEntry",
    "Delivery",
    "EntryChange",
    "EntryValue",
    "FsmRecord",
    "Invite",
    "Member",
    "Metric",
    "ProcessedUpdate",
    "Team",
    "User",
]
