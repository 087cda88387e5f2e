"""Retry policy maths (spec §1.5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from workflows.engine.retry import DEFAULT, RetryPolicyError, parse_retry_policy


def test_it_defaults_to_four_exponential_retries_between_5_and_45_seconds() -> None:
    policy = parse_retry_policy(None)
    assert policy is DEFAULT and policy.max_attempts == 5
    for retry in range(1, 5):
        assert (
            timedelta(seconds=5)
            <= policy.delay(retry, 0.0)
            <= policy.delay(retry, 0.999)
            <= timedelta(seconds=45)
        )


def test_it_never_retries_with_type_none() -> None:
    policy = parse_retry_policy({"type": "none"})
    assert policy.max_attempts == 1 and not policy.allows_retry(1)


def test_it_waits_the_fixed_interval() -> None:
    policy = parse_retry_policy({"type": "fixed", "interval": "PT30S", "count": 2})
    assert policy.max_attempts == 3
    assert policy.delay(1, 0.3) == policy.delay(2, 0.9) == timedelta(seconds=30)
    assert policy.allows_retry(2) and not policy.allows_retry(3)


def test_it_grows_exponential_intervals_within_min_and_max() -> None:
    policy = parse_retry_policy(
        {
            "type": "exponential",
            "interval": "PT10S",
            "count": 5,
            "minimumInterval": "PT5S",
            "maximumInterval": "PT1M",
        }
    )
    # retry n waits in [max(2^(n-2)·interval, min), min(2^(n-1)·interval, max)]
    assert policy.delay(1, 0.0) == timedelta(seconds=5) and policy.delay(1, 1.0) == timedelta(
        seconds=10
    )
    assert policy.delay(2, 0.0) == timedelta(seconds=10) and policy.delay(2, 1.0) == timedelta(
        seconds=20
    )
    assert policy.delay(3, 0.0) == timedelta(seconds=20) and policy.delay(3, 1.0) == timedelta(
        seconds=40
    )
    assert policy.delay(4, 1.0) == timedelta(minutes=1)
    assert policy.delay(5, 0.0) == timedelta(minutes=1)


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "fixed", "count": 0, "interval": "PT5S"},
        {"type": "fixed", "count": 91},
        {"type": "sometimes"},
        {"type": "fixed", "interval": "5 seconds"},
        "fixed",
    ],
)
def test_it_rejects_bad_policies_clearly(spec) -> None:
    with pytest.raises(RetryPolicyError):
        parse_retry_policy(spec)
