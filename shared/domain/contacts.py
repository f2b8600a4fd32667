"""A visitor's optional contact for reminders: an Indonesian mobile number or an e-mail address.

Checked and normalised with libphonenumber (`phonenumbers`) and `email-validator` (syntax
only, no network: the server runs offline), so "0812-3456-7890", "+62 812 3456 7890" and
"6281234567890" are one contact for the one-booking-per-day rule.
"""
from __future__ import annotations

import hashlib

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PHONE, EMAIL = "phone", "email"


def normalise_contact(text: str) -> tuple[str, str] | None:
    """(kind, normalised contact), or None when it is neither a mobile number nor an e-mail."""
    text = (text or "").strip()
    if not text or len(text) > 254:
        return None
    if "@" in text:
        try:
            return EMAIL, validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            return None
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        return None
    mobile = phonenumbers.number_type(number) in (phonenumbers.PhoneNumberType.MOBILE,
                                                  phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or not mobile:
        return None
    return PHONE, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def contact_key(normalised: str) -> str:
    """A stable key of a contact, so the one-booking rule compares keys, not raw text."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
