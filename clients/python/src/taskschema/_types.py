"""The value types that the generated models share, strict as the Go library."""

import math
import re
from datetime import datetime

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError
from typing import Annotated

# The one pattern of a date-time in the schemas: RFC 3339 with an offset,
# without second 60 and the year 0000 (schema/*.schema.json "pattern").
DATE_TIME_PATTERN = (
    r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9]"
    r"(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_DATE_TIME = re.compile(DATE_TIME_PATTERN)
_FRACTION = re.compile(r"\.([0-9]+)")


def _integer(value):
    """JSON Schema's integer: any number with a zero fraction (2, 2.0, 1e2),
    never a string or a boolean. A number too large for a double (1e400) is
    an integer too large for every bound."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    if isinstance(value, float):
        if math.isinf(value):
            raise PydanticCustomError("less_than_equal" if value > 0 else "greater_than_equal",
                                      "Input is beyond every bound of an integer")
        if math.isnan(value) or not value.is_integer():
            raise PydanticCustomError("int_type", "Input should be a valid integer, got a number with a fraction")
        return int(value)
    return value


def _date_time(value):
    """An RFC 3339 date-time with an offset, matched against the schemas'
    pattern (fullmatch: a trailing newline does not pass as it does with
    re.match and $), then read by datetime.fromisoformat (a strict model
    takes no string for a datetime after a before-validator); fraction
    digits beyond microseconds are dropped, as datetime cannot hold them."""
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "Input should be a valid string")
    if _DATE_TIME.fullmatch(value) is None:
        raise PydanticCustomError("string_pattern_mismatch", "String should match pattern '{pattern}'",
                                  {"pattern": DATE_TIME_PATTERN})
    value = value.upper().replace("Z", "+00:00")
    if int(value[-5:-3]) > 23 or int(value[-2:]) > 59:
        raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime, the offset is out of range")
    value = _FRACTION.sub(lambda m: "." + (m.group(1) + "00000")[:6], value, count=1)
    try:
        return datetime.fromisoformat(value)
    except ValueError as e:
        raise PydanticCustomError("datetime_parsing", "Input should be a valid datetime, {error}", {"error": str(e)}) from None


# Integer is an int that accepts integer-valued numbers, as Go does.
Integer = Annotated[int, BeforeValidator(_integer)]
# DateTime is an aware datetime from an RFC 3339 string with an offset.
DateTime = Annotated[datetime, BeforeValidator(_date_time)]
