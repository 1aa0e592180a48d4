import Foundation
import Mongo
import Redis
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The read side of a fleet with `TXSTATS_PARTITIONS=3` on a standalone redis-server, against a
/// real MongoDB wire-protocol server (SecantusDB), every worker a real process: the dumper
/// writes one document per (day, type, currency) whose top level is the sum of the partitions'
/// shares, and the api adds up every partition — days live in Redis, days retired to MongoDB,
/// late data for retired days — exactly as an independent model of the input says.
///
/// Items go straight into each partition's queue (as a producer routing by itself would), so
/// that every partition holds data of its own for the same days; ``aggregate(_:_:)`` is the one
/// place that says how the aggregator is started.
@Suite("Partitions: the dumper and the api add up every partition, across Redis and MongoDB", .serialized)
struct PartitionHistoryTests {
    static let partitions = 3
    static let layouts = Partitioning.layouts(queue: "TransactionQueue", count: partitions)
    /// What the dumper and the api (and the aggregator) are given besides the fleet's settings.
    static let environment = ["TXSTATS_PARTITIONS": String(partitions)]
    static let first = "2026-01-01"
    static let last = "2026-01-20" // the fleet's today; cut-off 7 days: 2026-01-13 is the first Redis day

    /// One generated transaction, and the partition whose queue it goes to.
    struct Item {
        var partition: Int
        var cell: Cell
        var minute: Int
        var cents: Int64

        var json: String {
            let hh = cell.hour < 10 ? "0\(cell.hour)" : "\(cell.hour)"
            let mm = minute < 10 ? "0\(minute)" : "\(minute)"
            let amount = "\(cents / 100).\(cents % 100 < 10 ? "0" : "")\(cents % 100)"
            return #"{"timestamp":"\#(cell.day)T\#(hh):\#(mm):07","type":"\#(cell.type == "deposits" ? "deposit" : "withdrawal")","#
                + #""payment_method":"\#(cell.method)","amount":"\#(amount)","status":"\#(cell.status)"}"#
        }
    }

    /// `count` transactions on the given days of January 2026, spread over the partitions, except
    /// that a partition named in `absent` gets nothing of that day (so days exist in some
    /// partitions and not in others).
    static func items(_ count: Int, days: ClosedRange<Int>, seed: UInt64, absent: [Int: Int] = [:]) -> [Item] {
        var rng = SplitMix64(seed: seed)
        let methods = ["visa", "mastercard", "paypal", "wire", "crypto"]
        let statuses = ["success", "success", "success", "failed", "pending"]
        var out: [Item] = []
        while out.count < count {
            let d = Int.random(in: days, using: &rng)
            let p = Int.random(in: 0..<partitions, using: &rng)
            if absent[d] == p { continue }
            let cell = Cell(
                day: "2026-01-\(d < 10 ? "0" : "")\(d)", type: Bool.random(using: &rng) ? "deposits" : "withdrawals",
                method: methods.randomElement(using: &rng)!, status: statuses.randomElement(using: &rng)!,
                hour: Int.random(in: 0...23, using: &rng))
            out.append(
                Item(
                    partition: p, cell: cell, minute: Int.random(in: 0...59, using: &rng), cents: Int64.random(in: 1...250_000, using: &rng)
                ))
        }
        return out
    }

    /// The model: every cell's count and amount, from the items alone.
    static func model(_ items: [Item]) -> [Cell: Tally] {
        var out: [Cell: Tally] = [:]
        for item in items {
            out[item.cell, default: Tally()].count += 1
            out[item.cell, default: Tally()].amount += item.cents
        }
        return out
    }

    /// LPUSHes the items into their partitions' queues and aggregates them all.
    ///
    /// The aggregator's own partition support starts one worker per partition (pinned here, so
    /// that `--drain` does not depend on the roll call). This is the only launch detail of the
    /// suite: before the aggregator knew partitions it would have been one aggregator per queue,
    /// `TXSTATS_QUEUE=TransactionQueue:k` without `TXSTATS_PARTITIONS`.
    static func aggregate(_ fleet: Fleet, _ items: [Item]) throws {
        let redis = fleet.redis.connection()
        defer { redis.close() }
        for r in try redis.pipeline(items.map { RedisCommand(["LPUSH", layouts[$0.partition].queue, $0.json]) }) { _ = try r.check() }
        let agg = try fleet.run(
            "aggregator", ["--drain", "--worker-id", "parts", "--partitions", "0-\(partitions - 1)"], extraEnv: environment)
        guard try agg.wait() == 0 else { throw TestFailure("aggregator: \(agg.stderr.suffix(1500))") }
        for k in layouts { #expect(try redis.run("LLEN", k.queue).int == 0, "\(k.queue) drained") }
        fleet.settle()
    }

    static func dumpOnce(_ fleet: Fleet, _ extra: [String] = []) throws {
        let d = try fleet.run("dumper", ["--once"] + extra, extraEnv: environment)
        guard try d.wait(timeout: 120) == 0 else { throw TestFailure("dumper: \(d.stderr.suffix(1500))") }
        fleet.settle()
    }

    /// The reader the api uses, in process, over every partition.
    static func reader(_ fleet: Fleet) throws -> StatsReader {
        StatsReader(
            partitions: layouts,
            history: HistorySettings(mongoURI: fleet.mongo.uri, database: fleet.database, cutoffDays: 7, today: CivilDay.parse(last)),
            calendar: try BusinessCalendar(timeZoneIdentifier: "UTC"), redis: RedisPool(seeds: RedisSeeds(fleet.redis.url), size: 2),
            mongo: try fleet.mongo.client(database: fleet.database))
    }

    /// `/stats` of the model: day -> type -> method -> cents of successful transactions.
    static func totals(_ cells: [Cell: Tally]) -> [String: [String: [String: Int64]]] {
        var out: [String: [String: [String: Int64]]] = [:]
        for (cell, t) in cells where cell.status == "success" {
            out[cell.day, default: [:]][cell.type, default: [:]][cell.method, default: 0] += t.amount
        }
        return out
    }

    /// The hourly view of the model, as the reader gives it.
    static func hourly(_ cells: [Cell: Tally]) -> StatsReader.Days {
        var out: StatsReader.Days = [:]
        for (cell, t) in cells {
            let hh = cell.hour < 10 ? "0\(cell.hour)" : "\(cell.hour)"
            let type: TransactionType = cell.type == "deposits" ? .deposit : .withdrawal
            let base = "\(cell.method)|\(cell.status)|\(hh)"
            out[CivilDay.parse(cell.day)!, default: [:]][type, default: [:]]["\(base)|n"] = Int64(t.count)
            out[CivilDay.parse(cell.day)!, default: [:]][type, default: [:]]["\(base)|a"] = t.amount
        }
        return out
    }

    /// The api's `/stats` and `/api/v1/stats/range`, and the reader's hourly view, all equal the
    /// model over the whole range, and a range inside it.
    static func expectExact(_ port: Int, _ reader: StatsReader, _ cells: [Cell: Tally], _ label: String) throws {
        let stats = try LoopbackHTTP.get(port: port, "/stats?from_date=\(first)&to_date=\(last)")
        #expect(stats.status == 200, "\(label): \(stats.body.prefix(300))")
        #expect(try statsCents(stats.body) == totals(cells), "\(label): /stats")
        let inner = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-04&to_date=2026-01-14")
        #expect(
            try statsCents(inner.body) == totals(cells.filter { $0.key.day >= "2026-01-04" && $0.key.day <= "2026-01-14" }),
            "\(label): /stats inside the range")
        let range = try LoopbackHTTP.get(port: port, "/api/v1/stats/range?startDate=\(first)&endDate=\(last)")
        #expect(range.status == 200, "\(label): \(range.body.prefix(300))")
        #expect(try ViewTests.blocks(range.json) == ViewTests.expected(cells) { _ in true }, "\(label): range blocks")
        let read = try reader.read(from: CivilDay.parse(first)!, to: CivilDay.parse(last)!, view: .hourly, currency: Currency(code: "USD")!)
        #expect(read == hourly(cells), "\(label): hourly cells")
    }

    /// Every document's top level is the sum of its partitions' shares, and equals the model.
    static func expectDocumentsAddUp(_ fleet: Fleet, _ cells: [Cell: Tally]) throws {
        let model = hourly(cells)
        let docs = try fleet.mongo.client(database: fleet.database).find("DailyAggregates", filter: [:])
        #expect(docs.count == model.reduce(0) { $0 + $1.value.count }, "one document per day and type")
        for doc in docs {
            let name = "\(doc["Date"]?.string ?? "?") \(doc["Type"]?.string ?? "?")"
            let parts = try #require(doc["Partitions"]?.document, "\(name) has Partitions")
            #expect(parts.keys.allSatisfy { Int($0).map { (0..<partitions).contains($0) } ?? false }, "\(name): \(parts.keys)")
            var hourly: [String: Int64] = [:]
            for (_, part) in parts {
                for (k, v) in part.document?["Hourly"]?.document ?? [:] { hourly[k, default: 0] += v.int64 ?? 0 }
            }
            var status: [String: Int64] = [:]
            var totals: [String: Int64] = [:]
            var count: Int64 = 0
            for (k, v) in hourly {
                let f = k.split(separator: "|").map(String.init) // method|status|HH|n|a
                status["\(f[0])|\(f[1])|\(f[3])", default: 0] += v
                if f[1] == "success" && f[3] == "a" { totals[f[0], default: 0] += v }
                if f[3] == "n" { count += v }
            }
            func ints(_ key: String) -> [String: Int64] {
                var out: [String: Int64] = [:]
                for (k, v) in doc[key]?.document ?? [:] { out[k] = v.int64 }
                return out
            }
            #expect(ints("Hourly") == hourly, "\(name): Hourly is the sum of the parts")
            #expect(ints("Status") == status, "\(name): Status")
            #expect(ints("TotalAmount") == totals.filter { $0.value != 0 }, "\(name): TotalAmount")
            #expect(doc["TransactionCount"]?.int64 == count, "\(name): TransactionCount")
            #expect((doc["Revision"]?.int64 ?? 0) >= 1, "\(name): Revision")
            let day = CivilDay.parse(doc["Date"]?.string ?? "")
            let type = TransactionType(text: doc["Type"]?.string ?? "")
            #expect(day.flatMap { d in type.flatMap { model[d]?[$0] } } == hourly, "\(name): the model")
        }
    }

    /// Nothing left to dump in any partition: no dirty, claimed or outbox entry, no late hash;
    /// `retired[p]` days archived in partition p.
    static func expectSettled(_ redis: RedisClient, retired: [Int]) throws {
        for (p, k) in layouts.enumerated() {
            #expect(try redis.run("SCARD", k.dirty).int == 0, "\(k.dirty)")
            #expect(try redis.run("SCARD", k.dumping).int == 0, "\(k.dumping)")
            #expect(try redis.run("LLEN", k.outbox).int == 0, "\(k.outbox)")
            #expect(try redis.run("SCARD", k.archived).int == Int64(retired[p]), "\(k.archived)")
            for d in 1...12 {
                let day = CivilDay.parse("2026-01-\(d < 10 ? "0" : "")\(d)")!
                for t in TransactionType.allCases {
                    #expect(
                        try redis.run("EXISTS", k.hourly(day, t, Currency(code: "USD")!)).int == 0, "late hash of \(day) left \(k.queue)")
                }
            }
        }
    }

    @Test("exact across live days, retired days and late data for them; documents add up their partitions; an applied delta counts once")
    func acrossTheCutoff() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        // Partition 2 has nothing of 2026-01-04, partition 1 nothing of 2026-01-16.
        var items = Self.items(6_000, days: 1...20, seed: 61, absent: [4: 2, 16: 1])
        try Self.aggregate(fleet, items)
        let (api, port) = try fleet.startAPI(extraEnv: Self.environment)
        defer { api.signal(SIGTERM) }
        let reader = try Self.reader(fleet)
        let redis = fleet.redis.connection()
        try Self.expectExact(port, reader, Self.model(items), "before any dump")

        // A long cut-off: every day written, none retired.
        try Self.dumpOnce(fleet, ["--cutoff-days", "100"])
        #expect(try fleet.mongo.client(database: fleet.database).count("DailyAggregates", filter: [:]) == 40)
        try Self.expectDocumentsAddUp(fleet, Self.model(items))
        try Self.expectExact(port, reader, Self.model(items), "after a dump, before retention")

        // The 12 days before the cut-off leave every partition's Redis.
        try Self.dumpOnce(fleet)
        for k in Self.layouts {
            #expect(try redis.run("ZCARD", k.days).int == (k.queue == "TransactionQueue:1" ? 7 : 8), "\(k.days)")
        }
        try Self.expectSettled(redis, retired: [12, 12, 11]) // partition 2 never had 2026-01-04
        try Self.expectExact(port, reader, Self.model(items), "after retention")

        // Late data for retired days, in every partition — also partition 2's 2026-01-04, a day
        // it never had — and for a live day.
        let late = Self.items(900, days: 2...5, seed: 62) + Self.items(300, days: 16...19, seed: 63)
        try Self.aggregate(fleet, late)
        items += late
        try Self.expectExact(port, reader, Self.model(items), "late data before the dumper moved it")
        try Self.dumpOnce(fleet)
        // Partition 2's first 2026-01-04 was a whole day for it, written and then retired.
        try Self.expectSettled(redis, retired: [12, 12, 12])
        try Self.expectExact(port, reader, Self.model(items), "late data added to MongoDB")
        try Self.expectDocumentsAddUp(fleet, Self.model(items))

        // A delta partition 1's share already lists comes back (a dumper that died before
        // deleting its outbox entry): counted once by the reader, added once by the dumper.
        let mongo = try fleet.mongo.client(database: fleet.database)
        let doc = try #require(
            try mongo.find("DailyAggregates", filter: ["Date": "2026-01-03", "Type": "deposits", "Currency": "USD"]).first)
        let seq = try #require(doc["Partitions"]?.document?["1"]?.document?["AppliedDeltas"]?.array?.last?.int64, "\(doc)")
        let k = Self.layouts[1]
        let name = "\(k.tag):outbox:\(seq):2026-01-03:deposits:USD"
        try redis.run("HSET", name, "visa|success|10|n", "1", "visa|success|10|a", "10005").check()
        try redis.run("RPUSH", k.outbox, name).check()
        try redis.run("INCR", k.version).check() // bypass the api's response cache
        fleet.settle()
        try Self.expectExact(port, reader, Self.model(items), "an applied delta is not counted twice")
        try Self.dumpOnce(fleet)
        #expect(try redis.run("LLEN", k.outbox).int == 0)
        try redis.run("INCR", k.version).check()
        fleet.settle()
        try Self.expectExact(port, reader, Self.model(items), "nor added twice to MongoDB")
        try Self.expectDocumentsAddUp(fleet, Self.model(items))
        #expect(Set(try reader.methods()) == Set(items.map(\.cell.method)))
    }

    @Test("a dumper killed mid-pass and restarted, round after round, leaves every answer and document exact")
    func killedMidPass() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        var items = Self.items(4_000, days: 1...20, seed: 71)
        try Self.aggregate(fleet, items)
        try Self.dumpOnce(fleet)
        let (api, port) = try fleet.startAPI(extraEnv: Self.environment)
        defer { api.signal(SIGTERM) }
        let reader = try Self.reader(fleet)
        let redis = fleet.redis.connection()

        // Work waiting for the dumper, over every partition: what is dirty, claimed, in an outbox.
        func pending() throws -> (total: Int64, claimed: Int64) {
            let r = try redis.pipeline(
                Self.layouts.flatMap { k in
                    [RedisCommand(["SCARD", k.dirty]), RedisCommand(["SCARD", k.dumping]), RedisCommand(["LLEN", k.outbox])]
                })
            let n = r.map { $0.int ?? 0 }
            return (n.reduce(0, +), stride(from: 1, to: n.count, by: 3).reduce(0) { $0 + n[$1] })
        }
        var interrupted = 0
        for (round, fraction) in [0.0, 0.1, 0.3, 0.5, 0.7, 0.9].enumerated() {
            // Late data for every retired day and type in every partition (an outbox entry each,
            // one read-modify-write each), and new data for live days.
            let more = Self.items(1_500, days: 1...12, seed: 80 + UInt64(round)) + Self.items(300, days: 13...20, seed: 90 + UInt64(round))
            try Self.aggregate(fleet, more)
            items += more
            let before = try pending().total
            let dumper = try fleet.run("dumper", ["--interval", "0.2"], extraEnv: Self.environment)
            // Killed once the pass has done about `fraction` of its work (0: once it claimed some).
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let now = try pending()
                if fraction == 0 ? now.claimed > 0 : Double(before - now.total) >= fraction * Double(before) { break }
                usleep(1_000)
            }
            dumper.signal(SIGKILL)
            _ = try dumper.wait(timeout: 30)
            let left = try pending().total
            if left > 0 && left < before { interrupted += 1 }
            try redis.run("INCR", Self.layouts[0].version).check() // the next answers are read afresh
            fleet.settle()
            try Self.expectExact(port, reader, Self.model(items), "round \(round): killed with \(left) of \(before) left")
        }
        #expect(interrupted >= 3, "kills left passes half done: \(interrupted) of 6")

        // Restarted: it finishes what the killed ones left, exactly.
        try Self.dumpOnce(fleet)
        try Self.expectSettled(redis, retired: [12, 12, 12])
        try redis.run("INCR", Self.layouts[0].version).check()
        fleet.settle()
        try Self.expectExact(port, reader, Self.model(items), "after the restarted dumper's pass")
        try Self.expectDocumentsAddUp(fleet, Self.model(items))
    }

    /// Adds hourly cells to one partition's (day, deposits, USD) in Redis as a commit would: the
    /// three hashes, the day, the method, the currency, the dirty member, the version.
    static func commit(_ redis: RedisClient, _ k: KeyLayout, _ day: String, _ cells: [(method: String, hour: Int, n: Int64, a: Int64)])
        throws
    {
        let d = CivilDay.parse(day)!
        let usd = Currency(code: "USD")!
        var commands: [[String]] = []
        for c in cells {
            let hh = c.hour < 10 ? "0\(c.hour)" : "\(c.hour)"
            commands += [
                ["HINCRBY", k.hourly(d, .deposit, usd), "\(c.method)|success|\(hh)|n", String(c.n)],
                ["HINCRBY", k.hourly(d, .deposit, usd), "\(c.method)|success|\(hh)|a", String(c.a)],
                ["HINCRBY", k.status(d, .deposit, usd), "\(c.method)|success|n", String(c.n)],
                ["HINCRBY", k.status(d, .deposit, usd), "\(c.method)|success|a", String(c.a)],
                ["HINCRBY", k.totals(d, .deposit, usd), c.method, String(c.a)], ["SADD", k.methods, c.method],
            ]
        }
        commands += [
            ["ZADD", k.days, String(d.daysSinceEpoch), day], ["SADD", k.currencies, "USD"],
            ["SADD", k.dirty, KeyLayout.dirtyMember(d, .deposit, usd)], ["INCR", k.version],
        ]
        for r in try redis.pipeline(commands.map { RedisCommand($0) }) { _ = try r.check() }
    }

    @Test("a document written with one partition is partition 0's share: its top level then adds every partition's")
    func singlePartitionDocument() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let redis = fleet.redis.connection()
        let mongo = try fleet.mongo.client(database: fleet.database)
        let day = CivilDay.parse("2026-01-05")!
        let usd = Currency(code: "USD")!
        // With one partition: today's document shape, no Partitions, and the day retired.
        try Self.commit(redis, Self.layouts[0], "2026-01-05", [("visa", 10, 2, 1500), ("wire", 11, 1, 999)])
        let single = try fleet.run("dumper", ["--once"])
        #expect(try single.wait(timeout: 120) == 0, "\(single.stderr.suffix(1500))")
        var doc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05"]).first)
        #expect(doc["Partitions"] == nil && doc["Revision"] == nil, "\(doc)")
        #expect(doc["AppliedDeltas"] == .array([]), "\(doc)")
        #expect(try redis.run("SISMEMBER", Self.layouts[0].archived, "2026-01-05").int == 1)

        // Three partitions: late data in partition 0 (archived there), the whole day in 1 and 2.
        try Self.commit(redis, Self.layouts[0], "2026-01-05", [("visa", 10, 1, 5)])
        try Self.commit(redis, Self.layouts[1], "2026-01-05", [("visa", 10, 3, 300), ("card", 12, 1, 7)])
        try Self.commit(redis, Self.layouts[2], "2026-01-05", [("wire", 11, 1, 1)])
        let want: [String: Int64] = ["visa": 1805, "wire": 1000, "card": 7]
        let reader = try Self.reader(fleet)
        #expect(try reader.read(from: day, to: day, view: .totals, currency: usd)[day]?[.deposit] == want, "before the dump")
        #expect(Set(try reader.methods()) == ["visa", "wire", "card"])
        try Self.dumpOnce(fleet)
        #expect(try reader.read(from: day, to: day, view: .totals, currency: usd)[day]?[.deposit] == want, "after the dump")
        #expect(try reader.read(from: day, to: day, view: .status, currency: usd)[day]?[.deposit]?["visa|success|n"] == 6)

        doc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05"]).first)
        let parts = try #require(doc["Partitions"]?.document, "\(doc)")
        #expect(parts.keys.sorted() == ["0", "1", "2"])
        let zero = try #require(parts["0"]?.document)
        #expect(zero["Hourly"]?.document?["visa|success|10|a"]?.int64 == 1505, "the old top level and the late delta")
        #expect(zero["AppliedDeltas"]?.array?.count == 1)
        #expect(doc["TotalAmount"]?.document?["visa"]?.int64 == 1805)
        #expect(doc["TotalAmount"]?.document?["card"]?.int64 == 7)
        #expect(doc["TransactionCount"]?.int64 == 9)
        for k in Self.layouts {
            #expect(try redis.run("SISMEMBER", k.archived, "2026-01-05").int == 1, "\(k.archived)")
            #expect(try redis.run("LLEN", k.outbox).int == 0)
        }
    }

    @Test("the admin queue report adds up every partition's queue and dead letters, newest first, and lists every partition's workers")
    func adminQueueReport() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let token = "t0k-\(UUID().uuidString)"
        let (api, port) = try fleet.startAPI(extraEnv: Self.environment.merging(["TXSTATS_ADMIN_TOKEN": token]) { $1 })
        defer { api.signal(SIGTERM) }
        let redis = fleet.redis.connection()
        let item = #"{"timestamp":"2026-01-19T10:00:00","type":"deposit","payment_method":"visa","amount":"1.00"}"#
        try redis.run("LPUSH", Self.layouts[0].queue, item).check()
        try redis.run("LPUSH", Self.layouts[2].queue, item, item).check()
        func dead(_ at: String) -> String {
            #"{"at":"\#(at)","stage":"aggregate","reason":"bad_json","detail":"not JSON","raw":"\#(at)"}"#
        }
        // Each list newest first, as the workers push them.
        try redis.run("LPUSH", Self.layouts[0].deadLetter, dead("2026-01-19T10:00:00Z")).check()
        try redis.run("LPUSH", Self.layouts[1].deadLetter, dead("2026-01-19T09:00:00Z"), dead("2026-01-19T12:00:00Z")).check()
        try redis.run("LPUSH", Self.layouts[2].deadLetter, dead("2026-01-19T11:00:00Z")).check()
        let time = try redis.run("TIME").check().array?.compactMap(\.int) ?? []
        let nowMs = String(time[0] * 1000 + time[1] / 1000)
        try redis.run("ZADD", Self.layouts[0].workers, nowMs, "w0").check()
        try redis.run("ZADD", Self.layouts[1].workers, nowMs, "w1").check()
        try redis.run("LPUSH", Self.layouts[1].inflight(worker: "w1"), item, item).check()

        let q = try LoopbackHTTP.request(port: port, "GET", "/api/v1/admin/queue", headers: ["Authorization": "Bearer \(token)"])
        #expect(q.status == 200, "\(q.body)")
        let report = try #require(q.json as? [String: Any])
        #expect(report["queue"] as? String == "TransactionQueue")
        #expect(report["partitions"] as? Int == 3)
        #expect(report["length"] as? Int == 3)
        let deadLetters = try #require(report["deadLetters"] as? [String: Any])
        #expect(deadLetters["size"] as? Int == 4)
        #expect(
            (deadLetters["latest"] as? [[String: Any]])?.compactMap { $0["raw"] as? String }
                == ["2026-01-19T12:00:00Z", "2026-01-19T11:00:00Z", "2026-01-19T10:00:00Z", "2026-01-19T09:00:00Z"])
        let workers = try #require(report["workers"] as? [[String: Any]])
        #expect(workers.map { $0["worker"] as? String } == ["w0", "w1"])
        #expect(workers.map { $0["partition"] as? Int } == [0, 1])
        #expect(workers.map { $0["inflight"] as? Int } == [0, 2])
        #expect(workers.allSatisfy { ($0["heartbeatAgeMs"] as? Int ?? -1) >= 0 })
    }
}
