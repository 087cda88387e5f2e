"""The `Recurrence` trigger's catalog entry and schema. The maths lives in
`connectors.schedule` (pure) and the firing in `connectors.ticks`; this module
only describes the trigger to the designer and to save-time validation."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from connectors.base import Trigger
from connectors.registry import register_trigger


class MonthlyOccurrence(BaseModel):
    day: str = Field(description="Monday … Sunday")
    occurrence: int = Field(ge=-5, le=5, description="1 = first, -1 = last")


class Schedule(BaseModel):
    hours: list[int] | None = None
    minutes: list[int] | None = None
    weekDays: list[str] | None = None
    monthDays: list[int] | None = None
    monthlyOccurrences: list[MonthlyOccurrence] | None = None


class RecurrenceInputs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frequency: Literal["Second", "Minute", "Hour", "Day", "Week", "Month"] | None = None
    interval: int = Field(default=1, ge=1)
    startTime: str | None = Field(
        default=None, description="2026-01-31T09:00:00 (local to timeZone) or …Z"
    )
    timeZone: str | None = Field(default=None, description="Windows or IANA time zone name")
    schedule: Schedule | None = None
    endTime: str | None = None
    count: int | None = Field(default=None, ge=1)
    cron: str | None = Field(default=None, description="Sluice extension: a cron expression")


@register_trigger
class RecurrenceTrigger(Trigger):
    kind = "Recurrence"
    title = "Recurrence"
    description = (
        "Starts a run on a schedule: every N seconds … months, at given hours/minutes/week "
        "days/month days in a time zone (DST-correct), or by cron expression."
    )
    Inputs = RecurrenceInputs
    examples: ClassVar[list[dict[str, Any]]] = [
        {
            "frequency": "Day",
            "interval": 1,
            "timeZone": "W. Europe Standard Time",
            "startTime": "2026-01-01T00:00:00",
            "schedule": {"hours": [9], "minutes": [30]},
        },
        {
            "frequency": "Week",
            "interval": 1,
            "schedule": {"weekDays": ["Monday", "Friday"], "hours": [8]},
        },
        {"cron": "*/15 * * * *"},
    ]
