"""Where the ledger's SQL differs between SQLite and PostgreSQL, each difference stated once.

Every query is written once, in SQL both engines read alike; the few expressions they spell differently
come from here. What both read alike, and the queries keep to: ISO dates as text compared as strings,
integers 0/1 for flags (tested with `= 1`, never as booleans), `IS NOT DISTINCT FROM` for a NULL-safe
equality, `ON CONFLICT … DO NOTHING / DO UPDATE` for upserts, an alias for every subquery in FROM and
`ON TRUE` for a join without a condition. Placeholders (`?`, `:name`) are translated by the PostgreSQL
connection (ledger/pg_connection.py), and text columns there compare byte-wise (COLLATE "C", as SQLite's).
tests/test_pg_dialect.py proves that each pair below gives the same values on the same inputs.
"""

from __future__ import annotations


class Dialect:
    """SQLite's spelling; PostgreSQL's below overrides what differs."""

    name = "sqlite"
    fence = "LIMIT -1"  # keeps a subquery from being merged into the query around it (evaluated once per row)
    unindexed = "+"  # before a column: do not use an index for this comparison (SQLite's unary plus)

    def jd(self, day: str) -> str:
        """The Julian day of an ISO date (text), as a float: SQLite's julianday()."""
        return f"julianday({day})"

    def days(self, later: str, earlier: str) -> str:
        """Whole days from one ISO date to another, as an integer."""
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def least(self, *values: str) -> str:
        return f"min({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"max({', '.join(values)})"

    def int_div(self, a: str, b: str) -> str:
        """Integer division of integers, truncated (PostgreSQL's sum() of integers is numeric: `/` would not truncate)."""
        return f"({a}) / ({b})"

    def concat(self, value: str, sep: str = "','", order: str = "") -> str:
        """The aggregate joining a group's texts (or integers) with `sep`: in `order` (SQLite: the order rows
        reach it, which the query's subquery sets; PostgreSQL is told)."""
        return f"group_concat({value}, {sep})"

    def contains(self, text: str, part: str) -> str:
        """Whether `part` occurs in `text`, as a condition."""
        return f"instr({text}, {part}) > 0"

    def pairs(self, column: str) -> str:
        """The rows (d, v) of a JSON array of [day, number] pairs, from SELECT … on."""
        return f"SELECT json_extract(j.value, '$[0]') AS d, json_extract(j.value, '$[1]') AS v FROM json_each({column}) j"

    def pack(self, fields: tuple[tuple[str, int], ...]) -> str:
        """Fields in fixed widths as one text (0: the rest); a number 0–999 in width 3, zero-padded."""
        spec = "".join("%03d" if w == 3 else f"%-{w}s" if w else "%s" for _, w in fields)
        return f"printf('{spec}', " + ", ".join(e for e, _ in fields) + ")"


class Postgres(Dialect):
    name = "postgresql"
    fence = "OFFSET 0"
    unindexed = ""

    def jd(self, day: str) -> str:
        return f"(CAST({day} AS date) - DATE '2000-01-01' + 2451544.5::float8)"

    def days(self, later: str, earlier: str) -> str:
        return f"(CAST({later} AS date) - CAST({earlier} AS date))"

    def least(self, *values: str) -> str:
        return f"least({', '.join(values)})"

    def greatest(self, *values: str) -> str:
        return f"greatest({', '.join(values)})"

    def int_div(self, a: str, b: str) -> str:
        return f"div({a}, {b})"

    def concat(self, value: str, sep: str = "','", order: str = "") -> str:
        return f"string_agg(CAST({value} AS text), {sep}{f' ORDER BY {order}' if order else ''})"

    def contains(self, text: str, part: str) -> str:
        return f"strpos({text}, {part}) > 0"

    def pairs(self, column: str) -> str:
        return ("SELECT j.value ->> 0 AS d, CAST(j.value ->> 1 AS numeric) AS v"
                f" FROM jsonb_array_elements(CAST({column} AS jsonb)) j")  # fmt: skip

    def pack(self, fields: tuple[tuple[str, int], ...]) -> str:
        parts = [f"lpad(CAST({e} AS text), 3, '0')" if w == 3 else f"rpad({e}, {w})" if w else e for e, w in fields]
        return "(" + " || ".join(parts) + ")"


SQLITE = Dialect()
POSTGRES = Postgres()
