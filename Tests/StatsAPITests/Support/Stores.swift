import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Redis
import StatsCore
import TestSupport
import Testing
import WorkerRuntime

@testable import StatsAPI

/// A real redis-server and SecantusDB (MongoDB wire protocol) for a suite. Redis is filled with
/// what the aggregator writes for ``Seed/rows`` and ``Seed/foreignRows`` — the aggregate hashes
/// of each (day, type, currency), spelled out here from the documented key layout (layout 2),
/// and the bookkeeping sets — plus the importer's dead letter for ``Seed/badLine``; then the
/// real `dumper --once` moves the days before the cut-off to MongoDB, and a few queue items are
/// left unconsumed for the admin report. (The importer and aggregator themselves are tested by
/// the integration suites; here the api is, against exactly known store contents.)
final class Stores: Sendable {
    let redis: RedisServer
    let mongo: MongoServer
    let database = "txstats_api_\(UUID().uuidString.prefix(8).lowercased())"
    let directory: String

    @TaskLocal static var current: Stores?

    /// The suite's stores (set by the ``SeededStores`` trait).
    static func require() throws -> Stores {
        try #require(current, "this test needs the .seededStores trait on its suite")
    }

    init() throws {
        directory = try TemporaryDirectory.create(prefix: "txstats-api-tests")
        redis = try RedisServer()
        mongo = try MongoServer()
    }

    func stop() {
        redis.stop()
        mongo.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the executables are given: the stores, the fixed today, the cut-off, UTC.
    var environment: [String: String] {
        [
            "REDIS_URL": redis.urlString, "MONGODB_URI": mongo.uri, "MONGODB_DATABASE": database, "TXSTATS_TODAY": Seed.today.description,
            "TXSTATS_CUTOFF_DAYS": String(Seed.cutoffDays), "TXSTATS_TIMEZONE": "UTC", "LOG_LEVEL": "warning",
        ]
    }

    func connection() throws -> RedisClient {
        let c = RedisClient(url: try RedisURL(parsing: redis.urlString))
        try c.connect()
        return c
    }

    /// Runs a built txstats executable to its end; throws with its log unless it exits 0.
    func run(_ executable: String, _ arguments: [String]) throws {
        let child = try ChildProcess(
            try BuiltProducts.path(executable), arguments: arguments, environment: environment,
            stdout: .capture, stderr: .capture)
        try child.wait(timeout: .seconds(120))
        try child.requireSuccess()
    }

    static func seeded() throws -> Stores {
        let stores = try Stores()
        do {
            let redis = try stores.connection()
            defer { redis.close() }
            try SeedWriter.write(Seed.rows + Seed.foreignRows, to: redis)
            try stores.run("dumper", ["--once"])
            // The days before the cut-off are now MongoDB's: the views read both stores.
            let cutoff = Seed.today.adding(-Seed.cutoffDays)
            let archived = try redis.run("SCARD", "{TransactionQueue}:archived").check().int
            let expectedArchived = Set(Seed.rows.map(\.day).filter { $0 < cutoff }).count
            guard archived == Int64(expectedArchived) else {
                throw TestSupportError("dumper --once archived \(archived ?? -1) days, expected \(expectedArchived)")
            }
            for item in Seed.pendingQueueItems { try redis.run("RPUSH", "TransactionQueue", item).check() }
            // A currency whose days are all in MongoDB and that Redis no longer lists (a Redis
            // restored from an old backup): the currencies list still has it, from MongoDB.
            try redis.run("SREM", "{TransactionQueue}:currencies", "CHF").check()
        } catch {
            stores.stop()
            throw error
        }
        return stores
    }
}

/// Writes rows into Redis as the aggregator's commits would, by the documented layout-2 keys.
enum SeedWriter {
    static let tag = "{TransactionQueue}"

    static func write(_ rows: [Row], to redis: RedisClient) throws {
        var commands: [[String]] = []
        for r in rows {
            let base = "agg:\(r.day):\(r.kind.plural):\(r.currency):\(tag)"
            let hour = String(format2: r.hour)
            let (m, s) = (r.method, r.status.rawValue)
            commands.append(["HINCRBY", "\(base):hourly", "\(m)|\(s)|\(hour)|n", "1"])
            commands.append(["HINCRBY", "\(base):hourly", "\(m)|\(s)|\(hour)|a", String(r.cents)])
            commands.append(["HINCRBY", "\(base):status", "\(m)|\(s)|n", "1"])
            commands.append(["HINCRBY", "\(base):status", "\(m)|\(s)|a", String(r.cents)])
            if r.status == .success { commands.append(["HINCRBY", base, m, String(r.cents)]) }
            commands.append(["ZADD", "\(tag):days", String(r.day.epochDay), r.day.description])
            commands.append(["SADD", "\(tag):methods", m])
            commands.append(["SADD", "\(tag):currencies", r.currency])
            commands.append(["SADD", "\(tag):dirty", "\(r.day):\(r.kind.plural):\(r.currency)"])
        }
        let dead =
            #"{"at":"2026-01-20T00:00:00Z","stage":"import","reason":"bad_amount","detail":"amount \"12.3.4\" is not a decimal number","#
            + #""source":"seed","file":"seed.csv","line":\#(Seed.badLineNumber),"raw":"\#(Seed.badLine)"}"#
        commands.append(["LPUSH", "\(tag):dead", dead])
        commands.append(["INCR", "\(tag):version"])
        for reply in try redis.pipeline(commands.map { RedisCommand($0) }) { _ = try reply.check() }
    }
}

/// Starts ``Stores`` once for the suite it is on (and its nested suites), stops them after.
struct SeededStores: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let stores = try Stores.seeded()
        defer { stores.stop() }
        try await Stores.$current.withValue(stores) { try await function() }
    }
}

extension Trait where Self == SeededStores {
    static var seededStores: Self { SeededStores() }
}

/// The api in-process.
enum API {
    static let logger: Logger = {
        var l = Logger(label: "txstats.api.tests")
        l.logLevel = .error
        return l
    }()

    static func settings(redisURL: String, mongoURI: String, database: String, adminToken: String? = nil, readToken: String? = nil)
        throws -> APISettings
    {
        APISettings(
            core: CoreSettings(
                redis: try RedisSeeds(parsing: redisURL), queue: "TransactionQueue", timeZone: "UTC", currency: Currency(code: "USD")!),
            history: HistorySettings(
                mongoURI: mongoURI, database: database, cutoffDays: Seed.cutoffDays,
                today: CivilDay.parse(Seed.today.description)),
            host: "127.0.0.1", port: 0, maxRangeDays: Seed.maxRangeDays, adminToken: adminToken, readToken: readToken)
    }

    /// Settings over the suite's stores.
    static func settings(adminToken: String? = nil, readToken: String? = nil) throws -> APISettings {
        let s = try Stores.require()
        return try settings(
            redisURL: s.redis.urlString, mongoURI: s.mongo.uri, database: s.database, adminToken: adminToken, readToken: readToken)
    }

    /// `buildApplication` over the suite's stores, tested through its router (its services, the
    /// version watcher and the thread pool, run meanwhile).
    static func test<Value: Sendable>(
        adminToken: String? = nil, readToken: String? = nil,
        _ body: @Sendable (any TestClientProtocol) async throws -> Value
    ) async throws -> Value {
        Telemetry.bootstrap()
        let app = try buildApplication(settings: try settings(adminToken: adminToken, readToken: readToken), logger: logger)
        return try await app.test(.router, body)
    }
}

/// A GET or other request, its answer with the body as text and, for JSON, parsed.
struct Answer {
    let status: Int
    let headers: HTTPFields
    let body: String

    var contentType: String? { headers[.contentType] }

    func json(sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        #expect(contentType == "application/json", "\(body.prefix(300))", sourceLocation: sourceLocation)
        return try JSON.parse(body)
    }

    /// The `detail` of an error answer.
    var detail: String? { (try? JSON.parse(body))?["detail"]?.string }
}

extension TestClientProtocol {
    func call(_ uri: String, method: HTTPRequest.Method = .get, headers: HTTPFields = [:]) async throws -> Answer {
        let r = try await execute(uri: uri, method: method, headers: headers, body: nil)
        return Answer(status: Int(r.status.code), headers: r.headers, body: String(buffer: r.body))
    }

    /// A GET that must answer 200 with JSON; the parsed body.
    func json(_ uri: String, headers: HTTPFields = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSON {
        let a = try await call(uri, headers: headers)
        try #require(a.status == 200, "\(uri): \(a.status) \(a.body.prefix(300))", sourceLocation: sourceLocation)
        return try a.json(sourceLocation: sourceLocation)
    }
}

/// The package's source tree, found from this file's path (for the resource files as written).
enum SourceTree {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let resources = root.appendingPathComponent("Sources/StatsAPI/Resources")

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: resources.appendingPathComponent(relative), encoding: .utf8)
    }
}

/// Compares two documents, printing both in full on failure.
func expectJSON(_ actual: JSON?, _ expected: JSON, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, "\(what)\n got: \(actual.map(\.description) ?? "nil")\nwant: \(expected)", sourceLocation: sourceLocation)
}
