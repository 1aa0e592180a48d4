import Foundation
import Mongo
import StatsCore
import TestSupport
import Testing

@Suite("MongoClient: libmongoc behind a small Swift API, against a SecantusDB server", .serialized)
struct MongoClientTests {
    /// Every kind of value this layer models, nested, with keys that need care.
    static let everyKind: BSONDocument = [
        "_id": .objectId("65f1a2b3c4d5e6f708192a3b"),
        "max": .int64(.max),
        "min": .int64(.min),
        "i32": .int32(-7),
        "i32max": .int32(.max),
        "double": .double(0.1),
        "string": "héllo | wörld ✓ \u{1F511}",
        "true": true,
        "false": false,
        "null": .null,
        "date": .date(1_767_225_600_123),
        "beforeEpoch": .date(-86_400_000),
        "decimal": .decimal128("12345.67"),
        "decimalZeros": .decimal128("1.50"),
        "deposit|visa|success": 42,
        "ключ|キー|🔑": "non-ASCII key",
        "nested": ["a|b": ["deeper": [1, "two", ["three": .int64(3)], [], [:]]]],
        "array": [.int64(1), .null, .array([.int32(2), .array([])]), .document(["x": "y"])],
        "emptyDocument": [:],
        "emptyArray": [],
    ]

    static let dailySchema: BSONDocument = [
        "$jsonSchema": [
            "bsonType": "object",
            "required": ["day", "method", "count"],
            "properties": [
                "day": ["bsonType": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"],
                "method": ["bsonType": "string"],
                "count": ["bsonType": "long", "minimum": 0],
            ],
        ]
    ]

    /// Runs `body` with a fresh in-memory server and a client, and drops the client before the
    /// server stops (a client that used sessions ends them when destroyed: with its server gone,
    /// that waits for the server selection timeout).
    func withServer(_ body: (MongoServer, MongoClient) throws -> Void) throws {
        let server = try MongoServer()
        defer { server.stop() }
        do {
            let client = try server.client()
            try body(server, client)
        }
    }

    /// "2026-01-01" + `offset` days.
    static func day(_ offset: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.date(from: DateComponents(year: 2026, month: 1, day: 1))!
        let c = calendar.dateComponents([.year, .month, .day], from: calendar.date(byAdding: .day, value: offset, to: start)!)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    @Test("ping answers; runCommand returns the server's reply")
    func ping() throws {
        try withServer { server, client in
            try client.ping()
            let reply = try client.runCommand(["ping": 1])
            #expect(reply["ok"]?.double == 1 || reply["ok"]?.int64 == 1, "\(reply)")
            let error = #expect(throws: MongoError.self) { try client.runCommand(["noSuchCommandHere": 1]) }
            #expect(error?.isConnectionFailure == false)
            #expect(error?.message.isEmpty == false)
        }
    }

    @Test("BSON encoding round trip in process: every value kind, '|' and non-ASCII keys, Int64.min/max")
    func bsonBytesRoundTrip() throws {
        var doc = Self.everyKind
        doc.append("", "empty key")
        doc.append("max", "a repeated key is kept, in order")
        let back = try BSONDocument(bsonBytes: doc.bsonBytes())
        #expect(back == doc)
        #expect(back.keys == doc.keys)
        #expect(back["max"]?.int64 == .max)
        #expect(back["i32"]?.int64 == -7)
        #expect(back["nested"]?.document?["a|b"]?.document?["deeper"]?.array?[2].document?["three"] == .int64(3))

        #expect(throws: MongoError.self) { try BSONDocument(["bad\0key": 1]).bsonBytes() }
        #expect(throws: MongoError.self) { try BSONDocument(["id": .objectId("not-hex")]).bsonBytes() }
        #expect(throws: MongoError.self) { try BSONDocument(["d": .decimal128("twelve")]).bsonBytes() }
        #expect(throws: MongoError.self) { try BSONDocument(bsonBytes: [1, 2, 3]) }
    }

    @Test("BSON round trip through the server: every value kind, nested, in key order")
    func serverRoundTrip() throws {
        try withServer { server, client in
            let doc = Self.everyKind
            let result = try client.replaceOne("kinds", filter: ["_id": doc["_id"]!], replacement: doc, upsert: true)
            #expect(result.upserted)
            let found = try client.find("kinds", filter: ["_id": doc["_id"]!])
            #expect(found.count == 1)
            #expect(found.first == doc, "\(found.first.map { "\($0)" } ?? "nothing")")
            #expect(found.first?["min"]?.int64 == .min)
            #expect(found.first?["ключ|キー|🔑"]?.string == "non-ASCII key")
            #expect(try client.find("kinds", filter: ["deposit|visa|success": 42]).count == 1)
        }
    }

    @Test("ensureCollection: a $jsonSchema validator rejects bad documents (121); calling it again is fine and applies a new validator")
    func validator() throws {
        try withServer { server, client in
            try client.ensureCollection("daily", validator: Self.dailySchema)
            try client.ensureCollection("daily", validator: Self.dailySchema)

            let good: BSONDocument = ["_id": "2026-01-01|visa", "day": "2026-01-01", "method": "visa", "count": 3]
            try client.replaceOne("daily", filter: ["_id": "2026-01-01|visa"], replacement: good, upsert: true)
            for bad: BSONDocument in [
                ["_id": "x1", "day": "2026-01-01", "method": "visa"], // count missing
                ["_id": "x2", "day": "2026-01-01", "method": "visa", "count": .int32(3)], // int, not long
                ["_id": "x3", "day": "2026-01-01", "method": "visa", "count": -1], // below minimum
                ["_id": "x4", "day": "Jan 1", "method": "visa", "count": 1], // pattern
            ] {
                let error = #expect(throws: MongoError.self) {
                    try client.replaceOne("daily", filter: ["_id": bad["_id"]!], replacement: bad, upsert: true)
                }
                #expect(error?.code == 121, "\(bad): \(error.map { "\($0)" } ?? "accepted")")
                #expect(error?.isDuplicateKey == false)
            }
            let inc = #expect(throws: MongoError.self) {
                try client.updateOne("daily", filter: ["_id": "2026-01-01|visa"], update: ["$inc": ["count": -10]], upsert: false)
            }
            #expect(inc?.code == 121)
            #expect(try client.count("daily", filter: [:]) == 1)

            // A new validator replaces the old one (collMod): now "note" is required too.
            var stricter = Self.dailySchema
            var schema = stricter["$jsonSchema"]!.document!
            schema["required"] = ["day", "method", "count", "note"]
            stricter["$jsonSchema"] = .document(schema)
            try client.ensureCollection("daily", validator: stricter)
            let error = #expect(throws: MongoError.self) {
                try client.replaceOne(
                    "daily", filter: ["_id": "y"], replacement: ["_id": "y", "day": "2026-01-02", "method": "visa", "count": 1],
                    upsert: true)
            }
            #expect(error?.code == 121)
            try client.replaceOne(
                "daily", filter: ["_id": "y"], replacement: ["_id": "y", "day": "2026-01-02", "method": "visa", "count": 1, "note": "ok"],
                upsert: true)
        }
    }

    @Test("a unique compound index rejects a duplicate (isDuplicateKey); createIndexes is idempotent")
    func uniqueIndex() throws {
        try withServer { server, client in
            let index: BSONDocument = ["key": ["day": 1, "method": 1], "unique": true]
            try client.createIndexes("daily", indexes: [index, ["key": ["count": -1]]])
            try client.createIndexes("daily", indexes: [index, ["key": ["count": -1]]])
            let names = try client.runCommand(["listIndexes": "daily"])["cursor"]?.document?["firstBatch"]?.array?.compactMap {
                $0.document?["name"]?.string
            }
            #expect(Set(names ?? []) == ["_id_", "day_1_method_1", "count_-1"])

            try client.replaceOne(
                "daily", filter: ["_id": "a"], replacement: ["_id": "a", "day": "2026-01-01", "method": "visa", "count": 1], upsert: true)
            let error = #expect(throws: MongoError.self) {
                try client.replaceOne(
                    "daily", filter: ["_id": "b"], replacement: ["_id": "b", "day": "2026-01-01", "method": "visa", "count": 2],
                    upsert: true)
            }
            #expect(error?.isDuplicateKey == true, "\(error.map { "\($0)" } ?? "accepted")")
            #expect(error?.isConnectionFailure == false)

            // Unordered bulk: the duplicate fails, the other write still happens.
            let bulkError = #expect(throws: MongoError.self) {
                try client.bulkWrite(
                    "daily",
                    operations: [
                        .replaceOne(
                            filter: ["_id": "c"], replacement: ["_id": "c", "day": "2026-01-01", "method": "visa", "count": 3], upsert: true
                        ),
                        .replaceOne(
                            filter: ["_id": "d"], replacement: ["_id": "d", "day": "2026-01-02", "method": "visa", "count": 4], upsert: true
                        ),
                    ], ordered: false)
            }
            #expect(bulkError?.isDuplicateKey == true, "\(bulkError.map { "\($0)" } ?? "accepted")")
            #expect(bulkError?.reply?["writeErrors"]?.array?.count == 1)
            #expect(try client.count("daily", filter: [:]) == 2)
            #expect(try client.count("daily", filter: ["_id": "d"]) == 1)
        }
    }

    @Test("replaceOne: upsert inserts, then replaces the whole document")
    func replaceOne() throws {
        try withServer { server, client in
            let first = try client.replaceOne(
                "daily", filter: ["_id": "k"], replacement: ["_id": "k", "count": 1, "old": true], upsert: true)
            #expect(first.matched == 0 && first.modified == 0 && first.upserted)
            let second = try client.replaceOne("daily", filter: ["_id": "k"], replacement: ["_id": "k", "count": 2], upsert: true)
            #expect(second.matched == 1 && second.modified == 1 && !second.upserted)
            let same = try client.replaceOne("daily", filter: ["_id": "k"], replacement: ["_id": "k", "count": 2], upsert: true)
            #expect(same.matched == 1 && same.modified == 0 && !same.upserted)
            let none = try client.replaceOne("daily", filter: ["_id": "nope"], replacement: ["_id": "nope", "count": 2], upsert: false)
            #expect(none.matched == 0 && !none.upserted)
            #expect(try client.find("daily", filter: [:]) == [["_id": "k", "count": 2]])
        }
    }

    @Test("updateOne: $inc on int64 fields is exact beyond 2^53, also from several threads at once")
    func incrementInt64() throws {
        try withServer { server, client in
            let big: Int64 = 9_007_199_254_740_993 // 2^53 + 1: no double holds it
            let created = try client.updateOne(
                "totals", filter: ["_id": "t"], update: ["$inc": ["minor": .int64(big), "count": .int64(1)]], upsert: true)
            #expect(created.upserted)
            let updated = try client.updateOne(
                "totals", filter: ["_id": "t"], update: ["$inc": ["minor": .int64(2), "count": .int64(1)]], upsert: true)
            #expect(updated.matched == 1 && updated.modified == 1 && !updated.upserted)
            var doc = try client.find("totals", filter: ["_id": "t"]).first
            #expect(doc?["minor"] == .int64(big + 2))
            #expect(doc?["count"] == .int64(2))

            // One client shared by threads: the pool hands each its own connection.
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                for _ in 0..<25 {
                    do {
                        try client.updateOne(
                            "totals", filter: ["_id": "t"], update: ["$inc": ["minor": .int64(1_000_000_007)]], upsert: false)
                    } catch {
                        Issue.record("\(error)")
                    }
                }
            }
            doc = try client.find("totals", filter: ["_id": "t"]).first
            #expect(doc?["minor"] == .int64(big + 2 + 100 * 1_000_000_007))
        }
    }

    @Test("bulkWrite of 730 upserts, then find with a range filter on a string and a sort; count; deleteMany")
    func bulkAndFind() throws {
        try withServer { server, client in
            let operations: [MongoWriteOperation] = (0..<730).map { i in
                let day = Self.day(i)
                return .replaceOne(
                    filter: ["_id": .string("\(day)|visa")],
                    replacement: [
                        "_id": .string("\(day)|visa"), "day": .string(day), "method": "visa",
                        "count": .int64(Int64(i)), "minor": .int64(Int64(i) * 1_000_000_000_001),
                    ],
                    upsert: true)
            }
            let result = try client.bulkWrite("daily", operations: operations, ordered: false)
            #expect(result == MongoBulkResult(matched: 0, modified: 0, upserted: 730, deleted: 0))
            let again = try client.bulkWrite("daily", operations: operations, ordered: true)
            #expect(again == MongoBulkResult(matched: 730, modified: 0, upserted: 0, deleted: 0))
            #expect(try client.bulkWrite("daily", operations: [], ordered: true) == MongoBulkResult())

            let march: BSONDocument = ["day": ["$gte": "2026-03-01", "$lt": "2026-04-01"]]
            let found = try client.find("daily", filter: march, sort: ["day": -1])
            #expect(found.count == 31)
            #expect(found.compactMap { $0["day"]?.string } == (0..<31).map { String(format: "2026-03-%02d", 31 - $0) })
            #expect(found.first?["minor"]?.int64 == Int64(89) * 1_000_000_000_001) // 2026-03-31 is day 89
            #expect(try client.count("daily", filter: march) == 31)
            #expect(
                try client.find("daily", filter: march, sort: ["day": 1], limit: 3).compactMap { $0["day"]?.string }
                    == ["2026-03-01", "2026-03-02", "2026-03-03"])

            let mixed = try client.bulkWrite(
                "daily",
                operations: [
                    .updateOne(filter: ["_id": "2026-01-01|visa"], update: ["$inc": ["count": 5]], upsert: false),
                    .updateOne(
                        filter: ["_id": "2030-01-01|visa"], update: ["$set": ["day": "2030-01-01", "method": "visa", "count": 1]],
                        upsert: true),
                    .deleteOne(filter: ["_id": "2026-01-02|visa"]),
                    .deleteOne(filter: ["_id": "no such document"]),
                ], ordered: true)
            #expect(mixed == MongoBulkResult(matched: 1, modified: 1, upserted: 1, deleted: 1))
            #expect(try client.deleteMany("daily", filter: ["day": ["$gte": "2028-01-01"]]) == 1) // 2030-01-01
            #expect(try client.deleteMany("daily", filter: ["day": ["$gte": "2027-01-01"]]) == 365) // all of 2027
            #expect(try client.count("daily", filter: [:]) == 365 - 1) // 2026 but Jan 2
            #expect(try client.deleteMany("daily", filter: ["day": "1999-01-01"]) == 0)
        }
    }

    @Test("find with a projection returns only the projected fields")
    func projection() throws {
        try withServer { server, client in
            try client.replaceOne(
                "daily", filter: ["_id": "p"], replacement: ["_id": "p", "day": "2026-01-01", "method": "visa", "count": 9], upsert: true)
            #expect(
                try client.find("daily", filter: [:], projection: ["day": 1, "count": 1, "_id": 0]) == [["day": "2026-01-01", "count": 9]])
            #expect(try client.find("daily", filter: [:], projection: ["method": 0]) == [["_id": "p", "day": "2026-01-01", "count": 9]])
        }
    }

    @Test("a down server gives a connection failure within seconds, not 30 s")
    func downServer() throws {
        let server = try MongoServer()
        let client = try server.client()
        try client.ping()
        server.stop()
        let stoppedAt = ContinuousClock.now
        let down = #expect(throws: MongoError.self) { try client.ping() }
        #expect(down?.isConnectionFailure == true, "\(down.map { "\($0)" } ?? "no error")")
        #expect(ContinuousClock.now - stoppedAt < .seconds(6))
        // Nobody ever listened there.
        let nowhere = try MongoClient(uri: "mongodb://127.0.0.1:\(try Loopback.freePort())/", database: "x", appName: "txstats-tests")
        let start = ContinuousClock.now
        let error = #expect(throws: MongoError.self) { try nowhere.find("daily", filter: [:]) }
        #expect(error?.isConnectionFailure == true)
        #expect(ContinuousClock.now - start < .seconds(6))
        // The URI's own timeout wins over the default.
        let quick = try MongoClient(
            uri: "mongodb://127.0.0.1:\(try Loopback.freePort())/?serverSelectionTimeoutMS=300", database: "x", appName: "t")
        let quickStart = ContinuousClock.now
        #expect(throws: MongoError.self) { try quick.ping() }
        #expect(ContinuousClock.now - quickStart < .seconds(2))
    }

    @Test("URI errors never show the password; app name in the URI is kept")
    func uriHandling() throws {
        #expect(MongoURI.redact("mongodb://user:s3cret@db:27017/?tls=true") == "mongodb://user:***@db:27017/?tls=true")
        #expect(MongoURI.redact("mongodb://db:27017/") == "mongodb://db:27017/")
        #expect(MongoURI.redact("mongodb://user:s3cr@t@db/") == "mongodb://user:***@db/")
        for uri in [
            "mongodb://user:s3cr%40t@db:notaport/", "mongodb://user:s3cret@/", "mongodb://user:s3cret@db/?serverSelectionTimeoutMS=fast",
            "postgres://user:s3cret@db/",
        ] {
            do {
                _ = try MongoClient(uri: uri, database: "x", appName: "t")
                Issue.record("accepted \(uri)")
            } catch {
                #expect(!error.message.contains("s3cr"), "\(error.message)")
                #expect(!error.description.contains("s3cr"))
            }
        }
        #expect(throws: MongoError.self) { try MongoClient(uri: "mongodb://127.0.0.1/", database: "", appName: "t") }
        let server = try MongoServer()
        defer { server.stop() }
        do {
            let named = try MongoClient(uri: server.uri + "?appname=from-uri", database: "x", appName: "from-call")
            try named.ping()
        }
    }

    @Test("data, validator and unique index survive a restart on a storage directory; a client reconnects")
    func restart() throws {
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-mongo-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storage) }
        // Clients are dropped (end of the do block) before the servers stop.
        var servers: [MongoServer] = []
        defer { for server in servers { server.stop() } }
        do {
            let server = try MongoServer(storage: storage.path)
            servers.append(server)
            let client = try server.client()
            try client.ensureCollection("daily", validator: Self.dailySchema)
            try client.createIndexes("daily", indexes: [["key": ["day": 1, "method": 1], "unique": true]])
            let doc: BSONDocument = ["_id": "2026-01-01|visa", "day": "2026-01-01", "method": "visa", "count": .int64(.max)]
            try client.replaceOne("daily", filter: ["_id": "2026-01-01|visa"], replacement: doc, upsert: true)
            server.stop()

            let restarted = try MongoServer(storage: storage.path, port: server.port)
            servers.append(restarted)
            // The old client's pooled connection died with the server: it reconnects by itself.
            let deadline = ContinuousClock.now + .seconds(15)
            var reconnected = false
            while !reconnected && ContinuousClock.now < deadline {
                do {
                    try client.ping()
                    reconnected = true
                } catch { usleep(100_000) }
            }
            #expect(reconnected)
            #expect(try client.find("daily", filter: [:]) == [doc])
            let fresh = try restarted.client()
            #expect(try fresh.find("daily", filter: [:]) == [doc])
            let invalid = #expect(throws: MongoError.self) {
                try fresh.replaceOne("daily", filter: ["_id": "bad"], replacement: ["_id": "bad", "day": "x"], upsert: true)
            }
            #expect(invalid?.code == 121)
            let duplicate = #expect(throws: MongoError.self) {
                try fresh.replaceOne(
                    "daily", filter: ["_id": "dup"], replacement: ["_id": "dup", "day": "2026-01-01", "method": "visa", "count": 1],
                    upsert: true)
            }
            #expect(duplicate?.isDuplicateKey == true)
        }
    }
}
