import Mongo
import Redis

/// Reads aggregates of one currency for a range of days from Redis and MongoDB, counting every
/// day once whatever the dumper is doing:
///
/// - a day Redis holds in full (in `{Q}:days`, not archived), or a recent day (from the
///   cut-off on), comes from Redis alone;
/// - an archived day, or an older day Redis does not hold, comes from its MongoDB document plus
///   any late delta still in Redis: its hashes and the outbox entries MongoDB has not applied.
///
/// Redis is read first, in one MULTI; then MongoDB; then the archive epoch again. The dumper
/// bumps the epoch whenever it moves a delta into the outbox, the only step that could make
/// the two reads overlap, so a changed epoch means "read again".
///
/// Every read names its currency: the Redis hashes, MongoDB documents and outbox entries of
/// other currencies are never read, so amounts in different minor units are never added.
///
/// With several partitions (``Partitioning``) each partition is read as above on its own keys
/// (one MULTI each, in its own hash slot) and the answers are added up. Whether a day comes from
/// Redis or MongoDB is decided per partition, from that partition's `days` and `archived`: its
/// MongoDB share is its part of the document (`Partitions.p`; a document without parts is all
/// partition 0's), to which its own late hashes and outbox entries are added. Every
/// partition's archive epoch is checked again after MongoDB was read.
///
/// Blocking: every read waits on hiredis and libmongoc. The api reaches it only through its
/// async facade (`StatsStore`, on a thread pool of its own).
public final class StatsReader: Sendable {
    public enum View: Sendable {
        /// payment method -> amount of successful transactions
        case totals
        /// hourly cells `method|status|HH|n|a`
        case hourly
        /// day-level `method|status|n|a`
        case status
    }

    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var source: String
        public var message: String
        public var description: String { "\(source) unavailable: \(message)" }
        public init(source: String, message: String) {
            self.source = source
            self.message = message
        }
    }

    public typealias Days = [CivilDay: [TransactionType: [String: Int64]]]

    /// Partition 0's keys: also where fleet-wide keys live (dump requests).
    public let keys: KeyLayout
    /// Every partition's keys, partition 0 first.
    public let partitions: [KeyLayout]
    public let history: HistorySettings
    public let redis: RedisPool
    public let mongo: MongoClient
    private let calendar: BusinessCalendar

    /// A reader of every partition (`CoreSettings.partitionKeys`; at least one).
    public init(partitions: [KeyLayout], history: HistorySettings, calendar: BusinessCalendar, redis: RedisPool, mongo: MongoClient) {
        precondition(!partitions.isEmpty, "a reader needs at least one partition")
        self.keys = partitions[0]
        self.partitions = partitions
        self.history = history
        self.calendar = calendar
        self.redis = redis
        self.mongo = mongo
    }

    /// A reader of a single queue.
    public convenience init(keys: KeyLayout, history: HistorySettings, calendar: BusinessCalendar, redis: RedisPool, mongo: MongoClient) {
        self.init(partitions: [keys], history: history, calendar: calendar, redis: redis, mongo: mongo)
    }

    /// Today in the business zone (or the configured fixed day).
    public func today() -> CivilDay {
        var c = calendar
        return history.today(calendar: &c)
    }

    /// A copy of the business calendar, for day lengths and hour labels.
    public func businessCalendar() -> BusinessCalendar { calendar }

    /// Every payment method ever seen, in any currency and partition.
    public func methods() throws(ReadError) -> [String] {
        do {
            return Set(try members { $0.methods }).sorted()
        } catch {
            throw ReadError(source: "Redis", message: "\(error)")
        }
    }

    /// The members of a set every partition has, all partitions' together (one plain pipeline:
    /// each SMEMBERS is a command of its own partition's slot).
    private func members(_ key: (KeyLayout) -> String) throws -> [String] {
        let replies = try redis.withConnection { c in try c.pipeline(partitions.map { RedisCommand(["SMEMBERS", key($0)]) }) }
        var out: [String] = []
        for r in replies { out += (try r.check().array ?? []).compactMap(\.text) }
        return out
    }

    /// Every currency that has aggregates: the Redis `{Q}:currencies` sets of every partition
    /// (the aggregator adds a code at each commit) and the `Currency` values of MongoDB's documents (which hold the
    /// currencies of days Redis no longer has), sorted by code. Codes the table does not know
    /// are left out.
    public func currencies() throws(ReadError) -> [Currency] {
        let inRedis: [String]
        do {
            inRedis = try members { $0.currencies }
        } catch {
            throw ReadError(source: "Redis", message: "\(error)")
        }
        let inMongo: [String]
        do {
            inMongo = try mongo.distinct(HistorySettings.collection, key: "Currency").compactMap(\.string)
        } catch {
            throw ReadError(source: "MongoDB", message: error.message)
        }
        return Set((inRedis + inMongo).compactMap { Currency(code: $0) }).sorted()
    }

    public func cutoffDay() -> CivilDay {
        var c = calendar
        return history.cutoffDay(calendar: &c)
    }

    /// `{Q}:version` and the archive epoch of every partition: an answer computed at the same
    /// values is the same. `version/epoch`, one such pair per partition joined with commas.
    public func dataVersion() throws(ReadError) -> String {
        do {
            let replies = try redis.withConnection { c in
                try c.pipeline(partitions.flatMap { [RedisCommand(["GET", $0.version]), RedisCommand(["GET", $0.archiveEpoch])] })
            }
            return stride(from: 0, to: replies.count, by: 2).map { "\(replies[$0].text ?? "0")/\(replies[$0 + 1].text ?? "0")" }
                .joined(separator: ",")
        } catch {
            throw ReadError(source: "Redis", message: "\(error)")
        }
    }

    /// One currency's aggregates, day by day (amounts in its minor units).
    public func read(from: CivilDay, to: CivilDay, view: View, currency: Currency) throws(ReadError) -> Days {
        var lastError: ReadError?
        for _ in 0..<5 {
            do {
                if let days = try attempt(from: from, to: to, view: view, currency: currency) { return days }
            } catch let e as ReadError {
                throw e
            } catch let e as RedisError {
                lastError = ReadError(source: "Redis", message: "\(e)")
                if !e.isTransient { break }
            } catch let e as MongoError {
                throw ReadError(source: "MongoDB", message: e.message)
            } catch {
                throw ReadError(source: "Redis", message: "\(error)")
            }
        }
        throw lastError ?? ReadError(source: "Redis", message: "data kept moving while reading; try again")
    }

    /// One partition's state for a read, taken in one MULTI.
    private struct RedisSnapshot: Sendable {
        var full: Set<CivilDay> = []
        var archived: Set<CivilDay> = []
        var values: Days = [:]
        var outbox: [(seq: Int64, day: CivilDay, type: TransactionType, cells: [String: Int64])] = []
        var epoch = ""

        /// Whether this partition's Redis holds all of its share of `day`; if not, MongoDB holds
        /// it and Redis only late data for it.
        func isLive(_ day: CivilDay, cutoff: CivilDay) -> Bool {
            !archived.contains(day) && (full.contains(day) || day >= cutoff)
        }
    }

    /// One partition's share of a stored document, in the view read.
    private struct Share {
        var partition: Int
        var values: [String: Int64]
        var applied: Set<Int64>
    }

    /// nil: an archive epoch moved while reading; try again.
    private func attempt(from: CivilDay, to: CivilDay, view: View, currency: Currency) throws -> Days? {
        let days = (0...from.days(to: to)).map { from.adding(days: $0) }
        let snapshots = try redis.withConnection { c in try self.snapshots(c, days: days, view: view, currency: currency) }
        let cutoff = cutoffDay()
        // Per partition, the days whose share MongoDB holds.
        let fromMongo = snapshots.map { s in Set(days.filter { !s.isLive($0, cutoff: cutoff) }) }
        let needsMongo = days.filter { d in fromMongo.contains { $0.contains(d) } }
        var result: Days = [:]
        for (p, s) in snapshots.enumerated() {
            for d in days where !fromMongo[p].contains(d) { Self.add(s.values[d] ?? [:], to: &result, d) }
        }
        guard !needsMongo.isEmpty else { return result }

        let projectionField =
            switch view {
            case .totals: "TotalAmount"
            case .hourly: "Hourly"
            case .status: "Status"
            }
        var projection: BSONDocument = ["Date": 1, "Type": 1, "Currency": 1, .init(stringLiteral: projectionField): 1, "AppliedDeltas": 1]
        if partitions.count > 1 { projection.append(DailyAggregateDocument.partitionsField, 1) }
        let documents = try mongo.find(
            HistorySettings.collection,
            filter: [
                "Date": ["$gte": .string(needsMongo.first!.description), "$lte": .string(needsMongo.last!.description)],
                "Currency": .string(currency.code),
            ],
            projection: projection)
        let epochsNow = try redis.withConnection { c in
            try c.pipeline(partitions.map { RedisCommand(["GET", $0.archiveEpoch]) }).map { $0.text ?? "0" }
        }
        guard epochsNow == snapshots.map(\.epoch) else { return nil }

        let wanted = Set(needsMongo)
        // Per partition, the deltas its share of each document has applied.
        var applied = [[CivilDay: [TransactionType: Set<Int64>]]](repeating: [:], count: partitions.count)
        for doc in documents {
            guard let p = DailyAggregateDocument.parse(doc), p.currency == currency, wanted.contains(p.day) else { continue }
            for share in shares(of: p, view: view) where fromMongo[share.partition].contains(p.day) {
                var one: [TransactionType: [String: Int64]] = [:]
                one[p.type] = share.values
                Self.add(one, to: &result, p.day)
                applied[share.partition][p.day, default: [:]][p.type] = share.applied
            }
        }
        for (p, s) in snapshots.enumerated() {
            // Late data still in this partition's Redis: its hashes, and the outbox entries its
            // share of the document has not applied yet.
            for d in days where fromMongo[p].contains(d) { Self.add(s.values[d] ?? [:], to: &result, d) }
            for entry in s.outbox where fromMongo[p].contains(entry.day) {
                if applied[p][entry.day]?[entry.type]?.contains(entry.seq) == true { continue }
                var one: [TransactionType: [String: Int64]] = [:]
                one[entry.type] = Self.view(view, of: entry.cells, entry.day, entry.type, currency)
                Self.add(one, to: &result, entry.day)
            }
        }
        return result.mapValues { $0.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty } }.filter { !$0.value.isEmpty }
    }

    /// The partitions' shares of a stored document, in the view read. With one partition, or a
    /// document written by one (no `Partitions`), the top level is partition 0's share; the
    /// parts of partitions this reader does not have are not read.
    private func shares(of doc: DailyAggregateDocument.Parsed, view: View) -> [Share] {
        guard partitions.count > 1, let parts = doc.partitions else {
            let values =
                switch view {
                case .totals: doc.totals
                case .hourly: doc.cells
                case .status: doc.status
                }
            return [Share(partition: 0, values: values, applied: doc.appliedDeltas)]
        }
        return parts.filter { $0.key >= 0 && $0.key < partitions.count }.map { p, part in
            guard let currency = doc.currency else { return Share(partition: p, values: [:], applied: []) }
            return Share(
                partition: p, values: Self.view(view, of: part.cells, doc.day, doc.type, currency), applied: Set(part.appliedDeltas))
        }
    }

    /// A view of hourly cells: they hold every other view.
    private static func view(
        _ view: View, of cells: [String: Int64], _ day: CivilDay, _ type: TransactionType, _ currency: Currency
    ) -> [String: Int64] {
        let agg = DayAggregate(day: day, type: type, currency: currency, cells: cells)
        return switch view {
        case .totals: agg.successTotals
        case .hourly: cells
        case .status: agg.statusTotals
        }
    }

    private static func add(_ values: [TransactionType: [String: Int64]], to result: inout Days, _ day: CivilDay) {
        for (type, cells) in values {
            for (k, v) in cells { result[day, default: [:]][type, default: [:]][k, default: 0] += v }
        }
    }

    /// Every partition's snapshot. Each partition's MULTI is a pipeline of its own, all sent
    /// before any reply is read: one round trip per node, each MULTI inside one hash slot.
    private func snapshots(_ c: RedisClient, days: [CivilDay], view: View, currency: Currency) throws -> [RedisSnapshot] {
        let blocks = partitions.map { snapshotCommands($0, days: days, view: view, currency: currency) }
        for b in blocks { try c.send(pipelined: b) }
        let replies = try c.receive(blocks.reduce(0) { $0 + $1.count })
        var taken: [(snapshot: RedisSnapshot, outboxNames: [String])] = []
        var end = 0
        for block in blocks {
            end += block.count
            taken.append(try snapshot(exec: replies[end - 1], days: days))
        }

        // Outbox entries of this currency's days in range: read them, and check each
        // partition's epoch again. Entries of other currencies are not this read's.
        let range = days.first!...days.last!
        var more: [(partition: Int, entries: [(name: String, seq: Int64, day: CivilDay, type: TransactionType)], block: [RedisCommand])] =
            []
        for (p, keys) in partitions.enumerated() {
            let relevant = taken[p].outboxNames.compactMap { name -> (String, Int64, CivilDay, TransactionType)? in
                guard let e = keys.parseOutboxEntry(name), e.currency == currency, range.contains(e.day) else { return nil }
                return (name, e.seq, e.day, e.type)
            }
            guard !relevant.isEmpty else { continue }
            var block = [RedisCommand("MULTI")]
            for e in relevant { block.append(RedisCommand(["HGETALL", e.0])) }
            block.append(RedisCommand(["GET", keys.archiveEpoch]))
            block.append(RedisCommand("EXEC"))
            more.append((p, relevant.map { ($0.0, $0.1, $0.2, $0.3) }, block))
        }
        var result = taken.map(\.snapshot)
        guard !more.isEmpty else { return result }
        for m in more { try c.send(pipelined: m.block) }
        let outboxReplies = try c.receive(more.reduce(0) { $0 + $1.block.count })
        end = 0
        for m in more {
            end += m.block.count
            guard let r = try outboxReplies[end - 1].check().array, r.count == m.entries.count + 1 else {
                throw RedisError.protocolViolation("MULTI for outbox entries failed")
            }
            guard r.last!.text ?? "0" == result[m.partition].epoch else { throw RedisError.connection("archive epoch moved; retrying") }
            for (e, reply) in zip(m.entries, r) {
                result[m.partition].outbox.append((e.seq, e.day, e.type, DayAggregate.cells(from: reply.pairs)))
            }
        }
        return result
    }

    /// One partition's MULTI: its days, archived flags, hashes, outbox list and archive epoch.
    private func snapshotCommands(_ keys: KeyLayout, days: [CivilDay], view: View, currency: Currency) -> [RedisCommand] {
        var commands = [
            RedisCommand("MULTI"),
            RedisCommand(["ZRANGEBYSCORE", keys.days, String(days.first!.daysSinceEpoch), String(days.last!.daysSinceEpoch)]),
        ]
        commands.append(RedisCommand(["SMISMEMBER", keys.archived] + days.map(\.description)))
        for d in days {
            for t in TransactionType.allCases {
                let key =
                    switch view {
                    case .totals: keys.totals(d, t, currency)
                    case .hourly: keys.hourly(d, t, currency)
                    case .status: keys.status(d, t, currency)
                    }
                commands.append(RedisCommand(["HGETALL", key]))
            }
        }
        commands.append(RedisCommand(["LRANGE", keys.outbox, "0", "-1"]))
        commands.append(RedisCommand(["GET", keys.archiveEpoch]))
        commands.append(RedisCommand("EXEC"))
        return commands
    }

    /// A snapshot from its EXEC reply, with the names in its outbox (entries not read yet).
    private func snapshot(exec: RedisReply, days: [CivilDay]) throws -> (
        snapshot: RedisSnapshot, outboxNames: [String]
    ) {
        guard let r = try exec.check().array, r.count == 2 + days.count * 2 + 2 else {
            throw RedisError.protocolViolation("MULTI for a stats read returned \(exec)")
        }
        var s = RedisSnapshot()
        s.full = Set((r[0].array ?? []).compactMap { $0.text.flatMap { CivilDay.parse($0) } })
        for (d, flag) in zip(days, r[1].array ?? []) where flag.int == 1 { s.archived.insert(d) }
        var i = 2
        for d in days {
            for t in TransactionType.allCases {
                let cells = DayAggregate.cells(from: r[i].pairs)
                if !cells.isEmpty { s.values[d, default: [:]][t] = cells }
                i += 1
            }
        }
        let outboxNames = (r[i].array ?? []).compactMap(\.text)
        s.epoch = r[i + 1].text ?? "0"
        return (s, outboxNames)
    }
}
