import Foundation
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// redis-server and a MongoDB wire-protocol server for one test, and the environment that points
/// every txstats executable at them, with a fixed "today" so the cut-off is reproducible.
final class Fleet {
    let redis: RedisServer
    let mongo: MongoServer
    let mongoStorage: String
    let database = "txstats_\(UUID().uuidString.prefix(8))"
    let today: String
    let cutoffDays: Int
    let timeZone: String

    init(today: String = "2026-01-20", cutoffDays: Int = 7, timeZone: String = "UTC") throws {
        self.today = today
        self.cutoffDays = cutoffDays
        self.timeZone = timeZone
        redis = try RedisServer()
        mongoStorage = try TemporaryDirectory.create(prefix: "txstats-mongo-data")
        mongo = try MongoServer(storage: mongoStorage)
    }

    var environment: [String: String] {
        [
            "REDIS_URL": redis.urlString, "MONGODB_URI": mongo.uri, "MONGODB_DATABASE": database,
            "TXSTATS_TODAY": today, "TXSTATS_CUTOFF_DAYS": String(cutoffDays), "TXSTATS_TIMEZONE": timeZone,
        ]
    }

    func run(_ executable: String, _ args: [String], extraEnv: [String: String] = [:]) throws -> Worker {
        try Worker(executable, args, environment: environment.merging(extraEnv) { $1 })
    }

    /// Imports a file and aggregates everything queued.
    func importAndAggregate(_ csv: String) throws {
        let imp = try run("importer", ["--no-sleep", csv])
        guard try imp.wait() == 0 else { throw TestFailure("importer: \(imp.stderr.suffix(1000))") }
        let agg = try run("aggregator", ["--drain", "--worker-id", "fleet"])
        guard try agg.wait() == 0 else { throw TestFailure("aggregator: \(agg.stderr.suffix(1000))") }
        settle()
    }

    /// The api polls the data version every 20 ms; after a write, wait past that so the next
    /// answer must reflect it.
    func settle() { usleep(80_000) }

    func dumpOnce(_ extra: [String] = []) throws {
        let d = try run("dumper", ["--once"] + extra)
        guard try d.wait(timeout: 120) == 0 else { throw TestFailure("dumper: \(d.stderr.suffix(1500))") }
        settle()
    }

    /// Starts the api on a free port and waits until it answers.
    func startAPI(_ extra: [String] = [], extraEnv: [String: String] = [:]) throws -> (Worker, Int) {
        let port = try Loopback.freePort()
        let api = try run("api", ["--port", String(port)] + extra, extraEnv: extraEnv)
        try LoopbackHTTP.waitUntilOK(port: port, process: api.child)
        return (api, port)
    }

    func restartMongo() throws {
        try mongo.restart()
    }

    func stop() {
        redis.stop()
        mongo.stop()
        try? FileManager.default.removeItem(atPath: mongoStorage)
    }
}

/// Expected `/stats` data from a CSV: day -> type -> method -> cents of successful rows.
func expectedStats(_ csvs: [String]) throws -> [String: [String: [String: Int64]]] {
    var out: [String: [String: [String: Int64]]] = [:]
    for csv in csvs {
        for (cell, tally) in try ExpectedTotals.compute(csv: csv) where cell.status == "success" {
            out[cell.day, default: [:]][cell.type, default: [:]][cell.method, default: 0] += tally.amount
        }
    }
    return out
}

/// `/stats` data as cents, parsed from the exact decimal text of each number.
func statsCents(_ body: String) throws -> [String: [String: [String: Int64]]] {
    guard let data = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["data"] as? [String: Any] else {
        throw TestFailure("not a stats answer: \(body.prefix(300))")
    }
    // Re-read each number from the body text so that no Double is involved.
    var out: [String: [String: [String: Int64]]] = [:]
    for (day, types) in data {
        for (type, methods) in types as? [String: Any] ?? [:] {
            for (method, _) in methods as? [String: Any] ?? [:] {
                let pattern = "\"\(method)\":"
                // Find this day's block, then the type's, then the method's number.
                guard let dayRange = body.range(of: "\"\(day)\":{"),
                    let typeRange = body.range(of: "\"\(type)\":{", range: dayRange.upperBound..<body.endIndex),
                    let m = body.range(of: pattern, range: typeRange.upperBound..<body.endIndex)
                else { continue }
                let number = body[m.upperBound...].prefix { "0123456789.-".contains($0) }
                guard case .success(let cents) = DecimalAmount.parseMinor(String(number), scale: 2) else {
                    throw TestFailure("amount \(number) is not exact to 2 digits")
                }
                out[day, default: [:]][type, default: [:]][method] = cents
            }
        }
    }
    return out
}
