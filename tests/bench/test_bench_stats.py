"""The benchmark's arithmetic: percentiles, slopes and reading Prometheus text."""

from __future__ import annotations

import math

import pytest
from _stats import least_squares_slope, parse_prometheus, percentile, share_at_most
from hypothesis import given
from hypothesis import strategies as st

_finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
_names = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,20}", fullmatch=True)
_label_values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


@given(st.lists(_finite, min_size=1), st.floats(min_value=0.1, max_value=100))
def test_a_percentile_is_one_of_the_values_and_grows_with_q(values: list[float], q: float) -> None:
    values.sort()
    result = percentile(values, q)
    assert result in values
    assert percentile(values, min(100.0, q + 10)) >= result
    assert percentile(values, 100) == values[-1]


def test_unanswered_messages_push_high_percentiles_to_infinity() -> None:
    latencies = sorted([0.01] * 98 + [math.inf] * 2)
    assert percentile(latencies, 50) == 0.01
    assert percentile(latencies, 99) == math.inf
    assert share_at_most(latencies, 1.0) == 0.98


def test_a_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


_depths = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
_tenths = st.lists(st.integers(0, 10_000), min_size=2, max_size=90, unique=True)


@given(_depths, _depths, _tenths)
def test_the_slope_of_points_on_a_line_is_the_line_s_slope(
    slope: float, intercept: float, tenths: list[int]
) -> None:
    xs = [tenth / 10 for tenth in tenths]
    fitted = least_squares_slope([(x, slope * x + intercept) for x in xs])
    assert fitted is not None
    assert math.isclose(fitted, slope, rel_tol=1e-6, abs_tol=1e-3)


def test_a_single_point_has_no_slope() -> None:
    assert least_squares_slope([(1.0, 5.0)]) is None
    assert least_squares_slope([(1.0, 5.0), (1.0, 7.0)]) is None


@given(
    st.dictionaries(
        st.tuples(_names, st.dictionaries(_names, _label_values, max_size=3)).map(
            lambda pair: (pair[0], tuple(sorted(pair[1].items())))
        ),
        _finite,
        max_size=8,
    )
)
def test_rendered_samples_read_back_unchanged(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float],
) -> None:
    lines = ["# HELP theke_queue_depth Messages waiting.", "# TYPE theke_queue_depth gauge"]
    for (name, labels), value in samples.items():
        rendered = ",".join(f'{key}="{_escape(text)}"' for key, text in labels)
        lines.append(f"{name}{{{rendered}}} {value!r}" if labels else f"{name} {value!r}")
    parsed = parse_prometheus("\n".join(lines) + "\n")
    assert parsed == {(name, frozenset(labels)): value for (name, labels), value in samples.items()}


def test_the_queue_gauges_of_a_real_exposition_are_read() -> None:
    text = (
        "# TYPE theke_queue_depth gauge\n"
        'theke_queue_depth{queue="inbound"} 12.0\n'
        'theke_queue_depth{queue="outbox"} 3.0\n'
        'theke_messages_total{channel="webchat",direction="in"} 1.5e+03 1700000000000\n'
        "garbage line\n"
    )
    parsed = parse_prometheus(text)
    assert parsed[("theke_queue_depth", frozenset({("queue", "inbound")}))] == 12.0
    assert parsed[("theke_queue_depth", frozenset({("queue", "outbox")}))] == 3.0
    key = ("theke_messages_total", frozenset({("channel", "webchat"), ("direction", "in")}))
    assert parsed[key] == 1500.0
