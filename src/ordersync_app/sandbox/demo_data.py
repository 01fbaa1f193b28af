"""Deterministic demo data shared by the sandbox apps, so order N in the shop matches deal N in the CRM.

Order ``i`` (1-based) has Shopify id ``5000 + i``, name ``#1000+i``; its HubSpot deal carries the
unique property ``shopify_order_id`` = the order's numeric id, in the "E-commerce orders" pipeline.
A fifth of the customers have Chinese names and addresses, as many of our users' customers do.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

BASE_TIME = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
ORDER_ID_BASE = 5000
PIPELINE_ID = "ecommerce"
# Stage ids modelled on HubSpot's e-commerce pipeline template.
STAGES: tuple[tuple[str, str, float], ...] = (
    ("checkout_completed", "Checkout completed", 0.4),
    ("processed", "Processed", 0.7),
    ("shipped", "Shipped", 0.9),
    ("delivered", "Delivered", 1.0),
    ("cancelled", "Cancelled", 0.0),
)
ORDER_ID_PROPERTY = "shopify_order_id"

_FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Lucas", "Mia", "Ethan", "Sofia", "Leo"]
_LAST = ["Smith", "Garcia", "Müller", "Rossi", "Dubois", "Silva", "Kim", "Novak", "Jensen", "Brown"]
_CN_NAMES = ["王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵丽", "黄强", "周杰", "吴婷"]
_CN_CITIES = [("杭州市", "浙江省", "西湖区文三路 398 号"), ("上海市", "上海市", "浦东新区世纪大道 100 号"),
              ("深圳市", "广东省", "南山区科技园南区 8 栋"), ("成都市", "四川省", "锦江区春熙路 21 号")]
_CITIES = [("Portland", "OR", "US", "1200 NW Couch St"), ("Austin", "TX", "US", "501 Congress Ave"),
           ("Toronto", "ON", "CA", "88 Queen St W"), ("Berlin", "BE", "DE", "Torstraße 12")]
_PRODUCTS = [("Ceramic pour-over set", "CER-01", "38.00"), ("Oolong tea 250g", "TEA-OOL", "24.50"),
             ("Bamboo tray", "BAM-02", "19.90"), ("Cast-iron kettle", "KET-05", "89.00"),
             ("Linen napkins (4)", "LIN-04", "16.00"), ("龙井茶 礼盒", "TEA-LJ", "128.00")]


def _spread(i: int) -> float:
    """Minutes after BASE_TIME that order ``i`` was placed: 37 minutes apart for the first 2,000,
    then ever closer, so even 20,000+ demo orders all lie in the past (before mid-November 2026)."""
    if i <= 2000:
        return 37 * i
    extra = i - 2000
    return 37 * 2000 + round(37 * extra / (1 + extra / 1000) * 60) / 60


def order_id(i: int) -> int:
    """Numeric Shopify id of demo order ``i``."""
    return ORDER_ID_BASE + i


def demo_order(i: int) -> dict[str, Any]:
    """Demo order ``i`` in a vendor-neutral shape; each emulator renders it its own way."""
    rng = random.Random(i)
    chinese = i % 5 == 0
    if chinese:
        name = rng.choice(_CN_NAMES)
        first, last = name[1:], name[0]
        city, province, street = rng.choice(_CN_CITIES)
        address = {"address1": street, "city": city, "province": province, "country": "China",
                   "countryCode": "CN", "zip": "310000"}
        currency = "CNY"
        email = f"customer{i}@example.cn"
    else:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, province, country, street = rng.choice(_CITIES)
        address = {"address1": street, "city": city, "province": province, "country": country,
                   "countryCode": country, "zip": "97209"}
        currency = "USD"
        email = f"{first.lower()}.{last.lower()}{i}@example.com".replace("ü", "u")
    items = []
    for n in range(rng.randint(1, 3)):
        title, sku, price = rng.choice(_PRODUCTS)
        items.append({"id": order_id(i) * 10 + n, "title": title, "sku": sku,
                      "quantity": rng.randint(1, 3), "price": price})
    total = sum(float(it["price"]) * int(it["quantity"]) for it in items)
    created = BASE_TIME + timedelta(minutes=_spread(i))
    return {
        "index": i,
        "id": order_id(i),
        "name": f"#{1000 + i}",
        "email": email,
        "customer": {"id": 7000 + i, "firstName": first, "lastName": last, "email": email},
        "shippingAddress": {"firstName": first, "lastName": last, **address},
        "lineItems": items,
        "currency": currency,
        "total": f"{total:.2f}",
        "createdAt": created,
        "updatedAt": created + timedelta(minutes=5),
        "financialStatus": "PAID",
        # Orders 1..10 were shipped before the demo starts; the rest wait for the warehouse.
        "fulfillmentStatus": "FULFILLED" if i <= 10 else "UNFULFILLED",
    }


def demo_deal(i: int) -> dict[str, Any]:
    """The HubSpot deal that tracks demo order ``i``."""
    order = demo_order(i)
    customer = order["customer"]
    return {
        "dealname": f"Order {order['name']} – {customer['firstName']} {customer['lastName']}".strip(),
        "amount": order["total"],
        "deal_currency_code": order["currency"],
        "pipeline": PIPELINE_ID,
        "dealstage": "shipped" if order["fulfillmentStatus"] == "FULFILLED" else "processed",
        ORDER_ID_PROPERTY: str(order["id"]),
        "order_name": order["name"],  # the shop's order number (#1001), which order systems carry as so_id
        "closedate": order["createdAt"].isoformat().replace("+00:00", "Z"),
    }
