"""Numbers and counts in sentences, as the A/B results print them.
"""

from __future__ import annotations

import math
import re


def plural(n: float, word: str, many: str | None = None) -> str:
    """'1 day', '3 days', '1,234 users': a count with its noun in the right number."""
    text = f"{n:,}" if isinstance(n, int) else f"{n:,g}"
    return f"{text} {word if n == 1 else (many or word + 's')}"


def num(x: float, sig: int = 4) -> str:
    """A number for a sentence: `sig` significant digits, thousands separators, no 1e+04."""
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    if 10**sig <= abs(x) < 1e15:
        return f"{x:,.0f}"
    return f"{x:,.{sig}g}"


def signed(x: float, sig: int = 4) -> str:
    """`num` with an explicit sign: +0.011, -12,346."""
    return ("+" if x >= 0 else "") + num(x, sig)


def short(x: float, sig: int = 2) -> str:
    """`x` in `sig` significant digits with a tidy exponent: 1e-9, 1.4e18 (not 1e-09, 1.4e+18)."""
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + m.group(1).replace("+", "") + m.group(2),
                  f"{x:.{sig}g}")


def pct(x: float, digits: int = 1) -> str:
    return f"{x:+.{digits}%}" if math.isfinite(x) else "—"
