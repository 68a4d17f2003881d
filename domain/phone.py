"""Phone numbers as people type them, normalised to E.164 with `phonenumbers`."""

from __future__ import annotations

import phonenumbers


def normalize_phone(text: str, *, region: str) -> str | None:
    """E.164 form of a typed or shared number, or None when it is not a valid phone number.

    `region` is used for numbers typed without a country code ("8 916 123-45-67" in RU).
    """
    raw = text.strip()
    if not raw or len(raw) > 40:
        return None
    if raw[0].isdigit() and len(raw) > 10 and not raw.startswith(("8", "0")):
        # Telegram shares contacts as digits without "+": "79161234567".
        candidates = [f"+{raw}", raw]
    else:
        candidates = [raw]
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def display_phone(e164: str) -> str:
    """International format for people: +7 916 123-45-67."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
