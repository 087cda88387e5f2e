"""Partition-key hashing identical to the Event Hubs service (§5 test vectors)."""

from __future__ import annotations

import pytest

from broker.services.eventhubs import hash_code, partition_index


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("!c*_!I@1^c", 15372),
        ("p4*!jioeO/z-!-;w:dh", -3104),
        ("$0cb", 26269),
        ("-4189260826195535198", 453),
        (
            "FAyAIctPeCgmiwLKbJcyswoHglHVjQdvtBowLACDNORsYvOcLddNJYDmhAVkbyLOrHTKLneMNcbgWVlasVywOByANjs",
            5226,
        ),
    ],
)
def test_it_matches_the_service_hash(key, expected):
    assert hash_code(key) == expected


def test_it_maps_keys_to_partitions_like_the_service():
    assert partition_index("p4*!jioeO/z-!-;w:dh", 32) == 3104 % 32
    assert hash_code(None) == 0
    assert hash_code("") == hash_code("")
