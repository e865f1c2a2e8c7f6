"""The schema. Later features (daily entries, deliveries, absences, targets, alerts)
add their own tables next to these and point at `teams.id` / `members.id`."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from domain.roles import Role
from models.base import Base, Hundredths, UTCDateTime


class User(Base):
    """Anyone who has written to the bot: only what must outlive team membership."""

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    # ISO weekdays the team works, "12345" is Monday to Friday.
    workdays: Mapped[str] = mapped_column(String(7), default="12345")
    holiday_country: Mapped[str | None] = mapped_column(String(8), default="RU")
    morning_at: Mapped[time] = mapped_column(Time, default=time(9, 30))
    evening_at: Mapped[time] = mapped_column(Time, default=time(18, 0))
    reminder_delay_minutes: Mapped[int] = mapped_column(Integer, default=60)
    digest_at: Mapped[time] = mapped_column(Time, default=time(20, 0))
    forecast_weekday: Mapped[int] = mapped_column(Integer, default=1)
    forecast_at: Mapped[time] = mapped_column(Time, default=time(9, 0))
    # Alert thresholds (PRODUCT.md, "Shortfall alerts").
    alert_streak_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    alert_forecast_percent: Mapped[int] = mapped_column(Integer, default=80, server_default="80")
    far_below_plan_percent: Mapped[int] = mapped_column(Integer, default=70, server_default="70")
    activity_drop_percent: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    members: Mapped[list[Member]] = relationship(back_populates="team", lazy="raise")
    metrics: Mapped[list[Metric]] = relationship(
        back_populates="team", lazy="raise", order_by="Metric.position"
    )


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("team_id", "telegram_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    full_name: Mapped[str] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(64))
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    is_head: Mapped[bool] = mapped_column(Boolean, default=False)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    bot_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship(back_populates="members", lazy="raise")

    @property
    def roles(self) -> frozenset[Role]:
        held = set()
        if self.is_owner:
            held.add(Role.OWNER)
        if self.is_head:
            held.add(Role.HEAD)
        if self.is_manager:
            held.add(Role.MANAGER)
        return frozenset(held)

    def grant(self, role: Role) -> None:
        setattr(self, f"is_{role.value}", True)


class Metric(Base):
    __tablename__ = "metrics"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    # None shows the catalog's label for a default metric in the reader's language.
    label: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    daily_norm: Mapped[Decimal | None] = mapped_column(Hundredths)
    max_value: Mapped[Decimal] = mapped_column(Hundredths)
    position: Mapped[int] = mapped_column(Integer)
    is_key: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    team: Mapped[Team] = relationship(back_populates="metrics", lazy="raise")


class Invite(Base):
    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FsmRecord(Base):
    """A conversation's state and form data, so a half-filled form survives a restart."""

    __tablename__ = "fsm_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DayEntry(Base):
    """A manager's plan or report for one local date; values live in `EntryValue`."""

    __tablename__ = "day_entries"
    __table_args__ = (UniqueConstraint("member_id", "day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    # "plan" or "fact"
    kind: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(String(1000))
    # Why a key metric fell short of plan: a domain.daily.Reason value, plus free text.
    reason: Mapped[str | None] = mapped_column(String(16))
    reason_text: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    values: Mapped[list[EntryValue]] = relationship(
        back_populates="entry", lazy="raise", cascade="all, delete-orphan"
    )


class EntryValue(Base):
    __tablename__ = "entry_values"
    __table_args__ = (UniqueConstraint("entry_id", "metric_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("day_entries.id", ondelete="CASCADE"))
    metric_id: Mapped[int] = mapped_column(ForeignKey("metrics.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Hundredths)

    entry: Mapped[DayEntry] = relationship(back_populates="values", lazy="raise")


class EntryChange(Base):
    """Every change to a submitted plan or report: who, when, before and after.
    `late` marks changes made after the team's digest went out."""

    __tablename__ = "entry_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("day_entries.id", ondelete="CASCADE"), index=True
    )
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)


class Absence(Base):
    """A day off, sick leave or vacation: no prompts, reminders or shortfall on those days."""

    __tablename__ = "absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Delivery(Base):
    """One scheduled send. The unique key makes "exactly once" a database constraint."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "morning:member:42:2026-11-23"
    key: Mapped[str] = mapped_column(String(128), unique=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    # claimed -> sending -> sent | failed; see scheduler/delivery.py
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(String(255))


class ProcessedUpdate(Base):
    """Telegram re-sends updates a stopped bot had not confirmed; each is handled once."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class MonthlyTarget(Base):
    """The month's target for the money metric: per manager, or for the team (member NULL)."""

    __tablename__ = "monthly_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month
    amount: Mapped[Decimal] = mapped_column(Hundredths)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RoutineEntry(Base):
    """The head's management routine: planning meetings, one-on-ones, training."""

    __tablename__ = "routine_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    with_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditRecord(Base):
    """Who changed a team's settings or membership, what, and when; the owner reads it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What changed, as a catalog key's suffix: "evening_at", "metric.calls.daily_norm", "role".
    subject: Mapped[str] = mapped_column(String(64))
    # The member a membership change is about; NULL for team settings.
    about_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    before: Mapped[str | None] = mapped_column(String(255))
    after: Mapped[str | None] = mapped_column(String(255))
