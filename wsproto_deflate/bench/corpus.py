"""Realistic JSON messages for the compression measurements (deterministic)."""

from __future__ import annotations

import json
import random
from typing import List

_WORDS = tuple(
    [
        "order",
        "shipped",
        "pending",
        "refunded",
        "customer",
        "invoice",
        "payment",
        "card",
        "address",
        "street",
        "city",
        "warehouse",
        "item",
        "quantity",
        "price",
        "discount",
        "tax",
        "total",
        "currency",
        "note",
        "delivery",
        "express",
        "standard",
        "gift",
        "wrap",
        "returned",
        "review",
        "rating",
        "comment",
        "user",
        "session",
        "token",
        "device",
    ]
)
_CITIES = ["Berlin", "Lyon", "Osaka", "Austin", "Lagos", "Lima", "Porto", "Tartu", "Perth"]


def _item(rng: random.Random) -> dict[str, object]:
    return {
        "sku": f"SKU-{rng.randrange(10**6):06d}",
        "name": " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 5))).title(),
        "quantity": rng.randint(1, 9),
        "unit_price": round(rng.uniform(0.5, 500), 2),
        "tags": rng.sample(_WORDS, rng.randint(0, 4)),
    }


def _event(rng: random.Random, seq: int) -> dict[str, object]:
    return {
        "type": rng.choice(["order.created", "order.updated", "order.shipped", "cart.changed"]),
        "seq": seq,
        "id": f"{rng.getrandbits(128):032x}",
        "timestamp": f"2026-11-24T{rng.randrange(24):02d}:{rng.randrange(60):02d}:"
        f"{rng.randrange(60):02d}.{rng.randrange(1000):03d}Z",
        "customer": {
            "id": rng.randrange(10**9),
            "email": f"user{rng.randrange(10**5)}@example.com",
            "city": rng.choice(_CITIES),
            "vip": rng.random() < 0.1,
        },
        "items": [_item(rng) for _ in range(rng.randint(1, 6))],
        "note": " ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 20))),
    }


def json_messages(count: int, size: int = 4096, seed: int = 7) -> List[str]:
    """``count`` valid JSON texts of at most (and about) ``size`` bytes: arrays of order
    events as an API would push them."""
    rng = random.Random(seed)
    out = []
    seq = 0
    pending = _event(rng, seq)
    for _ in range(count):
        events: List[dict[str, object]] = []
        text = "[]"
        while True:
            candidate = json.dumps([*events, pending], separators=(",", ":"))
            if len(candidate) > size:
                break
            events.append(pending)
            text = candidate
            seq += 1
            pending = _event(rng, seq)
        out.append(text)
    return out
