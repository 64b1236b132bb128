"""Fast value builders: sizes, integers, text, and one structured builder per pattern.

Everything here takes a ``random.Random`` seeded from a single Hypothesis draw: a
Hypothesis draw costs tens of microseconds, a ``Random`` call well under one, and a
body has up to 10,000 phones. Hypothesis still controls (and shrinks) the few choices
that matter most; see ``_valid``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate

import orjson

from ._spec import Node, UnsupportedSchema

__all__ = [
    "ASCII",
    "CALLER_PATTERN",
    "DATETIME_PATTERN",
    "MAX_DATETIME",
    "MIN_DATETIME",
    "PATTERN_BUILDERS",
    "SIZE_SCALE",
    "SIZE_TIERS",
    "UNICODE",
    "URL_PATTERN",
    "WINDOW_PATTERN",
    "Gen",
    "PatternBuilder",
    "format_datetime",
    "pattern_builder",
    "skewed_size",
]

# The size distribution of PhoneList and NumberList, as (share of draws, largest size
# in the tier above the list's minimum). Skewed small because most bugs need one or two
# items and a 10,000-phone body costs ~100 times a small one; the last two tiers make
# sure long lists and the exact maximum still come up (1 in 25 and 1 in 100).
SIZE_TIERS: tuple[tuple[float, int | None], ...] = (
    (0.05, 0),        # the minimum
    (0.55, 8),        # up to 8 items above it
    (0.25, 100),
    (0.10, 1000),
    (0.04, None),     # up to one below the maximum
    (0.01, None),     # the maximum
)
SIZE_SCALE = 10_000
"""Size draws are integers in ``range(SIZE_SCALE)``, mapped through SIZE_TIERS."""

_CUMULATIVE = [round(acc * SIZE_SCALE) for acc in accumulate(share for share, _ in SIZE_TIERS)]


def skewed_size(u: int, lo: int, hi: int) -> int:
    """Map ``u`` in ``range(SIZE_SCALE)`` to a size in ``[lo, hi]``, monotonically.

    Monotone, so that Hypothesis shrinking ``u`` towards 0 shrinks the list.
    """
    if hi <= lo:
        return lo
    tier_start, prev = 0, lo
    last = len(SIZE_TIERS) - 1
    for i, ((_, above), end) in enumerate(zip(SIZE_TIERS, _CUMULATIVE, strict=True)):
        if i == 0:
            cap = lo
        elif i == last:
            cap = hi
        else:
            cap = hi - 1 if above is None else min(lo + above, hi)
        # a short list (small hi) collapses the upper tiers onto its maximum
        cap = max(cap, prev)
        if u < end:
            if i == 0:
                return lo
            first = min(prev + 1, cap)
            return first + (u - tier_start) * (cap - first + 1) // (end - tier_start)
        tier_start, prev = end, cap
    return hi


def _chars(*ranges: tuple[int, int], step: int = 1) -> list[str]:
    return [chr(c) for lo, hi in ranges for c in range(lo, hi + 1, step)]


ASCII = _chars((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)) + list(" -_.:/@#()[]{}'\"\\,;!?+=*&%$")
# Scripts and code points that break naive code: CJK (the service's own language),
# right-to-left text, combining marks, astral emoji with modifiers and joiners,
# invisible and separator characters, C0 controls (legal in JSON strings), U+FFFF.
UNICODE = ASCII + _chars((0x4E00, 0x9FA5), step=331) + list(
    "【】，。、“”：；！？"
    "ПриветмирΑλφαβητο"
    "مرحبابالعالمשלום"
    "नमस्तेสวัสดี"
    "é\u0301\u0308\u00a0\u200b\u200c\u200d\u200e\u200f\ufeff\u2028\u2029\uffff"
    "\t\n\r\x00\x1f\x7f"
    "😀🎉👍🏽👩‍💻🇨🇳𝔘𠀀"
)

_TAPE_LENGTH = 1 << 16


# Built on first use, not at import: the two tapes take ~12 ms, which an import of the
# package for its other strategies should not pay.
@cache
def _tape(unicode: bool) -> str:
    # Generated test data must be reproducible from its seed, which rules out the
    # secrets module; none of it is a secret (hence the S311 waivers in this package).
    pool, seed = (UNICODE, 2) if unicode else (ASCII, 1)
    return "".join(random.Random(seed).choices(pool, k=_TAPE_LENGTH))  # noqa: S311


MIN_DATETIME = datetime(1, 1, 1)
MAX_DATETIME = datetime(9999, 12, 31, 23, 59, 59)
DATETIME_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
CALLER_PATTERN = r"^\+?[0-9]{5,20}$"
WINDOW_PATTERN = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]-(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"


def format_datetime(dt: datetime) -> str:
    # strftime("%Y") drops leading zeros for years before 1000 on glibc.
    return (f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} "
            f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}")


class Gen:
    """The per-example source of values: a seeded ``Random`` plus a 'simple' switch.

    Seed 0 (where Hypothesis shrinks to) means simple: minimum sizes, plain ASCII, the
    lower bound of every range. A shrunk counterexample then shows only what matters.
    """

    __slots__ = ("r", "simple")

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)  # noqa: S311
        self.simple = seed == 0

    def chance(self, p: float) -> bool:
        return not self.simple and self.r.random() < p

    def size(self, lo: int, hi: int) -> int:
        if self.simple:
            return lo
        return skewed_size(self.r.randrange(SIZE_SCALE), lo, hi)

    def small_size(self, lo: int, hi: int) -> int:
        """Sizes for the nested and secondary lists: mostly a handful, the maximum 1 in 20.

        SIZE_TIERS would make them long on average (a 100-item SmsConfig is most of
        a body's cost) while what breaks services is their edges.
        """
        if self.simple or hi <= lo:
            return lo
        r = self.r.random()
        if r < 0.1:
            return lo
        if r < 0.8:
            return min(hi, lo + 1 + self.r.randrange(3))
        if r < 0.95:
            return min(hi, lo + 1 + self.r.randrange(20))
        return hi

    def integer(self, lo: int, hi: int) -> int:
        """Boundaries often (both ends and their neighbours), else spread on a log scale."""
        if self.simple or hi <= lo:
            return lo
        r = self.r.random()
        if r < 0.15:
            return lo
        if r < 0.30:
            return hi
        if r < 0.40:
            return min(lo + 1, hi) if r < 0.35 else max(hi - 1, lo)
        span = hi - lo
        if span <= 10_000:
            return lo + self.r.randrange(span + 1)
        # log-uniform: small, medium and huge values all come up
        return lo + min(span, int(2 ** (self.r.random() * span.bit_length())))

    def text(self, lo: int, hi: int, pool: Sequence[str] | None = None) -> str:
        """A string of ``lo``..``hi`` code points (JSON Schema counts code points)."""
        if self.simple:
            return "a" * max(lo, 1) if hi >= 1 else ""
        r = self.r.random()
        if r < 0.1:
            n = lo
        elif r < 0.2:
            n = hi
        else:
            n = min(hi, max(lo, self.size(1, min(hi, 64))))
        if pool is not None:
            return "".join(self.r.choices(pool, k=n))
        # A slice of a pre-shuffled tape: one randrange instead of one per character.
        tape = _tape(self.r.random() < 0.5)
        if n > len(tape):  # only for a maxLength patched past the tape's 65,536
            return (tape * (n // len(tape) + 1))[:n]
        start = self.r.randrange(len(tape) - n + 1)
        return tape[start:start + n]

    def node_text(self, node: Node) -> str:
        lo = int(node.get("minLength", 0))
        hi = int(node.get("maxLength", max(lo, 64)))
        return self.text(lo, hi)

    def node_integer(self, node: Node) -> int:
        if "const" in node.keywords:
            return int(node.keywords["const"])
        if "enum" in node.keywords:
            values: list[int] = list(node.keywords["enum"])
            return values[0] if self.simple else self.r.choice(values)
        return self.integer(int(node.get("minimum", -(2**31))), int(node.get("maximum", 2**31 - 1)))

    def datetime_pair(self) -> tuple[datetime, datetime]:
        """(start, end) on the calendar with end >= start: equal is valid (erratum 7)."""
        if self.simple:
            return datetime(2025, 6, 1, 9), datetime(2025, 6, 1, 18)
        r = self.r
        pick = r.random()
        if pick < 0.05:
            start = MIN_DATETIME
        elif pick < 0.12:
            start = datetime(r.choice((2000, 2024, 2028, 2096)), 2, 29, 23, 59, 59)
        elif pick < 0.17:
            start = datetime(r.randrange(2000, 2100), 12, 31, 23, 59, 59)
        else:
            start = datetime(2000, 1, 1) + timedelta(seconds=r.randrange(100 * 365 * 86400))
        pick = r.random()
        if pick < 0.2:
            return start, start
        if pick < 0.25:
            return start, MAX_DATETIME
        seconds = r.choice((1, 60, 3600, 86400, 86400 * 366, 86400 * 365 * 50))
        end = start + timedelta(seconds=r.randrange(1, seconds + 1))
        return start, min(end, MAX_DATETIME)

    # -- structured builders for the schema's patterns ---------------------------

    def caller_numbers(self, n: int) -> list[str]:
        """``n`` distinct numbers of ``^\\+?[0-9]{5,20}$``.

        Distinct by construction: every number ends in a distinct 5-digit counter and
        starts with a prefix of the body's one 15-digit string, so two numbers of the
        same length share their prefix and differ in the counter.
        """
        if n > 100_000:
            raise ValueError("at most 100,000 distinct caller numbers are built")
        r = self.r
        if self.simple:
            return [f"1334444{i:05d}" for i in range(n)]
        prefix = "".join(r.choices("0123456789", k=15))
        offset, stride = r.randrange(100_000), r.choice((1, 3, 7, 11, 13, 37))
        long_every = r.choice((1, 2, 5, 0))
        out = []
        for i in range(n):
            length = 15 if long_every and i % long_every == 0 else r.randrange(16)
            plus = "+" if (i + offset) % 4 == 0 else ""
            out.append(f"{plus}{prefix[:length]}{(offset + i * stride) % 100_000:05d}")
        return out

    def window(self) -> str:
        """An ``HH:mm-HH:mm`` no-call window that starts before it ends."""
        if self.simple:
            return "12:00-13:00"
        r = self.r
        pick = r.random()
        if pick < 0.1:
            a, b = 0, 1439
        elif pick < 0.15:
            a, b = 0, 1
        elif pick < 0.2:
            a, b = 1438, 1439
        else:
            a = r.randrange(1439)
            b = r.randrange(a + 1, 1440)
        return f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"

    def url(self, max_length: int) -> str:
        """An http(s) URL with a non-empty host and no whitespace."""
        if self.simple:
            return "https://example.com/cb"
        r = self.r
        scheme = r.choice(("https://", "http://"))
        host = r.choice((
            "example.com", "cb.example.cn", "127.0.0.1:8080", "[::1]:443", "例子.测试",
            "a", "xn--fsqu00a.xn--0zwm56d", "sub-1.sub_2.example.org:65535",
        ))
        tail = r.choice((
            "", "/", "/cdr", "/callback?task=1&x=%20y", "/回调/记录", "/a/b/c#frag",
            "/p;q=1/?a=b&c=d&e", "?only=query", "#only-fragment",
        ))
        url = scheme + host + tail
        if r.random() < 0.1 and len(url) < max_length:
            url += "/" + "x" * (max_length - len(url) - 1) if len(url) < max_length - 1 else "/"
        return url[:max_length]

    def json_object(self, max_length: int) -> str:
        """The text of a JSON object (what PhoneParamJson/SmsParamJson hold)."""
        if self.simple:
            return '{"code":"1"}'
        r = self.r
        pick = r.random()
        if pick < 0.1:
            return "{}"
        if pick < 0.15 and max_length >= 8:
            return '{"k":"' + "x" * (max_length - 8) + '"}'
        obj: dict[str, object] = {}
        for i in range(r.randrange(1, 4)):
            key = r.choice(("code", "name", "金额", "n", "ünïcødé", f"k{i}"))
            obj[key] = r.choice((self.text(0, 12), r.randrange(-5, 10**6), True, None,
                                 [1, "二"], {"nested": {"deep": 1}}))
        text = orjson.dumps(obj).decode()
        if r.random() < 0.2:
            text = " " + text.replace(":", ": ") + "\n"  # whitespace is still JSON
        return text if len(text) <= max_length else "{}"


PatternBuilder = Callable[[Gen, Node], str]


def _datetime(gen: Gen, node: Node) -> str:
    return format_datetime(gen.datetime_pair()[0])


def _caller(gen: Gen, node: Node) -> str:
    return gen.caller_numbers(1)[0]


def _window(gen: Gen, node: Node) -> str:
    return gen.window()


def _url(gen: Gen, node: Node) -> str:
    return gen.url(int(node.get("maxLength", 2048)))


# Keyed by the pattern's exact text: a pattern edited in the schema has no builder
# until someone writes one, and strategies for it refuse to build (see pattern_builder).
PATTERN_BUILDERS: dict[str, PatternBuilder] = {
    DATETIME_PATTERN: _datetime,
    CALLER_PATTERN: _caller,
    WINDOW_PATTERN: _window,
    URL_PATTERN: _url,
}


def pattern_builder(node: Node) -> PatternBuilder:
    """The structured builder for ``node``'s pattern; refuses a pattern it does not know."""
    pattern = node.get("pattern")
    builder = PATTERN_BUILDERS.get(pattern) if isinstance(pattern, str) else None
    if builder is None:
        raise UnsupportedSchema(
            f"{node.pattern}: no structured generator for pattern {pattern!r}; add one to "
            "vmsspec.strategies._text.PATTERN_BUILDERS (regex-driven generation is too slow)"
        )
    return builder
