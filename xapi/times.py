"""Reading xAPI timestamps (ISO 8601, as statements and query parameters carry them) into Python datetimes."""
from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

_LEAP_SECOND = re.compile(r"(T\d\d:?\d\d:?)60(?:[.,]\d+)?")


@lru_cache(maxsize=4096)
def parse_time(value: str) -> datetime:
    """The moment as an aware UTC datetime; without an offset, UTC. Past microseconds, digits are dropped
    (as Python 3.11's parser does); a leap second (:60) reads as its preceding microsecond, Python having no
    60th second. ValueError for what a datetime cannot hold: a day the calendar lacks (29 February outside
    leap years), a year outside 0001–9999 once in UTC. Cached: a batch's statements share their stored
    time, and often their timestamps."""
    moment = datetime.fromisoformat(_LEAP_SECOND.sub(r"\g<1>59.999999", value))
    try:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError as error:
        raise ValueError(f"{value} falls outside years 0001–9999 in UTC") from error
