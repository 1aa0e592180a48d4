import Foundation
import Redis
import StatsCore
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real Redis Cluster (3 masters, 3 replicas on loopback) and the partitioned fleet's view of
/// it: how tests push to partitions the way producers do, read every partition's aggregates
/// through the product's own indexes (KEYS does not span a cluster), and wait for the queues.
final class ClusterFleet {
    let cluster: RedisCluster
    let partitions: Int
    let client: RedisClient
    static let currencies = ["USD", "JPY", "EUR", "KWD"]

    init(partitions: Int = 6) throws {
        cluster = try RedisCluster(masters: 3, replicasPerMaster: 1)
        self.partitions = partitions
        client = RedisClient(seeds: try RedisSeeds(parsing: cluster.urlString))
    }

    var layouts: [KeyLayout] { Partitioning.layouts(queue: "TransactionQueue", count: partitions) }

    var environment: [String: String] {
        ["REDIS_URL": cluster.urlString, "TXSTATS_PARTITIONS": String(partitions), "LOG_LEVEL": "info"]
    }

    func aggregator(id: String, drain: Bool = false, extra: [String] = []) throws -> Worker {
        try Worker(
            "aggregator", ["--worker-id", id, "--heartbeat-timeout", "2"] + (drain ? ["--drain"] : []) + extra,
            environment: environment, name: "aggregator \(id)")
    }

    func importer(_ file: String, extra: [String] = []) throws -> Worker {
        try Worker("importer", ["--no-sleep"] + extra + [file], environment: environment)
    }

    /// LPUSHes events as a producer does: an event with an id to its id's partition, one without
    /// to the partitions in turn; each partition's queue gets its events in stream order.
    func push(_ events: [PaymentEvent]) throws {
        var perPartition = [[String]](repeating: [], count: partitions)
        for (i, e) in events.enumerated() {
            let p = e.id.map { Partitioning.partition(ofId: $0, count: partitions) } ?? i % partitions
            perPartition[p].append(LedgerStream.json(e))
        }
        var commands: [RedisCommand] = []
        for (p, items) in perPartition.enumerated() {
            var i = 0
            while i < items.count {
                commands.append(RedisCommand(["LPUSH", layouts[p].queue] + items[i..<min(i + 500, items.count)]))
                i += 500
            }
        }
        for r in try client.pipeline(commands) { try r.check() }
    }

    /// Every partition's hourly cells, summed: (day, type, currency) → `method|status|HH|n|a` → value.
    func hourly() throws -> [DTC: [String: Int64]] {
        var out: [DTC: [String: Int64]] = [:]
        for layout in layouts {
            for currency in Self.currencies {
                for (cell, tally) in try AggregateSnapshot.read(client, queue: layout.queue, currency: currency) {
                    let dtc = DTC(day: cell.day, type: cell.type, currency: currency)
                    let hh = cell.hour < 10 ? "0\(cell.hour)" : "\(cell.hour)"
                    out[dtc, default: [:]]["\(cell.method)|\(cell.status)|\(hh)|n", default: 0] += Int64(tally.count)
                    out[dtc, default: [:]]["\(cell.method)|\(cell.status)|\(hh)|a", default: 0] += tally.amount
                }
            }
        }
        return out.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
    }

    /// How many items each partition's queue and in-flight lists hold.
    func backlog() throws -> [Int] {
        try layouts.map { layout in
            var n = Int(try client.run("LLEN", layout.queue).check().int ?? 0)
            for owner in try client.run("SMEMBERS", layout.inflightOwners).check().array?.compactMap(\.text) ?? [] {
                n += Int(try client.run("LLEN", layout.inflight(worker: owner)).check().int ?? 0)
            }
            return n
        }
    }

    /// Items in one worker's in-flight lists, over every partition.
    func inflight(of worker: String) throws -> Int {
        try layouts.reduce(0) { $0 + Int(try client.run("LLEN", $1.inflight(worker: worker)).check().int ?? 0) }
    }

    func waitUntilDrained(timeout: Double = 120) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var last: [Int] = []
        while Date() < deadline {
            do {
                last = try backlog()
                if last.allSatisfy({ $0 == 0 }) { return }
            } catch let e as RedisError where e.isTransient {
                // A failover under way: ask again.
            }
            usleep(50_000)
        }
        throw TestFailure("partitions not drained within \(timeout) s: \(last)")
    }

    func stop() { cluster.stop() }
}

/// A CSV's expected cells (independent of StatsCore) in the ledger model's shape, in USD.
func expectedHourly(csv: String) throws -> [DTC: [String: Int64]] {
    var out: [DTC: [String: Int64]] = [:]
    for (cell, tally) in try ExpectedTotals.compute(csv: csv) {
        let dtc = DTC(day: cell.day, type: cell.type, currency: "USD")
        let hh = cell.hour < 10 ? "0\(cell.hour)" : "\(cell.hour)"
        out[dtc, default: [:]]["\(cell.method)|\(cell.status)|\(hh)|n", default: 0] += Int64(tally.count)
        out[dtc, default: [:]]["\(cell.method)|\(cell.status)|\(hh)|a", default: 0] += tally.amount
    }
    return out
}

/// Adds two hourly maps.
func merged(_ a: [DTC: [String: Int64]], _ b: [DTC: [String: Int64]]) -> [DTC: [String: Int64]] {
    var out = a
    for (dtc, fields) in b {
        for (f, v) in fields { out[dtc, default: [:]][f, default: 0] += v }
    }
    return out.mapValues { $0.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
}
