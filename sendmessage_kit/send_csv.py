"""`sendmessage-kit send --csv FILE`: one message per row, sent by `send_many`.

Columns are the fields of `data` by their wire names (`to`, `content`, `channel`, …, any field
of `MessageData`), plus the body's `callid` and `userid`. Empty cells are left out, so the
field's start value applies (a fresh `sendTime`, `mediaType` TEXT, …). A row without a
`messageCode` gets one derived from its line number and its cells, so a rerun of the same file
gives each row the same code and the journal skips what was delivered to the same target (the
same gateway and agent, or the same sandbox). A row that breaks a rule is listed with its line
number and not sent; the others are. The first line and the summary name where the rows go.
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import json
import sys
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sendmessage_kit.bulk import BulkReport
    from sendmessage_kit.constraints import Profile
    from sendmessage_kit.history import History
    from sendmessage_kit.models import SendMessageRequest
    from sendmessage_kit.settings import KitSettings
    from sendmessage_kit.target import Target

__all__ = ["CsvRow", "decode_csv", "read_csv", "run_csv"]

OUTER = ("callid", "userid")
# Row codes: uuid5 in the kit's own namespace, so the same row of the same file gets the same one.
_NAMESPACE = uuid.UUID("5e7d0a6c-3c59-4a7e-9a53-7f1f0e3c2b11")


@dataclass(frozen=True)
class CsvRow:
    """One data row: its line in the file, and its request or why it cannot be sent."""

    line: int
    request: SendMessageRequest | None
    problems: tuple[str, ...] = ()


def row_code(line: int, cells: dict[str, str]) -> str:
    """The messageCode of a row that has none: stable for the same line and cells."""
    key = json.dumps([line, sorted(cells.items())], ensure_ascii=False)
    return str(uuid.uuid5(_NAMESPACE, key))


def read_csv(text: str, profile: Profile, *, callid: str | None = None) -> list[CsvRow]:
    """Each data row of `text` as a request checked against `profile`, or its problems.

    Raises:
        ValueError: the header names a column that is no field (the message lists the fields).
    """
    from pydantic import ValidationError

    from sendmessage_kit.constraints import check
    from sendmessage_kit.fields import data_fields
    from sendmessage_kit.models import SendMessageRequest, new_message

    fields = {f.wire: f for f in data_fields()}
    header, table = _table(text)
    unknown = [c for c in header if c not in fields and c not in OUTER]
    if unknown or not header:
        known = ", ".join([*fields, *OUTER])
        what = f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "no header"
        raise ValueError(f"--csv: {what}; the columns are the fields of data by name: {known}")
    # Required with nothing to start from (to, content): each row must give them.
    needed = [f.wire for f in fields.values() if f.required and f.start_value() is None]
    needed = [w for w in needed if not fields[w].copies]
    rows: list[CsvRow] = []
    for line, cells in table:
        given = {k: v for k, v in cells.items() if v}
        if not given:
            continue  # a blank line
        missing = [w for w in needed if w not in given]
        if missing:
            why = tuple(f"{w}: required, but the cell is empty (fix: fill it in)" for w in missing)
            rows.append(CsvRow(line, None, why))
            continue
        code = given.get("messageCode") or row_code(line, given)
        try:
            # wire names; each cell's text as its field's type (`5`, `true`, `{"a": 1}`)
            data_args = {k: _cell(fields[k], v) for k, v in given.items() if k in fields}
            data_args["messageCode"] = code
            data = new_message(**data_args)
            request = SendMessageRequest(
                callid=given.get("callid") or callid or f"csv-{code[:12]}",
                userid=given.get("userid"),
                data=data,
            )
        except (ValidationError, ValueError) as exc:
            rows.append(CsvRow(line, None, (_first_line(exc),)))
            continue
        errors = [f for f in check(request, profile) if f.severity == "error"]
        problems = tuple(f"{f.field}: {f.message} (fix: {f.fix})" for f in errors)
        rows.append(CsvRow(line, None if problems else request, problems))
    return rows


def _table(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each data row (with the line it starts on) of a CSV text.

    The whole file is read before anything is sent, and a file whose structure is broken is
    refused whole (nothing sent from it): a cell over the csv module's field limit, a quote
    never closed, a row with more cells than the header, a header naming a column twice.

    Raises:
        ValueError: the line, what is wrong and the fix.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out: list[tuple[int, dict[str, str]]] = []
    header: list[str] = []
    start = 1
    try:
        for cells in reader:
            if not header:
                header = cells
                dup = sorted({c for c in cells if cells.count(c) > 1})
                if dup:
                    raise ValueError(
                        f"--csv line {start}: the header names {', '.join(map(repr, dup))} more "
                        "than once (fix: keep one column per field)"
                    )
            elif len(cells) > len(header) and any(cells[len(header) :]):
                raise ValueError(
                    f"--csv line {start}: {len(cells)} cells, but the header has {len(header)} "
                    "columns (fix: put a cell holding a comma in double quotes, or add the "
                    "column to the header)"
                )
            elif any(cells):
                out.append((start, dict(zip(header, cells, strict=False))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValueError(f"--csv line {start}: {_csv_problem(str(exc))}") from None
    return header, out


def _csv_problem(why: str) -> str:
    if "field limit" in why:
        return (
            f"a cell is longer than {csv.field_size_limit():,} characters (fix: a message is at "
            "most a few KB; look for a quote that is never closed above it)"
        )
    if "end of data" in why:
        return (
            "a quoted cell starting on this row is never closed (fix: add the closing double "
            'quote; write a quote inside a cell as "")'
        )
    return f"{why} (fix: put the whole cell in double quotes and double each quote inside it)"


def decode_csv(raw: bytes) -> tuple[str, str]:
    """A CSV file's text and the encoding it was read as.

    UTF-8 (a BOM is dropped), or UTF-16 when the file starts with a UTF-16 BOM.

    Raises:
        ValueError: the file is not UTF-8 (e.g. Latin-1 or Windows-1252): the line and the fix.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16 (from its byte order mark)"
        except UnicodeDecodeError:
            raise ValueError(
                "--csv: the file starts like UTF-16 but is not (fix: save it as UTF-8)"
            ) from None
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"--csv line {line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x}; it may be "
            "Latin-1 or Windows-1252) (fix: save it as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet)"
        ) from None


def _cell(field: Any, text: str) -> Any:
    try:
        return field.from_text(text)
    except ValueError as exc:
        raise ValueError(f"{field.wire}: {exc}") from None


def _first_line(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'row'}: {e['msg']}" for e in errors()]
        return "; ".join(parts)
    return str(exc)


def print_invalid(rows: list[CsvRow], out: Any) -> int:
    """List the rows that break a rule (not sent); return how many."""
    bad = [r for r in rows if r.request is None]
    for r in bad:
        print(f"line {r.line}: not sent: {'; '.join(r.problems)}", file=out)
    return len(bad)


def run_csv(args: argparse.Namespace, settings: KitSettings) -> int:
    """Send each valid row of `args.csv`; 0 when every row is delivered (now or before)."""
    from sendmessage_kit.errors import SendMessageKitError

    try:
        if args.csv == "-":
            text = sys.stdin.read()
        else:
            with open(args.csv, "rb") as fh:
                text, encoding = decode_csv(fh.read())
            if encoding != "UTF-8":
                print(f"--csv: read {args.csv} as {encoding}", file=sys.stderr)
        rows = read_csv(text, settings.profile(), callid=args.callid)
    except OSError as exc:
        print(f"sendmessage-kit send: cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"sendmessage-kit send: {exc}", file=sys.stderr)
        return 2
    bad = print_invalid(rows, sys.stderr)
    sendable = [r for r in rows if r.request is not None]
    if not sendable:
        print(f"{len(rows)} row(s): {bad} not sent (they break a rule), none to send.")
        return 1
    from sendmessage_kit.history import History

    try:  # an unreadable journal stops everything before the sign-in: nothing is sent
        journal = History(settings.journal_path) if settings.history else None
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: {exc}", file=sys.stderr)
        return 1
    try:
        return _run_rows(args, settings, rows, sendable, bad, journal)
    finally:
        if journal is not None:
            journal.close()


def where_to(target: Target) -> str:
    """Where `send --csv` sends, in words: the gateway and agent, or the sandbox."""
    c = target.client
    if target.sandbox is not None:
        return f"the sandbox at {target.sandbox.base_url} (not a real gateway), agent {c.agent_id}"
    return f"the gateway {c.base_url}, agent {c.agent_id}"


def _run_rows(
    args: argparse.Namespace,
    settings: KitSettings,
    rows: list[CsvRow],
    sendable: list[CsvRow],
    bad: int,
    journal: History | None,
) -> int:
    import asyncio

    from sendmessage_kit.errors import SendMessageKitError
    from sendmessage_kit.send_cli import in_flags, sign_out_quietly
    from sendmessage_kit.target import open_target

    try:
        target = open_target(settings, lab=False, force_sign_in=args.force_sign_in, history=False)
    except SendMessageKitError as exc:
        print(f"sendmessage-kit send: {in_flags(str(exc), args)}", file=sys.stderr)
        return 1
    with target:
        where = where_to(target)
        print(f"Sending {len(sendable)} row(s) to {where}.", flush=True)
        try:
            report = asyncio.run(_send_rows(target, settings, sendable, journal))
        except SendMessageKitError as exc:  # the journal became unreadable: nothing sent
            print(f"sendmessage-kit send: {exc}", file=sys.stderr)
            return 1
        finally:
            if target.signed_in and target.sandbox is None:
                sign_out_quietly(target.client)
    for o in report.outcomes:
        if o.status in ("rejected", "failed"):
            why = in_flags(o.cause or f"retcode {o.retcode}", args)
            print(f"line {sendable[o.index].line}: {o.status}: {why}", file=sys.stderr)
    print(f"To {where}: {len(rows)} row(s), {bad} not sent (they break a rule); {report}")
    return 0 if report.ok and not bad else 1


async def _send_rows(
    target: Target, settings: KitSettings, rows: list[CsvRow], journal: History | None
) -> BulkReport:
    from sendmessage_kit._for_sandbox import sandbox_target
    from sendmessage_kit.bulk import send_many
    from sendmessage_kit.client import AsyncGatewayClient

    c = target.client
    # The async twin of the client open_target() signed in: same gateway, agent and Guid.
    options: dict[str, Any] = {"agent_id": c.agent_id, "guid": c.guid, "history": False}
    if target.sandbox is not None:
        sb = target.sandbox
        options.update(base_url=sb.base_url, ca_bundle=sb.ca_path, resend_on_failure=True)
    async with AsyncGatewayClient(settings, **options) as client:
        if target.sandbox is not None:
            client.journal_target = sandbox_target(target.sandbox, client.agent_id)
        requests = [r.request for r in rows if r.request is not None]
        return await send_many(client, requests, journal=journal, progress=sys.stderr.isatty())
