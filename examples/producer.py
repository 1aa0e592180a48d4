#!/usr/bin/env python3
"""Reference producer for txstats: pushes transactions onto the queue the way a high-rate
producer should, in either queue format. Python standard library only; read it as a recipe.

    python3 examples/producer.py --redis redis://127.0.0.1:6379/0 --format txb2 < transactions.jsonl

Input: one JSON object per line, with the fields of a JSON queue item (timestamp, type,
payment_method, amount, and optionally status, currency, id, updated_at).

  --format json   pushes each line as one queue item (the JSON format), PER_COMMAND items per
                  LPUSH and PIPELINE commands per round trip.
  --format txb2   encodes the lines into TXB2 batches of --rows rows (the importer's compact
                  format: one queue item moves hundreds of transactions) and pushes those.
                  A line this encoder cannot vouch for (an unknown field spelling, an amount
                  with more decimals than its currency has, a method with a '|') is pushed as
                  the JSON item it was, so that the aggregators decide it and dead-letter it
                  with their reason: nothing is repaired or dropped here.

The TXB2 layout (README "Queue items"):

    TXB2 <source-id> <first-line> <created-unix-ms>\\n
    <epoch-s>\\t<d|w>\\t<method>\\t<s|f|p>\\t<amount-minor>\\t<CUR>\\t<id>\\t<updated-us>\\n ...
"""
import argparse
import datetime
import json
import re
import socket
import sys
import time
import urllib.parse

# The codes the aggregators know (StatsCore/Model/Currency.swift); another code is left for them
# to refuse (bad_currency), never encoded.
KNOWN = set("""
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD
    JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT
    TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XOF XPF
    YER ZAR ZMW ZWG
""".split())
# ISO 4217 minor units that are not 2 (README "Currencies"); every other known code has 2.
EXPONENT = {
    **{c: 0 for c in "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()},
    **{c: 3 for c in "BHD IQD JOD KWD LYD OMR TND".split()},
    **{c: 4 for c in "CLF UYW".split()},
}
TYPES = {"deposit": "d", "withdrawal": "w"}
STATUSES = {"success": "s", "failed": "f", "pending": "p"}
AMOUNT = re.compile(r"^(0|[1-9][0-9]*)(?:\.([0-9]+))?$")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
FIELDS = {"timestamp", "type", "payment_method", "amount", "status", "currency", "id", "updated_at"}
MAX_AMOUNT_MINOR = 10**15


def resp(*parts):
    """One command in the Redis protocol."""
    out = [b"*%d\r\n" % len(parts)]
    for p in parts:
        b = p if isinstance(p, bytes) else str(p).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


class Redis:
    """Just enough of a client: pipelined commands, replies read and checked."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname or "127.0.0.1", u.port or 6379))
        self.buf = b""
        db = (u.path or "/0").lstrip("/") or "0"
        setup = []
        if u.password:
            setup.append(resp("AUTH", *([urllib.parse.unquote(u.username)] if u.username else []), urllib.parse.unquote(u.password)))
        if db != "0":
            setup.append(resp("SELECT", db))
        if setup:
            self.pipeline(setup)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        if line[:1] == b"-":
            raise RuntimeError(line[1:].decode())
        if line[:1] == b"$" and line != b"$-1":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.sock.recv(65536)
            self.buf = self.buf[n + 2:]
        return line

    def pipeline(self, commands):
        self.sock.sendall(b"".join(commands))
        return [self._reply() for _ in commands]


def epoch_seconds(value):
    """Seconds since 1970 of an ISO 8601 timestamp with an offset or Z, or of a whole number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return None
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None or t.microsecond:
        return None  # a local time, or a fraction of a second: the aggregator decides
    return int((t - EPOCH).total_seconds())


def updated_micros(value):
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    if t.tzinfo is None:
        return None
    d = t - EPOCH
    return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds


def txb2_row(obj):
    """The TXB2 row of one transaction, or None when the aggregator should judge the JSON."""
    if not isinstance(obj, dict) or not set(obj) <= FIELDS:
        return None
    ts = epoch_seconds(obj.get("timestamp"))
    t = TYPES.get(obj.get("type"))
    s = STATUSES.get(obj.get("status", "success"))
    cur = obj.get("currency", DEFAULT_CURRENCY)
    cur = cur.upper() if isinstance(cur, str) else cur
    amount = obj.get("amount")
    method = obj.get("payment_method")
    if ts is None or t is None or s is None or not isinstance(cur, str) or cur not in KNOWN:
        return None
    if not isinstance(amount, str) or not isinstance(method, str):
        return None
    m = AMOUNT.match(amount)
    exponent = EXPONENT.get(cur, 2)
    if not m or len(m.group(2) or "") > exponent:
        return None
    minor = int(m.group(1) + (m.group(2) or "").ljust(exponent, "0"))
    if minor > MAX_AMOUNT_MINOR:
        return None
    method = method.strip().lower()
    if not method or len(method.encode()) > 64 or any(c == "|" or ord(c) < 32 or 127 <= ord(c) < 160 for c in method):
        return None
    rid = obj.get("id", "")
    if not isinstance(rid, str) or len(rid.encode()) > 128 or any(ord(c) < 32 or ord(c) == 127 for c in rid):
        return None
    upd = ""
    if "updated_at" in obj:
        u = updated_micros(obj["updated_at"])
        if u is None:
            return None
        upd = str(u)
    return f"{ts}\t{t}\t{method}\t{s}\t{minor}\t{cur}\t{rid}\t{upd}\n"


def main():
    global DEFAULT_CURRENCY
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    ap.add_argument("--queue", default="TransactionQueue")
    ap.add_argument("--format", choices=["json", "txb2"], default="txb2")
    ap.add_argument("--rows", type=int, default=500, help="rows per TXB2 batch")
    ap.add_argument("--per-command", type=int, default=500, help="items per LPUSH")
    ap.add_argument("--pipeline", type=int, default=8, help="LPUSH commands per round trip")
    ap.add_argument("--source", default="producer", help="source id written in TXB2 headers")
    ap.add_argument("--currency", default="USD", help="the aggregators' TXSTATS_CURRENCY (rows without one)")
    args = ap.parse_args()
    if not (1 <= args.rows <= 100_000 and 1 <= args.per_command <= 10_000 and 1 <= args.pipeline <= 1000):
        ap.error("--rows, --per-command or --pipeline out of range")
    DEFAULT_CURRENCY = args.currency
    redis = Redis(args.redis)
    items, commands, pushed, fallback = [], [], 0, 0

    def flush_items(final=False):
        nonlocal items, commands, pushed
        while len(items) >= args.per_command or (final and items):
            chunk, items = items[: args.per_command], items[args.per_command:]
            commands.append(resp("LPUSH", args.queue, *chunk))
            pushed += len(chunk)
        if len(commands) >= args.pipeline or (final and commands):
            redis.pipeline(commands)
            commands = []

    rows, first = [], 1
    for n, line in enumerate(sys.stdin.buffer, start=1):
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        if args.format == "txb2":
            try:
                row = txb2_row(json.loads(line))
            except (ValueError, RecursionError):
                row = None
            if row is not None:
                if not rows:
                    first = n
                rows.append(row)
                if len(rows) >= args.rows:
                    items.append(f"TXB2 {args.source} {first} {int(time.time() * 1000)}\n{''.join(rows)}".encode())
                    rows = []
                flush_items()
                continue
            fallback += 1
        items.append(line)
        flush_items()
    if rows:
        items.append(f"TXB2 {args.source} {first} {int(time.time() * 1000)}\n{''.join(rows)}".encode())
    flush_items(final=True)
    print(f"pushed {pushed} queue items ({fallback} lines as JSON for the aggregators to judge)", file=sys.stderr)


DEFAULT_CURRENCY = "USD"

if __name__ == "__main__":
    main()
