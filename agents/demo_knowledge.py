"""The demo agent's sample knowledge source: what "Front desk" knows out of the box, so
that questions work before a business adds its own sources.

Written from the same constants that make the demo agent's services and business hours
(``agents.services``), so the answers agree with what the booking tools offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

DEMO_KNOWLEDGE_TITLE = "About us (sample)"

# Prices per service name; a service missing here is "free of charge".
DEMO_PRICES = {"Consultation": "free of charge", "Product demo": "free of charge"}


def _clock(time: dt.time) -> str:
    return time.strftime("%H:%M")


def demo_knowledge_markdown(
    *,
    services: Sequence[tuple[str, int, str]],
    hours: tuple[dt.time, dt.time],
    days: str,
    timezone: str,
) -> str:
    """The sample source, in Markdown: one section per kind of question."""
    opens_at, closes_at = hours
    service_lines = "\n".join(
        f"- **{name}** ({minutes} minutes): {description}"
        for name, minutes, description in services
    )
    price_lines = "\n".join(
        f"- {name}: {DEMO_PRICES.get(name, 'free of charge')}." for name, _, _ in services
    )
    names = " and ".join(name for name, _, _ in services)
    # One line per paragraph: a passage is read out as it is, and a line break inside a
    # sentence would show in the caption.
    sections = [
        "# Opening hours",
        f"Our opening hours are {days}, from {_clock(opens_at)} to {_clock(closes_at)} "
        f"({timezone} time). We are closed on Saturdays, Sundays and public holidays. "
        "We are open during these business hours for calls, visits and appointments.",
        "# Services",
        f"We offer {names}. Appointments can be booked during our opening hours.",
        service_lines,
        "# Prices",
        price_lines,
        "There is no booking fee and no cancellation fee. Payment is never taken over the phone.",
        "# Location and parking",
        "We are at 1 Example Street, Springfield, on the ground floor, next to the train "
        "station. Free parking is available behind the building, and the entrance is "
        "wheelchair accessible.",
        "# About this sample",
        "This is a sample knowledge source created with the demo agent. Edit it or replace "
        "it with your own documents under Knowledge sources in the admin.",
    ]
    return "\n\n".join(sections) + "\n"
