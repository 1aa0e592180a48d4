import Foundation
import Mongo
import Redis
import StatsCore
import TestSupport
import Testing

/// The read side per currency against real servers, without the aggregator: Redis is filled
/// with layout-2 aggregate hashes directly (what the aggregator's commits write), then the real
/// dumper moves them to MongoDB (SecantusDB).
@Suite("Currencies: MongoDB migration, per-currency documents, negative late deltas", .serialized)
struct CurrencyHistoryTests {
    static let usd = Currency(code: "USD")!
    static let jpy = Currency(code: "JPY")!

    /// A document as layout 1 wrote it: no Currency, unique index on (Date, Type).
    static func legacyCollection(_ mongo: MongoClient, scale: Int32? = 2) throws {
        try mongo.ensureCollection(
            "DailyAggregates",
            validator: ["$jsonSchema": ["bsonType": "object", "required": ["Date", "Type", "LastUpdated"]]])
        try mongo.createIndexes(
            "DailyAggregates",
            indexes: [
                ["key": ["Date": 1, "Type": 1], "name": "idx_date_type", "unique": true], ["key": ["Date": 1], "name": "idx_date"],
            ])
        var doc: BSONDocument = [
            "Date": "2026-01-05", "Type": "deposits", "TotalAmount": ["visa": .int64(1234)],
            "Status": ["visa|success|n": .int64(1), "visa|success|a": .int64(1234)],
            "Hourly": ["visa|success|10|n": .int64(1), "visa|success|10|a": .int64(1234)], "TransactionCount": .int64(1),
            "AppliedDeltas": [], "LastUpdated": .date(1_767_225_600_000),
        ]
        if let scale { doc["Scale"] = .int32(scale) }
        try mongo.replaceOne("DailyAggregates", filter: ["Date": "2026-01-05", "Type": "deposits"], replacement: doc, upsert: true)
    }

    @Test("migration: a layout-1 document gets Currency=USD, run twice changes nothing more; the new index takes another currency only")
    func migration() throws {
        let server = try MongoServer()
        defer { server.stop() }
        let mongo = try server.client(database: "txstats_migration")
        try Self.legacyCollection(mongo)
        try Self.legacyCollection(mongo, scale: nil) // the same day/type again: still one document, now without Scale
        let first = try DailyAggregateMigration.run(mongo, defaultCurrency: Self.usd)
        #expect(first == DailyAggregateMigration.Outcome(relabelled: 1, droppedLegacyIndex: true))
        let second = try DailyAggregateMigration.run(mongo, defaultCurrency: Self.usd)
        #expect(second == DailyAggregateMigration.Outcome(relabelled: 0, droppedLegacyIndex: false), "idempotent")

        let docs = try mongo.find("DailyAggregates", filter: [:])
        #expect(docs.count == 1)
        #expect(docs.first?["Currency"] == .string("USD"))
        #expect(docs.first?["Scale"]?.int64 == 2, "a document without Scale gets the currency's exponent")
        #expect(docs.first?["TotalAmount"]?.document?["visa"]?.int64 == 1234, "amounts untouched")
        let indexes = Set(try mongo.indexNames("DailyAggregates"))
        #expect(
            indexes.contains("idx_date_type_currency") && indexes.contains("idx_date") && !indexes.contains("idx_date_type"), "\(indexes)")

        // The new unique index refuses a second USD document for the day and type, takes JPY.
        let dup: BSONDocument = ["Date": "2026-01-05", "Type": "deposits", "Currency": "USD", "LastUpdated": .date(0)]
        let duplicate = #expect(throws: MongoError.self, "a duplicate (Date, Type, Currency) is refused") {
            try mongo.updateOne("DailyAggregates", filter: ["_id": "y"], update: ["$set": .document(dup)], upsert: true)
        }
        #expect(duplicate?.isDuplicateKey == true, "\(String(describing: duplicate))")
        var jpy = dup
        jpy["Currency"] = "JPY"
        try mongo.updateOne("DailyAggregates", filter: ["_id": "z"], update: ["$set": .document(jpy)], upsert: true)
        #expect(try mongo.count("DailyAggregates", filter: ["Date": "2026-01-05", "Type": "deposits"]) == 2)
        // The validator now requires a three-letter upper-case Currency.
        for bad: BSONDocument in [
            ["Date": "2026-01-06", "Type": "deposits", "LastUpdated": .date(0)],
            ["Date": "2026-01-06", "Type": "deposits", "Currency": "usd", "LastUpdated": .date(0)],
        ] {
            let refused = #expect(throws: MongoError.self, "the validator refuses \(bad)") {
                try mongo.replaceOne("DailyAggregates", filter: ["Date": "2026-01-06"], replacement: bad, upsert: true)
            }
            #expect(refused?.code == 121, "\(String(describing: refused))")
        }
        #expect(try mongo.distinct("DailyAggregates", key: "Currency").compactMap(\.string).sorted() == ["JPY", "USD"])
    }

    @Test(
        "migration refuses documents whose Scale is not the default currency's exponent, changing nothing; the dumper exits 1 naming them")
    func refusal() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let mongo = try fleet.mongo.client(database: fleet.database)
        try Self.legacyCollection(mongo, scale: 3)
        #expect(throws: DailyAggregateMigration.Refusal.self) { try DailyAggregateMigration.run(mongo, defaultCurrency: Self.usd) }
        #expect(try mongo.count("DailyAggregates", filter: ["Currency": ["$exists": true]]) == 0, "nothing relabelled")
        #expect(try mongo.indexNames("DailyAggregates").contains("idx_date_type"), "old index kept")

        let dumper = try fleet.run("dumper", ["--once"])
        #expect(try dumper.wait(timeout: 60) == 1)
        #expect(dumper.stderr.contains("Scale is not 2"), "\(dumper.stderr.suffix(1500))")
        #expect(dumper.stderr.contains("2026-01-05 deposits Scale=3"), "\(dumper.stderr.suffix(1500))")
        // With the currency the documents are in (3 fraction digits), it starts and relabels them.
        let kwd = try fleet.run("dumper", ["--once"], extraEnv: ["TXSTATS_CURRENCY": "KWD"])
        #expect(try kwd.wait(timeout: 60) == 0, "\(kwd.stderr.suffix(1500))")
        #expect(try mongo.find("DailyAggregates", filter: [:]).first?["Currency"] == .string("KWD"))
    }

    /// Adds hourly cells to a (day, type, currency) in Redis as a commit would: the three hashes,
    /// the day, the method, the currency, the dirty member, the version.
    static func commit(
        _ redis: RedisClient, _ day: String, _ type: String, _ currency: String,
        _ cells: [(method: String, status: String, hour: Int, n: Int64, a: Int64)]
    ) throws {
        let tag = "{TransactionQueue}"
        let base = "agg:\(day):\(type):\(currency):\(tag)"
        var commands: [[String]] = []
        for c in cells {
            let hh = c.hour < 10 ? "0\(c.hour)" : "\(c.hour)"
            commands += [
                ["HINCRBY", "\(base):hourly", "\(c.method)|\(c.status)|\(hh)|n", String(c.n)],
                ["HINCRBY", "\(base):hourly", "\(c.method)|\(c.status)|\(hh)|a", String(c.a)],
                ["HINCRBY", "\(base):status", "\(c.method)|\(c.status)|n", String(c.n)],
                ["HINCRBY", "\(base):status", "\(c.method)|\(c.status)|a", String(c.a)],
                ["SADD", "\(tag):methods", c.method],
            ]
            if c.status == "success" { commands.append(["HINCRBY", base, c.method, String(c.a)]) }
        }
        commands += [
            ["ZADD", "\(tag):days", String(CivilDay.parse(day)!.daysSinceEpoch), day], ["SADD", "\(tag):currencies", currency],
            ["SADD", "\(tag):dirty", "\(day):\(type):\(currency)"], ["INCR", "\(tag):version"],
        ]
        for r in try redis.pipeline(commands.map { RedisCommand($0) }) { _ = try r.check() }
    }

    /// The reader the api uses, in process, over the fleet's stores.
    static func reader(_ fleet: Fleet) throws -> StatsReader {
        StatsReader(
            keys: KeyLayout(queue: "TransactionQueue"),
            history: HistorySettings(
                mongoURI: fleet.mongo.uri, database: fleet.database, cutoffDays: 7, today: CivilDay.parse("2026-01-20")),
            calendar: try BusinessCalendar(timeZoneIdentifier: "UTC"), redis: RedisPool(seeds: RedisSeeds(fleet.redis.url), size: 2),
            mongo: try fleet.mongo.client(database: fleet.database))
    }

    @Test("USD and JPY of one day are two documents; retention deletes both; a negative late delta reaches MongoDB exactly once")
    func negativeLateDelta() throws {
        let fleet = try Fleet() // today 2026-01-20, cut-off 7 days
        defer { fleet.stop() }
        let redis = fleet.redis.connection()
        try Self.commit(
            redis, "2026-01-05", "deposits", "USD",
            [("card", "pending", 10, 2, 1500), ("card", "success", 11, 1, 999), ("visa", "success", 12, 1, 5)])
        try Self.commit(redis, "2026-01-05", "deposits", "JPY", [("card", "success", 10, 1, 1500), ("card", "pending", 10, 1, 300)])
        try fleet.dumpOnce()

        let mongo = try fleet.mongo.client(database: fleet.database)
        #expect(try mongo.count("DailyAggregates", filter: [:]) == 2)
        let jpyDoc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05", "Currency": "JPY"]).first)
        #expect(jpyDoc["Scale"]?.int64 == 0)
        #expect(jpyDoc["TotalAmount"]?.document?["card"]?.int64 == 1500)
        let usdDoc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05", "Currency": "USD"]).first)
        #expect(usdDoc["Scale"]?.int64 == 2)
        #expect(usdDoc["TotalAmount"]?.document?["card"]?.int64 == 999)
        // Retention removed the hashes of both currencies.
        #expect(try redis.run("SISMEMBER", "{TransactionQueue}:archived", "2026-01-05").int == 1)
        for c in ["USD", "JPY"] {
            for suffix in ["", ":status", ":hourly"] {
                #expect(try redis.run("EXISTS", "agg:2026-01-05:deposits:\(c):{TransactionQueue}\(suffix)").int == 0, "\(c)\(suffix)")
            }
        }

        // A late status change: one USD card payment moves from pending to success (a negative
        // and a positive delta), and the pending cell ends at 1.
        try Self.commit(redis, "2026-01-05", "deposits", "USD", [("card", "pending", 10, -1, -750), ("card", "success", 10, 1, 750)])
        let reader = try Self.reader(fleet)
        let day = CivilDay.parse("2026-01-05")!
        let before = try reader.read(from: day, to: day, view: .status, currency: Self.usd)
        #expect(before[day]?[.deposit]?["card|pending|n"] == 1, "the delta counts at once, from Redis")
        #expect(before[day]?[.deposit]?["card|success|a"] == Int64(1749), "999 + 750")
        try fleet.dumpOnce()
        #expect(try redis.run("LLEN", "{TransactionQueue}:outbox").int == 0)
        var doc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05", "Currency": "USD"]).first)
        #expect(doc["Status"]?.document?["card|pending|n"]?.int64 == 1)
        #expect(doc["Status"]?.document?["card|pending|a"]?.int64 == 750)
        #expect(doc["Status"]?.document?["card|success|a"]?.int64 == 1749)
        #expect(doc["Hourly"]?.document?["card|pending|10|n"]?.int64 == 1)
        #expect(doc["TotalAmount"]?.document?["card"]?.int64 == 1749)
        #expect(doc["TransactionCount"]?.int64 == 4, "a move changes no count")
        let seq = try #require(doc["AppliedDeltas"]?.array?.last?.int64)

        // The same delta again (a dumper that died before deleting its outbox entry): no change.
        let name = "{TransactionQueue}:outbox:\(seq):2026-01-05:deposits:USD"
        try redis.run(
            "HSET", name, "card|pending|10|n", "-1", "card|pending|10|a", "-750", "card|success|10|n", "1", "card|success|10|a", "750"
        )
        .check()
        try redis.run("RPUSH", "{TransactionQueue}:outbox", name).check()
        let pending = try reader.read(from: day, to: day, view: .status, currency: Self.usd)
        #expect(pending[day]?[.deposit]?["card|pending|n"] == 1, "an applied delta is not counted twice by the reader")
        try fleet.dumpOnce()
        #expect(try redis.run("LLEN", "{TransactionQueue}:outbox").int == 0)
        doc = try #require(try mongo.find("DailyAggregates", filter: ["Date": "2026-01-05", "Currency": "USD"]).first)
        #expect(doc["Status"]?.document?["card|pending|n"]?.int64 == 1, "nor added twice to MongoDB")
        #expect(doc["Status"]?.document?["card|success|a"]?.int64 == 1749)

        // A JPY outbox entry is not the USD reader's, and JPY's document never moved.
        let jpy = try reader.read(from: day, to: day, view: .totals, currency: Self.jpy)
        #expect(jpy[day]?[.deposit] == ["card": 1500])
        #expect(try reader.read(from: day, to: day, view: .totals, currency: Self.usd)[day]?[.deposit] == ["card": 1749, "visa": 5])
        #expect(try reader.currencies() == [Self.jpy, Self.usd])
    }
}
