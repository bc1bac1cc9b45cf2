"""Quantities: parsing every suffix family and formatting the way kubectl shows them."""

from __future__ import annotations

from fractions import Fraction

import pytest

from kubetui.quantity import format_cpu, format_memory, parse_quantity


@pytest.mark.parametrize(("text", "value"), [
    ("100m", 0.1), ("300m", 0.3), ("2", 2.0), ("1.5", 1.5), (".5", 0.5), ("-1", -1.0),
    ("1Ki", 1024.0), ("1Mi", 2.0**20), ("1Gi", 1073741824.0), ("0.5Gi", 2.0**29),
    ("1Ti", 2.0**40), ("1Ei", 2.0**60),
    ("500M", 5e8), ("2k", 2000.0), ("1.5G", 1.5e9), ("1T", 1e12), ("1E", 1e18),
    ("250u", 250e-6), ("5n", 5e-9),
    ("1e3", 1000.0), ("1E3", 1000.0), ("2e-3", 0.002), ("1.5e+2", 150.0),
    (3, 3.0), (2.5, 2.5),
])
def test_parse(text: str | int | float, value: float) -> None:
    assert parse_quantity(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(("text", "value"), [
    ("0.1n", 1e-9), ("1e-12", 1e-9), ("-0.5n", -1e-9), ("1.5n", 2e-9), ("0", 0.0),
    ("16Ei", 2.0**63 - 1), ("9Ei", 2.0**63 - 1), ("16E", 1.6e19),
])
def test_parse_rounds_and_saturates_as_kubernetes(text: str, value: float) -> None:
    """Below 1n rounds up to 1n; binary amounts saturate at int64 (quantity.go)."""
    assert parse_quantity(text) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("bad", ["", "abc", "Mi", "1e", "1Qi", "1 Gi", "1.2.3", "1mi",
                                 " 1", "1Gi ", "\t100m", True, None])
def test_parse_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_quantity(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("cores", "text"), [
    (0.25, "250m"), (2, "2"), (1.5, "1500m"), (0.1 + 0.2, "300m"), (0, "0"),
    (0.0001, "1m"),  # below a millicore rounds up, as the API server does for CPU
])
def test_format_cpu(cores: float, text: str) -> None:
    assert format_cpu(cores) == text


@pytest.mark.parametrize(("nbytes", "text"), [
    (128 * 2**20, "128Mi"), (1.5 * 2**30, "1536Mi"), (2**30, "1Gi"), (1024, "1Ki"),
    (1000, "1000"), (0, "0"), (3 * 2**40, "3Ti"),
])
def test_format_memory(nbytes: float, text: str) -> None:
    assert format_memory(nbytes) == text


def test_round_trip() -> None:
    assert format_memory(parse_quantity("64Mi")) == "64Mi"
    assert format_cpu(parse_quantity("750m")) == "750m"


@pytest.mark.parametrize("suffix", ["", "n", "u", "m", "k", "M", "G", "T", "P", "E",
                                    "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
def test_whole_numbers_parse_exactly(suffix: str) -> None:
    """Whole numbers (metrics-server's "123456789n" and "34560Ki", nearly all distinct)
    take a path of their own: it gives the value exactly rounded, as quantity.go's
    arithmetic does."""
    scale = Fraction(2) ** (10 * ("KMGTPE".index(suffix[0]) + 1)) if suffix.endswith("i") \
        else Fraction(10) ** {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9,
                              "T": 12, "P": 15, "E": 18}[suffix]
    for digits in ("0", "1", "7", "0042", "999999999", "123456789012345678901234567"):
        exact = Fraction(int(digits)) * scale
        if suffix.endswith("i"):
            exact = min(exact, Fraction(2**63 - 1))
        assert parse_quantity(digits + suffix) == float(exact), digits + suffix
