"""Kubernetes resource quantities (``100m``, ``0.5``, ``1Gi``, ``1e3``, ``128M``), parsed exactly.

A port of ``k8s.io/apimachinery/pkg/api/resource.ParseQuantity``, so that kportable compares
requests, limits, quotas and LimitRange bounds the way the API server does, never through a
float. The grammar::

    <quantity>        ::= <signedNumber><suffix>
    <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

and the same quirks: ``E`` alone is exa (``1E`` is 10^18) while ``1E3`` is 1000; ``K``, ``ki``
and ``mi`` are errors; no whitespace is allowed; a non-zero value is rounded *up* (away from
zero) to a whole number of nano units (``0.9n`` is ``1n``, ``3.001n`` is ``4n``); a binary-SI
value is capped at 2^63-1. ``.`` and a bare sign parse as 0, as in Go.

Manifests also carry plain YAML numbers (``cpu: 1``, ``cpu: 0.5``): the API server reads their
JSON text, so an ``int`` or a finite ``float`` is turned into that text first. Booleans, nulls,
NaN and infinities are not quantities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

NANO = Fraction(1, 10**9)
MAX_BINARY = 2**63 - 1
# Go's ``interpret`` rejects exponents outside int32. Inside it, a value below 10^-4096 rounds up
# to 1n exactly as in Go; a non-zero value above 10^4096 (which no cluster could hold) is
# rejected rather than built as a 2-billion-digit integer.
MAX_EXPONENT = 2**31 - 1
_EXACT_EXPONENT = 4096

_DECIMAL_SI = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BINARY_SI = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")


class QuantityError(ValueError):
    """``text`` is not a Kubernetes quantity."""


@dataclass(frozen=True, slots=True, eq=False)
class Quantity:
    """An exact quantity: ``value`` (a ``Fraction``) and the text it was written as.

    Comparisons use the value only: ``1000m`` equals ``1``.
    """

    value: Fraction
    text: str

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.value == other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    def __le__(self, other: Quantity) -> bool:
        return self.value <= other.value

    def __gt__(self, other: Quantity) -> bool:
        return self.value > other.value

    def __ge__(self, other: Quantity) -> bool:
        return self.value >= other.value

    @property
    def is_zero(self) -> bool:
        return self.value == 0


def _scan(text: str) -> tuple[bool, str, str, str]:
    """Split ``text`` into (positive, integer digits, fraction digits, suffix) as Go's scanner does."""
    pos, end = 0, len(text)
    positive = True
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    while pos < end and text[pos] == "0":
        pos += 1
    if pos >= end:
        return positive, "0", "", ""
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    num = text[start:pos] or "0"
    denom = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(f"{text!r} is not a quantity (unexpected {text[pos]!r})")
    return positive, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, bool]:
    """(base, exponent, is_binary) for a suffix; raises ``QuantityError`` for unknown ones."""
    if suffix in _DECIMAL_SI:
        return 10, _DECIMAL_SI[suffix], False
    if suffix in _BINARY_SI:
        return 2, _BINARY_SI[suffix], True
    if len(suffix) > 1 and suffix[0] in "eE":
        rest = suffix[1:]
        digits = rest[1:] if rest[:1] in "+-" else rest
        if digits and all(c in _DIGITS for c in digits):
            exponent = int(rest)
            if abs(exponent) <= MAX_EXPONENT:
                return 10, exponent, False
    raise QuantityError(f"unknown quantity suffix {suffix!r}")


def parse_quantity(raw: object) -> Quantity:
    """Parse a quantity from a manifest value (string, int or float); raises ``QuantityError``."""
    return _parse_text(_text_of(raw))


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> Quantity:
    """The parse itself, memoised: manifests repeat a handful of values (``100m``, ``128Mi``) endlessly."""
    if not text:
        raise QuantityError("an empty string is not a quantity")
    positive, num, denom, suffix = _scan(text)
    base, exponent, binary = _interpret(suffix)
    magnitude = Fraction(int(num + denom), 10 ** len(denom))
    if base == 2:
        magnitude *= 2**exponent
    elif exponent > _EXACT_EXPONENT:
        if magnitude:
            raise QuantityError(f"{text!r} is out of range")
    elif exponent < -_EXACT_EXPONENT:
        magnitude = NANO if magnitude else Fraction(0)
    else:
        magnitude *= Fraction(10) ** exponent
    if magnitude and (magnitude.numerator * 10**9) % magnitude.denominator:
        magnitude = Fraction(math.ceil(magnitude / NANO)) * NANO
    if binary and magnitude > MAX_BINARY:
        magnitude = Fraction(MAX_BINARY)
    return Quantity(magnitude if positive else -magnitude, text)


def quantity_or_none(raw: object) -> Quantity | None:
    """``parse_quantity(raw)``, or ``None`` when ``raw`` is absent or not a quantity."""
    if raw is None:
        return None
    try:
        return parse_quantity(raw)
    except QuantityError:
        return None


def _text_of(raw: object) -> str:
    if isinstance(raw, bool) or raw is None:
        raise QuantityError(f"{raw!r} is not a quantity")
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise QuantityError(f"{raw!r} is not a quantity")
        text = repr(raw)
        return text[:-2] if text.endswith(".0") else text
    raise QuantityError(f"{type(raw).__name__} is not a quantity")


def format_quantity(value: Fraction) -> str:
    """A short human form of an exact value: ``1.5``, ``250m``, ``1Gi``, ``3/7``."""
    if value.denominator == 1:
        n = value.numerator
        for suffix, power in (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)):
            if n and n % 2**power == 0 and abs(n) >= 2**power:
                return f"{n // 2**power}{suffix}"
        return str(n)
    milli = value * 1000
    if milli.denominator == 1:
        return f"{milli.numerator}m"
    nano = value * 10**9
    if nano.denominator == 1:
        return f"{nano.numerator}n"
    return str(value)


__all__ = ["Quantity", "QuantityError", "format_quantity", "parse_quantity", "quantity_or_none"]
