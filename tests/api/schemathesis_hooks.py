"""What schemathesis needs to know to write valid requests to the ExtraMile API: the string
formats of our own that the OpenAPI document names (``phone``, ``phone-or-email``,
``time-zone``) and the e-mail
addresses the server takes (the library's own strategy writes some that ``email-validator``
refuses, such as a ``.arpa`` domain).

Loaded by ``tests/api/test_schemathesis.py`` and, through ``schemathesis.toml``, by
``schemathesis run`` from the project's folder.
"""

from __future__ import annotations

import zoneinfo

import phonenumbers
import schemathesis
from hypothesis import strategies as st


def _e164_examples() -> list[str]:
    """Valid numbers of every country, written in E.164 (one form each: two forms of one number
    in a list would be the same number twice, which the server refuses)."""
    numbers = set()
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
            example = phonenumbers.example_number_for_type(region, kind)
            if example is not None and phonenumbers.is_valid_number(example):
                numbers.add(
                    phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
                )
    return sorted(numbers)


PHONES = st.sampled_from(_e164_examples())
EMAILS = st.from_regex(
    r"[a-z0-9]{1,12}([._+-][a-z0-9]{1,8})?@(example|mail|post)\.(com|org|net)", fullmatch=True
)
TIME_ZONES = st.sampled_from(["", *sorted(zoneinfo.available_timezones())])

schemathesis.openapi.format("phone", PHONES)
schemathesis.openapi.format("email", EMAILS)
schemathesis.openapi.format("time-zone", TIME_ZONES)
schemathesis.openapi.format("phone-or-email", st.one_of(PHONES, EMAILS))
