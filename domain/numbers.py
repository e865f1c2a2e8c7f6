"""Numbers as sales managers type them, and a whole day entered in one message.

Pure functions: no I/O, no aiogram, no SQLAlchemy. The one promise every rule here
keeps is PRODUCT.md's: *never a crash and never a silently wrong number*. When a
text can honestly be read two ways the parser does not pick one; it says
``AMBIGUOUS`` and the bot asks again. A re-ask costs the manager five seconds; a
wrong number in the digest costs the head's trust in every number after it.

Numbers (`parse_number`)
------------------------
Accepted, in Russian and English habits alike:

* plain digits ``150000``, zero ``0``, a decimal point or comma ``1500.5``, ``1,5``, ``,5``;
* thousands grouped by spaces, NBSP, narrow NBSP or thin spaces ``150 000``, each group
  after the first exactly three digits (``1 50 000`` is not a number);
* thousands grouped by commas or dots when that is certain: the separator occurs
  twice (``1,500,000``, ``1.500.000``) or the other mark follows as the decimal one
  (``1,500.50``, ``1.500,50``); with space groups a comma or dot is the decimal mark
  (``1 500,50``, ``1 500.50``);
* multipliers ``k к т тыс тыс. тысяч thousand`` (×1 000), ``m м mln mn млн million
  миллион`` (×1 000 000), ``bn bln млрд billion миллиард`` (×10⁹), glued or spaced:
  ``150k``, ``150 тыс.``, ``1,5 млн``, ``1.5m``;
* for money only, a currency mark before or after: ``₽ $ €``, ``р руб рублей rub usd eur``,
  also after a multiplier: ``150 т.р.``, ``150 тыс. руб``, ``₽150 000``, ``$100``.

Refused, each with its own `NumberReason`:

* ``1,500``, ``1.500``, ``150.000`` — one comma or dot followed by exactly three
  digits: as a Russian decimal mark that is 1.5 / 150, as an English (or German)
  thousands mark it is 1500 / 150 000. Both habits are common in one team, so it is
  ``AMBIGUOUS`` (the error carries the readings that would be valid for the metric,
  so the bot can offer them as buttons). ``0,500`` and ``1234,567`` have no thousands
  reading and are plain decimals;
* ``-5``, ``−5`` (any minus or dash in front): ``NEGATIVE``;
* ``1e5``, ``NaN``, ``inf``, ``+5``, ``~150``, ``5-6``, other scripts' digits: ``NOT_A_NUMBER``;
* a currency mark on a count (``30 ₽`` as a number of calls is a value typed into the
  wrong slot): ``NOT_A_NUMBER``;
* a fraction where a count is expected (``2.5`` meetings): ``FRACTION_FOR_COUNT``;
  ``1.5k`` calls is 1500 and fine — the rule is about the value, not the spelling;
* money with more than two decimals (``10.5555``, ``0,125``): ``TOO_MANY_DECIMALS``;
  never rounded;
* above ``max_value`` (or `HARD_MAX` when none is given): ``TOO_LARGE``;
* longer than `MAX_NUMBER_TEXT` characters: ``TOO_LONG``; empty or blank: ``EMPTY``.

Entries (`parse_entry`)
-----------------------
See the function's docstring for the positional and the labelled forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal
from enum import StrEnum
from typing import TypeAlias

# The metric kinds live with the default metric set; re-exported here so callers of the
# parser need one import. Keeping one enum (not a twin) keeps mypy and `==` honest.
from domain.metrics import MetricKind

__all__ = [
    "HARD_MAX",
    "MAX_ENTRY_TEXT",
    "MAX_NUMBER_TEXT",
    "MONEY_DECIMALS",
    "EntryError",
    "EntryErrorReason",
    "EntryForm",
    "EntryParse",
    "EntryReason",
    "MetricKind",
    "MetricSpec",
    "NumberError",
    "NumberReason",
    "QuickAnswer",
    "parse_entry",
    "parse_number",
    "quick_answer",
]

MAX_NUMBER_TEXT = 64
"""Longest text `parse_number` looks at; anything longer is not one typed number."""
MAX_ENTRY_TEXT = 1000
"""Longest text `parse_entry` looks at (a day of a dozen metrics fits in a tenth of it)."""
HARD_MAX = Decimal(10) ** 15
"""Upper bound applied even when a metric sets no maximum."""
MONEY_DECIMALS = 2

# Exact arithmetic for everything the parser computes: 64 typed digits times 10⁹ fit.
_EXACT = Context(prec=200)


class NumberReason(StrEnum):
    """Why a text is not accepted as a number; stable values for locale keys."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    AMBIGUOUS = "ambiguous"
    FRACTION_FOR_COUNT = "fraction_for_count"
    TOO_MANY_DECIMALS = "too_many_decimals"
    TOO_LARGE = "too_large"


class NumberError(ValueError):
    """A text that is not (or not certainly) a valid number for its metric.

    ``reason`` is machine-readable; ``text`` is the trimmed fragment that was refused;
    ``candidates`` (for ``AMBIGUOUS``) are the readings that would be valid for the
    metric, smallest first, possibly none; ``limit`` (for ``TOO_LARGE``) is the maximum.
    """

    def __init__(
        self,
        reason: NumberReason,
        text: str,
        *,
        candidates: tuple[Decimal, ...] = (),
        limit: Decimal | None = None,
    ) -> None:
        super().__init__(f"{reason.value}: {text!r}")
        self.reason = reason
        self.text = text
        self.candidates = candidates
        self.limit = limit


_MINUSES = "-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"
_CURRENCY_SIGNS = "₽$€"
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Spaces that glue digit groups rather than separate values (what formatters emit).
_NON_BREAKING = "\u00a0\u202f\u2007"

_PREFIX = re.compile(
    rf"(?P<cur1>[{_CURRENCY_SIGNS}])?\s*(?P<sign>[{_MINUSES}])?\s*(?P<cur2>[{_CURRENCY_SIGNS}])?\s*"
)
_BODY_CHARS = re.compile(r"[0-9 .,]*")
_BODY = re.compile(r"[0-9]*(?:[ .,][0-9]+)*")
_MULTIPLIER = (
    r"k|к|т|тыс|тысяч[аи]?|thousands?"
    r"|m|м|mln|mn|млн|millions?|миллион(?:а|ов)?"
    r"|bn|bln|млрд|billions?|миллиард(?:а|ов)?"
)
_CURRENCY = r"[₽$€]|р|руб|рубл(?:ей|я|ь)|rub|rur|usd|eur"
_SUFFIX = re.compile(rf"(?:(?P<mult>{_MULTIPLIER})\.?)?\s*(?:(?P<cur>{_CURRENCY})\.?)?")


def _clip(text: str) -> str:
    """A fragment short enough to quote back in a message."""
    return text if len(text) <= MAX_NUMBER_TEXT else text[:MAX_NUMBER_TEXT] + "…"


def _exponent(multiplier: str) -> int:
    if multiplier in {"k", "к", "т"} or multiplier.startswith(("тыс", "thousand")):
        return 3
    if multiplier in {"m", "м", "mln", "mn", "млн"} or multiplier.startswith(
        ("million", "миллион")
    ):
        return 6
    return 9


@dataclass(frozen=True, slots=True)
class _Reading:
    """What a text says, before the metric's rules: one value, or two when ambiguous."""

    values: tuple[Decimal, ...]
    negative: bool
    currency: bool


def _thousands_groups(groups: Sequence[str]) -> bool:
    """``1 500 000``: a first group of 1–3 digits not starting with 0, then groups of 3."""
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and first[0] != "0" and all(len(g) == 3 for g in rest)


def _read_body(body: str, fragment: str) -> tuple[Decimal, ...]:
    """The digits part: ``150 000``, ``1,500.50``, ``1,5``. See the module docstring."""

    def bad() -> NumberError:
        return NumberError(NumberReason.NOT_A_NUMBER, fragment)

    if not _BODY.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise bad()
    groups = re.split(r"[ .,]", body)
    seps = re.findall(r"[ .,]", body)
    if groups[0] == "":  # ".5", ",5"
        return (Decimal("0." + groups[1]),)
    marks = [s for s in seps if s != " "]
    spaced = " " in seps
    if not marks:
        if spaced and not _thousands_groups(groups):
            raise bad()
        return (Decimal("".join(groups)),)
    decimal_mark = seps[-1]
    if len(set(marks)) == 2:
        # Both marks: the last one, occurring once, is decimal; the other groups thousands.
        if decimal_mark == " " or marks.count(decimal_mark) != 1 or spaced:
            raise bad()
        if not _thousands_groups(groups[:-1]):
            raise bad()
        return (Decimal("".join(groups[:-1]) + "." + groups[-1]),)
    if len(marks) > 1:
        # The same mark twice can only group thousands: 1,500,000 or 1.500.000.
        if spaced or not _thousands_groups(groups):
            raise bad()
        return (Decimal("".join(groups)),)
    # Exactly one comma or dot, and it must come last: "1,500 000" mixes styles.
    if decimal_mark == " ":
        raise bad()
    whole, fraction = groups[:-1], groups[-1]
    if spaced and not _thousands_groups(whole):
        raise bad()
    as_decimal = Decimal("".join(whole) + "." + fraction)
    if len(fraction) == 3 and _thousands_groups(whole):
        return (as_decimal, Decimal("".join(whole) + fraction))
    return (as_decimal,)


def _read(text: str) -> _Reading:
    """The syntax of one number; raises `NumberError` for EMPTY, TOO_LONG, NOT_A_NUMBER."""
    fragment = text.translate(_INVISIBLE).strip()
    if len(fragment) > MAX_NUMBER_TEXT:
        raise NumberError(NumberReason.TOO_LONG, _clip(fragment))
    if not fragment:
        raise NumberError(NumberReason.EMPTY, fragment)
    if len(fragment.splitlines()) > 1:  # two lines are two values, not one
        raise NumberError(NumberReason.NOT_A_NUMBER, fragment)
    flat = " ".join(fragment.split()).lower()
    prefix = _PREFIX.match(flat)
    assert prefix is not None  # every part of the pattern is optional
    if prefix["cur1"] and prefix["cur2"]:
        raise NumberError(NumberReason.NOT_A_NUMBER, fragment)
    rest = flat[prefix.end() :]
    body = _BODY_CHARS.match(rest)
    assert body is not None
    digits = body.group().strip()
    suffix = _SUFFIX.fullmatch(rest[body.end() :].strip())
    if suffix is None:
        raise NumberError(NumberReason.NOT_A_NUMBER, fragment)
    if len(digits) > 1 and digits[-1] in ".," and digits[-2].isdigit():
        digits = digits[:-1]  # the full stop of a sentence: "Звонки 30."
    readings = _read_body(digits, fragment)
    if suffix["mult"]:
        exponent = _exponent(suffix["mult"])
        readings = tuple(value.scaleb(exponent, context=_EXACT) for value in readings)
    return _Reading(
        values=readings,
        negative=prefix["sign"] is not None,
        currency=bool(prefix["cur1"] or prefix["cur2"] or suffix["cur"]),
    )


def _problem(value: Decimal, kind: MetricKind, limit: Decimal) -> NumberReason | None:
    denominator = value.as_integer_ratio()[1]
    if kind is MetricKind.COUNT and denominator != 1:
        return NumberReason.FRACTION_FOR_COUNT
    if kind is MetricKind.MONEY and 10**MONEY_DECIMALS % denominator != 0:
        return NumberReason.TOO_MANY_DECIMALS
    if value > limit:
        return NumberReason.TOO_LARGE
    return None


def _canonical(value: Decimal) -> Decimal:
    """``Decimal('1500')`` not ``1.5E+3`` or ``1500.00``; ``Decimal('0.5')`` not ``0.50``."""
    if value.as_integer_ratio()[1] == 1:
        return Decimal(int(value))
    return value.normalize(context=_EXACT)


def parse_number(text: str, *, kind: MetricKind, max_value: Decimal | None = None) -> Decimal:
    """The value of one typed number for a metric of `kind`, or `NumberError`.

    Returns a normalised `Decimal`: counts are integral (``Decimal('1500')``), money
    has at most two decimals and no trailing zeros. The accepted spellings and the
    reasons for refusal are listed in the module docstring; the short version is that
    everything people type is accepted unless it is unsure, and unsure means re-ask.
    Raises only `NumberError`, whatever the text.
    """
    reading = _read(text)
    fragment = text.translate(_INVISIBLE).strip()
    if reading.negative:
        raise NumberError(NumberReason.NEGATIVE, fragment)
    if reading.currency and kind is MetricKind.COUNT:
        raise NumberError(NumberReason.NOT_A_NUMBER, fragment)
    limit = HARD_MAX if max_value is None else min(max_value, HARD_MAX)
    if len(reading.values) > 1:
        valid = sorted({_canonical(v) for v in reading.values if _problem(v, kind, limit) is None})
        raise NumberError(NumberReason.AMBIGUOUS, fragment, candidates=tuple(valid))
    (value,) = reading.values
    problem = _problem(value, kind, limit)
    if problem is not None:
        bound = limit if problem is NumberReason.TOO_LARGE else None
        raise NumberError(problem, fragment, limit=bound)
    return _canonical(value)


# --- quick answers -------------------------------------------------------------------


class QuickAnswer(StrEnum):
    """A whole-day answer in a word: copy yesterday's numbers, or the team's norms."""

    AS_YESTERDAY = "as_yesterday"
    NORMS = "norms"


_QUICK_ANSWERS = {
    **dict.fromkeys(
        ("как вчера", "как и вчера", "same as yesterday", "as yesterday", "like yesterday"),
        QuickAnswer.AS_YESTERDAY,
    ),
    **dict.fromkeys(
        ("нормы", "норма", "по норме", "по нормам", "norms", "norm", "as norm", "by norm"),
        QuickAnswer.NORMS,
    ),
}
_EDGE_PUNCTUATION = " .!,;…\"'«»()"


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def quick_answer(text: str) -> QuickAnswer | None:
    """``как вчера`` / ``same as yesterday`` → AS_YESTERDAY, ``нормы`` / ``norms`` → NORMS.

    Case-insensitive; surrounding spaces and punctuation (``Как вчера.``) are ignored.
    Anything else, including a sentence that merely contains the words, is None.
    """
    if len(text) > MAX_NUMBER_TEXT:
        return None
    folded = " ".join(_fold(text.translate(_INVISIBLE)).split()).strip(_EDGE_PUNCTUATION)
    return _QUICK_ANSWERS.get(folded)


# --- entries of a whole day ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """What `parse_entry` needs to know of one metric.

    ``aliases`` are lowercase labels and synonyms in every language, e.g.
    ``("звонки", "звонков", "звонка", "calls", "call")``. A typed word matches an
    alias when it equals it, or starts with it and the alias has at least 4 letters
    (so the stem ``"звонк"`` also covers ``звонки``, ``звонков``, ``звонка``). An alias
    of several words (``"новые лиды"``) matches those words in a row.
    """

    key: str
    kind: MetricKind
    aliases: tuple[str, ...]
    max_value: Decimal | None = None


class EntryReason(StrEnum):
    """Problems of an entry as a whole (a value's own problems are `NumberReason`)."""

    TOO_LONG = "entry_too_long"
    WRONG_COUNT = "wrong_count"
    UNKNOWN_LABEL = "unknown_label"
    AMBIGUOUS_LABEL = "ambiguous_label"
    DUPLICATE = "duplicate"
    NO_VALUE = "no_value"
    NO_LABEL = "no_label"


EntryErrorReason: TypeAlias = NumberReason | EntryReason


class EntryForm(StrEnum):
    """Which form `parse_entry` read the message in: the bot's re-ask may differ."""

    POSITIONAL = "positional"
    LABELLED = "labelled"


@dataclass(frozen=True, slots=True)
class EntryError:
    """One thing to re-ask, precisely: "Встречи: «2.5» — нужно целое число".

    ``key`` is the metric concerned, or None when none is known (an unknown label, a
    wrong number of values). ``fragment`` is the piece of the message as typed.
    ``expected``/``got`` are set for WRONG_COUNT, ``candidates`` for AMBIGUOUS,
    ``limit`` for TOO_LARGE.
    """

    key: str | None
    reason: EntryErrorReason
    fragment: str
    expected: int | None = None
    got: int | None = None
    candidates: tuple[Decimal, ...] = ()
    limit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class EntryParse:
    """The values read (only the good ones, in the metrics' order) and what to re-ask."""

    values: dict[str, Decimal]
    errors: list[EntryError]
    form: EntryForm | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class _Tok(StrEnum):
    NUM = "num"
    SUFFIX = "suffix"
    WORD = "word"
    DASH = "dash"
    PUNCT = "punct"  # "+", "!", "/": ends a number; in positional form, a value slot
    FILLER = "filler"  # "шт", "и", "and": ignored everywhere


_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKING_SPACE = rf"[^\S{_NON_BREAKING}{_LINE_BREAKS}]"
_CLAUSE_SPLIT = re.compile(rf"[{_LINE_BREAKS}]+|;|,(?=[^\S{_NON_BREAKING}]|$)")
_TOKEN_SPLIT = re.compile(rf"{_BREAKING_SPACE}+")
_NUMERIC = re.compile(rf"[{_CURRENCY_SIGNS}]?[{_MINUSES}]?[{_CURRENCY_SIGNS}]?[.,]?[0-9]")
_LABEL_THEN_NUMBER = re.compile(
    rf"([^\W\d_][^\W\d]*?)[{_MINUSES}]?([0-9{_CURRENCY_SIGNS}].*)", re.DOTALL
)
_NUMBER_THEN_WORD = re.compile(
    rf"([{_CURRENCY_SIGNS}]?[{_MINUSES}]?[{_CURRENCY_SIGNS}]?[0-9][0-9.,{_NON_BREAKING}]*)"
    r"([^\W\d_].*)",
    re.DOTALL,
)
_NUMBER_EDGES = "()[]«»\"'!?"
# Words that carry no number and no label: "30 шт. звонков", "calls 30 and meetings 2".
_FILLERS = frozenset({"шт", "штук", "штуки", "штука", "pcs", "pc", "и", "and"})
_WORD_EDGES = "()[]«»\"'!?.,"


def _is_suffix(text: str) -> bool:
    """A multiplier and/or a currency mark on its own: ``тыс``, ``₽``, ``т.р.``, ``k``."""
    match = _SUFFIX.fullmatch(_fold(text))
    return match is not None and bool(match["mult"] or match["cur"])


def _split_glued(token: str) -> list[str]:
    """``звонки30`` → ``звонки 30``, ``30звонков`` → ``30 звонков``; ``150k`` stays whole."""
    parts: list[str] = []
    while token:
        glued = _LABEL_THEN_NUMBER.fullmatch(token)
        if glued and not _is_suffix(glued[1]):
            parts.append(glued[1])
            token = glued[2]
            continue
        glued = _NUMBER_THEN_WORD.fullmatch(token)
        if glued and not _is_suffix(glued[2]):
            parts.append(glued[1])
            token = glued[2]
            continue
        parts.append(token)
        break
    return parts


def _classify(token: str) -> _Tok:
    folded = _fold(token)
    if folded.strip(_WORD_EDGES) in _FILLERS:
        return _Tok.FILLER
    if all(ch in _MINUSES for ch in folded):
        return _Tok.DASH
    if _NUMERIC.match(folded.lstrip(_NUMBER_EDGES)):
        return _Tok.NUM
    if _is_suffix(folded):
        return _Tok.SUFFIX
    if any(ch.isalpha() for ch in folded):
        return _Tok.WORD
    return _Tok.PUNCT


def _tokens(clause: str) -> list[tuple[_Tok, str]]:
    out: list[tuple[_Tok, str]] = []
    for raw in _TOKEN_SPLIT.split(clause.strip()):
        for token in _split_glued(raw.strip()):
            kind = _classify(token)
            if kind is _Tok.NUM:
                token = token.strip(_NUMBER_EDGES)
            out.append((kind, token))
    return out


def _clauses(text: str) -> list[list[tuple[_Tok, str]]]:
    # "Оплаты, ₽: 150 000" — the comma belongs to the label, not between two values.
    text = re.sub(rf"(?<=[^\W\d_]),\s*(?=[{_CURRENCY_SIGNS}])", " ", text)
    text = re.sub(r"[:=]", " ", text)
    clauses = (_tokens(part) for part in _CLAUSE_SPLIT.split(text))
    return [c for c in clauses if any(kind is not _Tok.FILLER for kind, _ in c)]


def _is_one_number(text: str) -> bool:
    try:
        _read(text)
    except NumberError:
        return False
    return True


def _value(
    spec: MetricSpec, text: str, values: dict[str, Decimal], errors: list[EntryError]
) -> None:
    try:
        values[spec.key] = parse_number(text, kind=spec.kind, max_value=spec.max_value)
    except NumberError as exc:
        errors.append(
            EntryError(spec.key, exc.reason, exc.text, candidates=exc.candidates, limit=exc.limit)
        )


def _positional(
    clauses: list[list[tuple[_Tok, str]]], metrics: Sequence[MetricSpec], fragment: str
) -> EntryParse:
    per_clause: list[list[str]] = []
    wholes: list[str | None] = []
    for clause in clauses:
        units: list[str] = []
        glue = False  # a currency sign waiting for its number: "$ 100"
        for kind, token in clause:
            if kind is _Tok.FILLER:
                continue
            if (kind is _Tok.SUFFIX and units and not glue) or glue:
                units[-1] += " " + token
                glue = False
            else:
                units.append(token)
                glue = kind is _Tok.SUFFIX and token in _CURRENCY_SIGNS
        joined = " ".join(token for kind, token in clause if kind is not _Tok.FILLER)
        per_clause.append(units)
        wholes.append(joined if len(units) > 1 and _is_one_number(joined) else None)

    expected = len(metrics)
    if len(per_clause) == 1 and expected == 1:
        units = [" ".join(per_clause[0])]  # one metric, one value: "150 000"
    elif len(per_clause) == 1:
        units = per_clause[0]  # one line: whitespace separates values
    else:
        # Several lines (or "; " / ", "): one value each, spaces inside group thousands;
        # a line that is not one number is split on its spaces ("30 2 3\n5 1 150000").
        units = []
        for clause_units, whole in zip(per_clause, wholes, strict=True):
            units.extend([whole] if whole is not None else clause_units)
    if len(units) != expected:
        error = EntryError(
            None, EntryReason.WRONG_COUNT, _clip(fragment), expected=expected, got=len(units)
        )
        return EntryParse({}, [error], EntryForm.POSITIONAL)
    values: dict[str, Decimal] = {}
    errors: list[EntryError] = []
    for spec, unit in zip(metrics, units, strict=True):
        _value(spec, unit, values, errors)
    return EntryParse(values, errors, EntryForm.POSITIONAL)


def _alias_words(metrics: Sequence[MetricSpec]) -> list[list[list[str]]]:
    return [[_fold(alias).split() for alias in spec.aliases if alias.strip()] for spec in metrics]


def _word_matches(word: str, alias: str) -> bool:
    return word == alias or (len(alias) >= 4 and word.startswith(alias))


def _label_matches(words: list[str], aliases: list[list[list[str]]]) -> list[int]:
    """Indexes of the metrics some alias of which appears (as a run of words) in `words`. A
    match inside another metric's longer one does not count: "повторные встречи" names the
    team's own metric, not "встречи" with a stray word."""
    folded = [_fold(w).strip(_WORD_EDGES) for w in words]
    spans: dict[int, tuple[int, int]] = {}
    for index, metric_aliases in enumerate(aliases):
        for alias in metric_aliases:
            size = len(alias)
            for start in range(len(folded) - size + 1):
                words_here = folded[start : start + size]
                if not all(_word_matches(w, a) for w, a in zip(words_here, alias, strict=True)):
                    continue
                best = spans.get(index)
                if best is None or size > best[1] - best[0]:
                    spans[index] = (start, start + size)

    def inside(span: tuple[int, int], other: tuple[int, int]) -> bool:
        longer = other[1] - other[0] > span[1] - span[0]
        return longer and other[0] <= span[0] and span[1] <= other[1]

    return [
        index
        for index, span in spans.items()
        if not any(inside(span, other) for j, other in spans.items() if j != index)
    ]


@dataclass(slots=True)
class _Item:
    is_label: bool
    tokens: list[str]
    digit_groups: int = 0  # how many space-separated digit tokens a number was typed as
    closed: bool = False  # a number after its multiplier, currency or a dash takes no more

    @property
    def text(self) -> str:
        return _clip(" ".join(self.tokens))


def _items(clause: list[tuple[_Tok, str]]) -> list[_Item]:
    """Runs of words (labels) and runs of number tokens (values) in one clause."""
    items: list[_Item] = []
    for position, (kind, token) in enumerate(clause):
        last = items[-1] if items else None
        number = last if last is not None and not last.is_label else None
        if kind is _Tok.FILLER:
            continue
        if kind in {_Tok.DASH, _Tok.PUNCT}:
            if number is not None:
                number.closed = True
        elif kind is _Tok.SUFFIX and number is not None:
            number.tokens.append(token)
            number.closed = True
        elif kind is _Tok.NUM and number is not None and not number.closed:
            number.tokens.append(token)
            number.digit_groups += 1
        elif kind is _Tok.NUM:
            items.append(_Item(False, [token], digit_groups=1))
        elif (
            kind is _Tok.SUFFIX
            and token in _CURRENCY_SIGNS
            and position + 1 < len(clause)
            and clause[position + 1][0] is _Tok.NUM
        ):
            items.append(_Item(False, [token]))  # "Оплаты ₽ 150 000"
        elif last is not None and last.is_label:
            last.tokens.append(token)
        else:
            items.append(_Item(True, [token]))
    return items


@dataclass(frozen=True, slots=True)
class _Pair:
    label: _Item | None
    number: _Item | None
    clause_broken: bool  # the clause has a label without value or a value without label


def _pairs(clauses: list[list[tuple[_Tok, str]]]) -> list[_Pair]:
    """Labels with their values; each clause reads in the order it starts with."""
    merged: list[list[_Item]] = []
    for items in filter(None, map(_items, clauses)):
        previous = merged[-1] if merged else None
        if (  # "Оплаты:\n150 000" — a lone label on one line, its lone value on the next
            previous is not None
            and len(previous) == 1
            and previous[0].is_label
            and len(items) == 1
            and not items[0].is_label
        ):
            previous.append(items[0])
        else:
            merged.append(items)

    pairs: list[_Pair] = []
    for items in merged:
        label_first = items[0].is_label
        found: list[tuple[_Item | None, _Item | None]] = []
        pending: _Item | None = None
        for item in items:
            if item.is_label == label_first:
                if pending is not None:
                    found.append((pending, None) if label_first else (None, pending))
                pending = item
            elif pending is None:
                found.append((item, None) if item.is_label else (None, item))
            else:
                found.append((pending, item) if label_first else (item, pending))
                pending = None
        if pending is not None:
            found.append((pending, None) if label_first else (None, pending))
        broken = any(label is None or number is None for label, number in found)
        pairs.extend(_Pair(label, number, broken) for label, number in found)
    return pairs


def _labelled(clauses: list[list[tuple[_Tok, str]]], metrics: Sequence[MetricSpec]) -> EntryParse:
    aliases = _alias_words(metrics)
    values: dict[str, Decimal] = {}
    errors: list[EntryError] = []
    seen: set[str] = set()
    duplicated: set[str] = set()
    for pair in _pairs(clauses):
        label, number = pair.label, pair.number
        if label is None:
            assert number is not None
            errors.append(EntryError(None, EntryReason.NO_LABEL, number.text))
            continue
        found = _label_matches(label.tokens, aliases)
        if not found:
            errors.append(EntryError(None, EntryReason.UNKNOWN_LABEL, label.text))
            continue
        if len(found) > 1:
            errors.append(EntryError(None, EntryReason.AMBIGUOUS_LABEL, label.text))
            continue
        spec = metrics[found[0]]
        if spec.key in seen:
            duplicated.add(spec.key)
            fragment = label.text if number is None else f"{label.text} {number.text}"
            errors.append(EntryError(spec.key, EntryReason.DUPLICATE, _clip(fragment)))
            continue
        seen.add(spec.key)
        if number is None:
            errors.append(EntryError(spec.key, EntryReason.NO_VALUE, label.text))
            continue
        if pair.clause_broken and number.digit_groups > 1:
            # "звонки 30 100 встреч": is it 30 100 calls, or 30 calls and 100 meetings
            # typed the other way round? The clause does not pair up, so do not guess.
            errors.append(EntryError(spec.key, NumberReason.AMBIGUOUS, number.text))
            continue
        _value(spec, number.text, values, errors)
    ordered = {
        spec.key: values[spec.key]
        for spec in metrics
        if spec.key in values and spec.key not in duplicated
    }
    return EntryParse(ordered, errors, EntryForm.LABELLED)


def parse_entry(text: str, metrics: Sequence[MetricSpec]) -> EntryParse:
    """A manager's numbers for a day, from one message. Never raises for any text.

    **Positional** (no labels): values in the order of `metrics`, e.g.
    ``30 2 3 5 1 150000``.

    * On one line, whitespace separates values, so a grouped number must be written
      without spaces or with a multiplier (``150000``, ``150k``, ``150 тыс``); a
      currency mark or multiplier joins the number before it. ``30 2 3 5 1 150 000``
      has seven values for six metrics: WRONG_COUNT (grouping ``1 150`` would be just as
      possible as ``150 000``, so the parser does not guess). NBSP and other
      non-breaking spaces do not separate values: they are what formatters put inside
      numbers. With a single metric the whole line is its one value (``150 000``).
    * Over several lines, or separated by ``;`` or by a comma followed by a space,
      each piece is one value and may contain spaces (``150 000``); a piece that is not
      one number is split on its spaces (``30 2 3 5 1\\n150 000``).
    * Filler words (``шт``, ``и``, ``and``) are skipped; any other sign between values
      (``+``, ``/``, ``!``) takes a value's place and is refused, never skipped:
      ``30 + 2`` might mean 32.
    * Fewer or more values than metrics is WRONG_COUNT (``expected``/``got``) and
      yields no values: a shifted column is the classic silently wrong number.

    **Labelled** (any word that is not a multiplier or currency): pairs of a label and a
    value, either way round, separated as above or not at all: ``звонки 30, встречи 2``,
    ``calls: 30; meetings 2``, ``30 звонков, 2 встречи``, ``Звонки - 30\\nОплаты 150 000``.
    A label matches a metric through its `MetricSpec.aliases` (case-insensitive, ``ё`` =
    ``е``); other words next to a known label are ignored (``новые лиды``). A label
    that matches nothing is UNKNOWN_LABEL, one that matches two metrics is
    AMBIGUOUS_LABEL, a metric given twice is DUPLICATE (neither value is kept), a label
    without a value is NO_VALUE, a value without a label is NO_LABEL. A label alone on
    a line takes the value alone on the next (``Оплаты:\n150 000``). Spaces inside a
    value group thousands (``Оплаты 150 000``), except in a piece that does not pair up:
    in ``звонки 30 100 встреч`` "30 100" may be two values typed the other way round,
    so it is AMBIGUOUS rather than 30 100 calls. Only the metrics given appear in
    ``values``; what to do about the others is the caller's decision.

    Each value goes through `parse_number` with its metric's kind and maximum; its
    refusal becomes an `EntryError` with the metric's key. Good values are kept
    alongside errors so the bot can re-ask only what is wrong; a key never appears in
    both. An empty message is EMPTY, one over `MAX_ENTRY_TEXT` characters TOO_LONG
    (``form`` is None then). Quick answers ("как вчера") are not entries: try
    `quick_answer` first.
    """
    stripped = text.translate(_INVISIBLE).strip()
    if not stripped:
        return EntryParse({}, [EntryError(None, NumberReason.EMPTY, "")])
    if len(stripped) > MAX_ENTRY_TEXT:
        return EntryParse({}, [EntryError(None, EntryReason.TOO_LONG, _clip(stripped))])
    clauses = _clauses(stripped)
    if not clauses:
        return EntryParse({}, [EntryError(None, NumberReason.NOT_A_NUMBER, _clip(stripped))])
    if any(kind is _Tok.WORD for clause in clauses for kind, _ in clause):
        return _labelled(clauses, metrics)
    return _positional(clauses, metrics, stripped)
