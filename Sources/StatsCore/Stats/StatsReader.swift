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

    public let keys: KeyLayout
    public let history: HistorySettings
    public let redis: RedisPool
    public let mongo: MongoClient
    private let calendar: BusinessCalendar

    public init(keys: KeyLayout, history: HistorySettings, calendar: BusinessCalendar, redis: RedisPool, mongo: MongoClient) {
        self.keys = keys
        self.history = history
        self.calendar = calendar
        self.redis = redis
        self.mongo = mongo
    }

    /// Today in the business zone (or the configured fixed day).
    public func today() -> CivilDay {
        var c = calendar
        return history.today(calendar: &c)
    }

    /// A copy of the business calendar, for day lengths and hour labels.
    public func businessCalendar() -> BusinessCalendar { calendar }

    /// Every payment method ever seen, in any currency.
    public func methods() throws(ReadError) -> [String] {
        do {
            return try redis.withConnection { c in try c.run("SMEMBERS", keys.methods).check().array ?? [] }.compactMap(\.text).sorted()
        } catch {
            throw ReadError(source: "Redis", message: "\(error)")
        }
    }

    /// Every currency that has aggregates: the Redis `{Q}:currencies` set (the aggregator adds a
    /// code at each commit) and the `Currency` values of MongoDB's documents (which hold the
    /// currencies of days Redis no longer has), sorted by code. Codes the table does not know
    /// are left out.
    public func currencies() throws(ReadError) -> [Currency] {
        let inRedis: [String]
        do {
            inRedis = try redis.withConnection { c in try c.run("SMEMBERS", keys.currencies).check().array ?? [] }.compactMap(\.text)
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

    /// `{Q}:version` and the archive epoch: an answer computed at the same pair is the same.
    public func dataVersion() throws(ReadError) -> String {
        do {
            let replies = try redis.withConnection { c in
                try c.pipeline([RedisCommand(["GET", keys.version]), RedisCommand(["GET", keys.archiveEpoch])])
            }
            return "\(replies[0].text ?? "0")/\(replies[1].text ?? "0")"
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

    private struct RedisSnapshot: Sendable {
        var full: Set<CivilDay> = []
        var archived: Set<CivilDay> = []
        var values: Days = [:]
        var outbox: [(seq: Int64, day: CivilDay, type: TransactionType, cells: [String: Int64])] = []
        var epoch = ""
    }

    /// nil: the archive epoch moved while reading; try again.
    private func attempt(from: CivilDay, to: CivilDay, view: View, currency: Currency) throws -> Days? {
        let days = (0...from.days(to: to)).map { from.adding(days: $0) }
        let snapshot = try redis.withConnection { c in try self.snapshot(c, days: days, view: view, currency: currency) }
        let cutoff = cutoffDay()
        let needsMongo = days.filter { snapshot.archived.contains($0) || (!snapshot.full.contains($0) && $0 < cutoff) }
        var result: Days = [:]
        for d in days where !needsMongo.contains(d) {
            if let v = snapshot.values[d] { result[d] = v }
        }
        guard !needsMongo.isEmpty else { return result }

        let projectionField =
            switch view {
            case .totals: "TotalAmount"
            case .hourly: "Hourly"
            case .status: "Status"
            }
        let documents = try mongo.find(
            HistorySettings.collection,
            filter: [
                "Date": ["$gte": .string(needsMongo.first!.description), "$lte": .string(needsMongo.last!.description)],
                "Currency": .string(currency.code),
            ],
            projection: ["Date": 1, "Type": 1, "Currency": 1, .init(stringLiteral: projectionField): 1, "AppliedDeltas": 1])
        let epochNow = try redis.withConnection { c in try c.run("GET", keys.archiveEpoch).text ?? "0" }
        guard epochNow == snapshot.epoch else { return nil }

        let wanted = Set(needsMongo)
        var applied: [CivilDay: [TransactionType: Set<Int64>]] = [:]
        for doc in documents {
            guard let p = DailyAggregateDocument.parse(doc), p.currency == currency, wanted.contains(p.day) else { continue }
            result[p.day, default: [:]][p.type] =
                switch view {
                case .totals: p.totals
                case .hourly: p.cells
                case .status: p.status
                }
            applied[p.day, default: [:]][p.type] = p.appliedDeltas
        }
        for d in needsMongo {
            for (type, delta) in snapshot.values[d] ?? [:] {
                for (k, v) in delta { result[d, default: [:]][type, default: [:]][k, default: 0] += v }
            }
        }
        for entry in snapshot.outbox where wanted.contains(entry.day) {
            if applied[entry.day]?[entry.type]?.contains(entry.seq) == true { continue }
            let agg = DayAggregate(day: entry.day, type: entry.type, currency: currency, cells: entry.cells)
            let delta =
                switch view {
                case .totals: agg.successTotals
                case .hourly: entry.cells
                case .status: agg.statusTotals
                }
            for (k, v) in delta { result[entry.day, default: [:]][entry.type, default: [:]][k, default: 0] += v }
        }
        return result.mapValues { $0.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty } }.filter { !$0.value.isEmpty }
    }

    private func snapshot(_ c: RedisClient, days: [CivilDay], view: View, currency: Currency) throws -> RedisSnapshot {
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
        let replies = try c.pipeline(commands)
        guard let r = try replies.last!.check().array, r.count == 2 + days.count * 2 + 2 else {
            throw RedisError.protocolViolation("MULTI for a stats read returned \(replies.last!)")
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
        // Outbox entries of this currency's archived days in range: read them and check the
        // epoch again. Entries of other currencies are not this read's.
        let range = days.first!...days.last!
        let relevant = outboxNames.compactMap { name -> (String, Int64, CivilDay, TransactionType)? in
            guard let e = keys.parseOutboxEntry(name), e.currency == currency, range.contains(e.day) else { return nil }
            return (name, e.seq, e.day, e.type)
        }
        if !relevant.isEmpty {
            var more = [RedisCommand("MULTI")]
            for e in relevant { more.append(RedisCommand(["HGETALL", e.0])) }
            more.append(RedisCommand(["GET", keys.archiveEpoch]))
            more.append(RedisCommand("EXEC"))
            guard let m = try c.pipeline(more).last!.check().array, m.count == relevant.count + 1 else {
                throw RedisError.protocolViolation("MULTI for outbox entries failed")
            }
            guard m.last!.text ?? "0" == s.epoch else { throw RedisError.connection("archive epoch moved; retrying") }
            for (e, reply) in zip(relevant, m) {
                s.outbox.append((e.1, e.2, e.3, DayAggregate.cells(from: reply.pairs)))
            }
        }
        return s
    }
}
