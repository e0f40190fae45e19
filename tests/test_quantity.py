"""Quantities against the Kubernetes semantics (tables from apimachinery's quantity_test.go)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kportable.quantity import QuantityError, format_quantity, parse_quantity, quantity_or_none


def dec(mantissa: int, exponent: int) -> Fraction:
    return Fraction(mantissa) * Fraction(10) ** exponent


# (input, exact value) — the ``TestQuantityParse`` table of k8s.io/apimachinery.
PARSED = [
    ("0", dec(0, 0)), ("0n", dec(0, 0)), ("0u", dec(0, 0)), ("0m", dec(0, 0)), ("0Ki", dec(0, 0)),
    ("0k", dec(0, 0)), ("0Mi", dec(0, 0)), ("0M", dec(0, 0)), ("0Gi", dec(0, 0)), ("0T", dec(0, 0)),
    ("1", dec(1, 0)),
    ("1Ki", Fraction(1024)), ("8Ki", Fraction(8 * 1024)), ("7Mi", Fraction(7 * 2**20)),
    ("6Gi", Fraction(6 * 2**30)), ("5Ti", Fraction(5 * 2**40)), ("4Pi", Fraction(4 * 2**50)),
    ("3Ei", Fraction(3 * 2**60)), ("100Ti", Fraction(100 * 2**40)),
    ("5n", dec(5, -9)), ("4u", dec(4, -6)), ("3m", dec(3, -3)), ("9", dec(9, 0)), ("8k", dec(8, 3)),
    ("50k", dec(5, 4)), ("7M", dec(7, 6)), ("6G", dec(6, 9)), ("5T", dec(5, 12)), ("40T", dec(4, 13)),
    ("300T", dec(3, 14)), ("2P", dec(2, 15)), ("1E", dec(1, 18)),
    ("1E-3", dec(1, -3)), ("1e3", dec(1, 3)), ("1E6", dec(1, 6)), ("1e9", dec(1, 9)), ("1E12", dec(1, 12)),
    ("1e15", dec(1, 15)), ("1E18", dec(1, 18)), ("1e14", dec(1, 14)), ("100.035k", dec(100035, 0)),
    ("0.001", dec(1, -3)), ("0.0005k", dec(5, -1)), ("0.005", dec(5, -3)), ("0.05", dec(5, -2)),
    ("0.5", dec(5, -1)), ("0.00050k", dec(5, -1)), ("0.00500", dec(5, -3)), ("0.50000", dec(5, -1)),
    ("0.5e0", dec(5, -1)), ("0.5e-1", dec(5, -2)), ("0.5e-2", dec(5, -3)), ("10.035M", dec(10035, 3)),
    ("1.2e3", dec(12, 2)), ("1.3E+6", dec(13, 5)), ("1.40e9", dec(14, 8)), ("1.53E12", dec(153, 10)),
    ("1.6e15", dec(16, 14)), ("1.7E18", dec(17, 17)), ("9.01", dec(901, -2)), ("8.1k", dec(81, 2)),
    ("7.123456M", dec(7123456, 0)), ("6.987654321G", dec(6987654321, 0)), ("5.444T", dec(5444, 9)),
    ("40.1T", dec(401, 11)), ("2.5P", dec(25, 14)), ("1.01E", dec(101, 16)),
    # rounding up to whole nano units, and the binary cap
    ("3.001n", dec(4, -9)), ("1.1E-9", dec(2, -9)), ("0.0000000001", dec(1, -9)), ("0.0000000005", dec(1, -9)),
    ("0.5e-9", dec(1, -9)), ("0.9n", dec(1, -9)), ("0.00000012345", dec(124, -9)),
    ("9Ei", Fraction(2**63 - 1)), ("9223372036854775807Ki", Fraction(2**63 - 1)), ("12E", dec(12, 18)),
    ("100.035Ki", dec(10243584, -2)), ("0.5Mi", Fraction(2**19)), ("0.05Gi", dec(536870912, -1)),
    ("0.000000000001Ki", dec(2, -9)), (".001", dec(1, -3)), (".0001k", dec(100, -3)), ("1.", dec(1, 0)),
    ("1.G", dec(1, 9)),
    # what manifests say most
    ("100m", Fraction(1, 10)), ("250m", Fraction(1, 4)), ("128Mi", Fraction(128 * 2**20)), ("128M", dec(128, 6)),
    ("1e-9", dec(1, -9)), ("1e-10", dec(1, -9)),
]

INVALID = ["", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-", "1e4294967297",
           " 1", "1 ", "1K", "1ki", "1e", "1Mi3", "1e3Mi", "100 m", "1,5", "1_000"]


@pytest.mark.parametrize(("text", "value"), PARSED, ids=[t for t, _ in PARSED])
def test_parses_like_kubernetes(text, value):
    assert parse_quantity(text).value == value


@pytest.mark.parametrize(("text", "value"), PARSED, ids=[t for t, _ in PARSED])
def test_signs(text, value):
    assert parse_quantity("-" + text).value == -value
    assert parse_quantity("+" + text).value == value


@pytest.mark.parametrize("text", INVALID)
def test_rejects_what_kubernetes_rejects(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)
    assert quantity_or_none(text) is None


def test_go_quirks_dot_and_bare_sign_are_zero():
    assert parse_quantity(".").value == 0
    assert parse_quantity("-.").value == 0
    assert parse_quantity("+").value == 0


def test_yaml_numbers_read_as_their_json_text():
    assert parse_quantity(1).value == 1
    assert parse_quantity(0.5).value == Fraction(1, 2)
    assert parse_quantity(0.1).value == Fraction(1, 10)  # exact, not the binary float 0.1000000000000000055...
    assert parse_quantity(1e-05).value == dec(1, -5)
    assert parse_quantity(2.0).text == "2"


@pytest.mark.parametrize("raw", [None, True, False, float("nan"), float("inf"), [], {}])
def test_non_quantities(raw):
    assert quantity_or_none(raw) is None


def test_huge_and_tiny_exponents_do_not_hang():
    assert parse_quantity("1e-2147483647").value == dec(1, -9)
    assert parse_quantity("0e2147483647").value == 0
    with pytest.raises(QuantityError):
        parse_quantity("1e2147483647")


def test_ordering_is_exact():
    assert parse_quantity("1Gi") > parse_quantity("1G")
    assert parse_quantity("1000m") == parse_quantity("1")
    assert parse_quantity("1Ki") != parse_quantity("1k")
    assert parse_quantity("10000T") > parse_quantity("100Gi")
    assert parse_quantity("999999999n") < parse_quantity("1")


@pytest.mark.parametrize(
    ("value", "text"),
    [(Fraction(1, 4), "250m"), (Fraction(2**30), "1Gi"), (Fraction(3, 2), "1500m"), (Fraction(5), "5"),
     (dec(5, -9), "5n"), (Fraction(1, 3), "1/3"), (Fraction(1536 * 2**20), "1536Mi")],
)
def test_format(value, text):
    assert format_quantity(value) == text
