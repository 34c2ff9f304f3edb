"""The impact of a change on real traffic (issue 13): the window it reads and the price of a request."""

import os
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

from dashboard.env import envint

__all__ = ["EDGEGUARD_IMPACT_WINDOW_DAYS", "EDGEGUARD_REQUEST_PRICE_PER_10K", "EDGEGUARD_REQUEST_PRICE_TAKEN"]


def _price(name: str, default: str) -> Decimal:
    value = os.environ.get(name, default)
    try:
        price = Decimal(value)
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be dollars, such as 0.0100, not {value!r}") from None
    if not price.is_finite() or price < 0:
        raise ImproperlyConfigured(f"{name} must be a price of zero or more, not {value!r}")
    return price


# Days of counted traffic an impact reads, ending on the latest day counted.
EDGEGUARD_IMPACT_WINDOW_DAYS = envint("EDGEGUARD_IMPACT_WINDOW_DAYS", "7", minimum=1)
# CloudFront's on-demand HTTPS request price in the US, Mexico, Canada and Europe (docs/CLOUDFRONT.md §11).
EDGEGUARD_REQUEST_PRICE_PER_10K = _price("EDGEGUARD_REQUEST_PRICE_PER_10K", "0.0100")
EDGEGUARD_REQUEST_PRICE_TAKEN = os.environ.get(
    "EDGEGUARD_REQUEST_PRICE_TAKEN", "CloudFront's on-demand HTTPS requests, US and Europe, as listed in 2025"
)
