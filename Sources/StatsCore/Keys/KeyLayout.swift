/// Every Redis key txstats uses, in one place (documented in README "Redis key layout").
///
/// All keys of one queue carry the queue's name as a hash tag, `{TransactionQueue}`, so every
/// atomic step (a batch commit touches the in-flight list, the aggregate hashes and the
/// bookkeeping sets) stays inside one hash slot of a Redis Cluster. The queue itself keeps the
/// original bare name: in a cluster a key without braces hashes on its whole name, which is the
/// same slot as `{TransactionQueue}`. To spread load across a cluster, run several queues
/// (partitions); readers sum the aggregates of every partition and never use KEYS or SCAN.
public struct KeyLayout: Sendable, Hashable {
    public let queue: String

    public init(queue: String) {
        self.queue = queue
    }

    /// The hash tag shared by all keys of this queue.
    public var tag: String { "{\(queue)}" }

    /// List of rejected rows and items, newest first (JSON entries, see ``DeadLetter``).
    public var deadLetter: String { "\(tag):dead" }
    /// Hash: import source id -> progress marker, committed atomically with each pushed batch.
    public var imports: String { "\(tag):imports" }
    /// Sorted set: aggregator worker id -> last heartbeat (ms, Redis server clock).
    public var workers: String { "\(tag):workers" }
    /// Sorted set: aggregator process id -> last roll call (ms, server clock). Read in partition
    /// 0 only: live aggregators share the partitions by it (``PartitionAssignment``).
    public var aggregators: String { "\(tag):aggregators" }
    /// Set of worker ids that may own an in-flight list: joined before a worker takes anything,
    /// left only in the same script that empties its list. A member without a heartbeat is an
    /// orphan that live workers reclaim, so no in-flight list is ever left without an owner.
    public var inflightOwners: String { "\(tag):inflight-owners" }
    /// Set of `YYYY-MM-DD:deposits|withdrawals:CUR` changed since the dumper last copied them.
    public var dirty: String { "\(tag):dirty" }
    /// Sorted set of days holding aggregates: member `YYYY-MM-DD`, score days since 1970-01-01.
    public var days: String { "\(tag):days" }
    /// Set of every payment method seen.
    public var methods: String { "\(tag):methods" }
    /// Set of every currency code that has aggregates (the `currencies` endpoint, retention).
    public var currencies: String { "\(tag):currencies" }
    /// Shards of the ledger: hash transaction id -> its latest state (see ``LedgerEntry``), the
    /// shard chosen by ``LedgerEntry/shard(of:)``. One id always meets its state, whatever
    /// its events claim. Entries whose day has left the ledger window are swept a little at
    /// every commit (``Scripts/commit``), so the ledger holds about `TXSTATS_LEDGER_DAYS` of ids.
    public func ledger(shard: Int) -> String { "\(tag):ledger:\(shard)" }
    /// Hash: ledger shard key -> where the sweep of that shard has got to (an HSCAN cursor).
    public var ledgerSweep: String { "\(tag):ledger:sweep" }
    /// Hash of ledger outcome counters (new, duplicate, stale, moved, expired, conflict).
    public var ledgerStats: String { "\(tag):ledger:stats" }
    /// Counter bumped by every aggregate commit: readers may cache answers per version.
    public var version: String { "\(tag):version" }
    /// Hash of settings every worker of this queue must agree on (time zone, default currency,
    /// key layout version).
    public var meta: String { "\(tag):meta" }

    /// Members of ``dirty`` a dumper has claimed and not yet written to MongoDB (back to dirty
    /// if the dumper dies).
    public var dumping: String { "\(tag):dumping" }
    /// Day/type members whose name the dumper cannot read (written by an older version or by
    /// hand): set aside here, with an error logged, instead of blocking every pass.
    public var unarchivable: String { "\(tag):unarchivable" }
    /// Set of days moved to MongoDB by retention: their Redis hashes, if any, hold only late
    /// transactions that arrived afterwards (deltas to add, never to replace with).
    public var archived: String { "\(tag):archived" }
    /// List of outbox entries: late deltas taken out of Redis, waiting to be added to MongoDB.
    public var outbox: String { "\(tag):outbox" }
    /// One outbox entry (a renamed hourly hash), named with its sequence number, day, type and
    /// currency.
    public func outboxEntry(seq: Int64, _ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> String {
        "\(tag):outbox:\(seq):\(day):\(type.plural):\(currency.code)"
    }
    /// The sequence number, day, type and currency an outbox entry's name carries (nil if it is
    /// not one).
    public func parseOutboxEntry(_ name: String) -> (seq: Int64, day: CivilDay, type: TransactionType, currency: Currency)? {
        guard name.hasPrefix(outbox + ":") else { return nil }
        let p = name.dropFirst(outbox.count + 1).split(separator: ":")
        guard p.count == 4, let seq = Int64(p[0]), let day = CivilDay.parse(p[1]), let type = TransactionType(text: p[2]),
            let currency = Currency(code: p[3])
        else {
            return nil
        }
        return (seq, day, type, currency)
    }

    /// Sequence for outbox entries.
    public var outboxSeq: String { "\(tag):outbox:seq" }
    /// Bumped whenever late data moves from Redis hashes into the outbox: readers that
    /// combine Redis and MongoDB retry if it changed while they read.
    public var archiveEpoch: String { "\(tag):archive:epoch" }
    /// List the api pushes to ask the dumper for a pass now; the dumper blocks on it between passes.
    public var dumpRequests: String { "\(tag):dump:requests" }
    /// Lease that lets one dumper work at a time.
    public var dumperLock: String { "\(tag):dumper:lock" }

    /// A worker's in-flight list: items taken from the queue whose effect is not committed yet.
    public func inflight(worker: String) -> String { "\(tag):inflight:\(worker)" }
    public var inflightPrefix: String { "\(tag):inflight:" }

    /// Original view: payment method -> amount of successful transactions (minor units of
    /// `currency`). Every aggregate key names its currency: amounts are never summed across.
    public func totals(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> String {
        "agg:\(day):\(type.plural):\(currency.code):\(tag)"
    }
    /// `method|status|n` (count) and `method|status|a` (amount, minor units) for the day.
    public func status(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> String {
        "agg:\(day):\(type.plural):\(currency.code):\(tag):status"
    }
    /// `method|status|HH|n` and `method|status|HH|a`, HH = hours since local midnight (00-24).
    public func hourly(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> String {
        "agg:\(day):\(type.plural):\(currency.code):\(tag):hourly"
    }

    /// The three hashes of one (day, type, currency): totals, status, hourly.
    public func hashes(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> [String] {
        [totals(day, type, currency), status(day, type, currency), hourly(day, type, currency)]
    }

    /// Member of ``dirty`` for one day, type and currency: `YYYY-MM-DD:deposits:USD`.
    public static func dirtyMember(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> String {
        "\(day):\(type.plural):\(currency.code)"
    }

    /// The day, type and currency of a ``dirty`` member (nil if it is not one).
    public static func parseDirtyMember(_ member: String) -> (day: CivilDay, type: TransactionType, currency: Currency)? {
        let p = member.split(separator: ":")
        guard p.count == 3, let day = CivilDay.parse(p[0]), let type = TransactionType(text: p[1]), let currency = Currency(code: p[2])
        else { return nil }
        return (day, type, currency)
    }

    /// Version of this key layout, recorded in ``meta`` (`layout`). Version 1 had no currency
    /// in aggregate keys, dirty members and outbox entries; ``Scripts/migrateLayout`` renames them.
    public static let layoutVersion = "2"

    // Hash field names.
    public static func statusField(method: String, status: TransactionStatus, count: Bool) -> String {
        "\(method)|\(status.name)|\(count ? "n" : "a")"
    }

    public static func hourlyField(method: String, status: TransactionStatus, hour: Int, count: Bool) -> String {
        "\(method)|\(status.name)|\(hour < 10 ? "0" : "")\(hour)|\(count ? "n" : "a")"
    }
}
