import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fleet on a real Redis Cluster (3 masters, 3 replicas, loopback) with 6 partitions:
/// exact totals with three aggregators, and through the faults a cluster has — an aggregator
/// SIGKILLed, a master SIGKILLed and its replica promoted, a slot migrated — while the work runs.
///
/// Input: a sample CSV through the importer (rows without id, spread over the partitions by
/// line) and a payment stream with ids, resends and status changes pushed as JSON to the
/// partition of each id, as a producer does. Expected: the CSV's totals computed independently
/// plus the ledger model's; read back by summing every partition through the product's indexes.
@Suite("Redis Cluster: partitions, a cluster-aware client, exact through faults", .serialized)
struct ClusterTests {
    static var today: Int64 { LedgerModel.day(Int64(Date().timeIntervalSince1970)) }
    static func dayText(_ days: Int64) -> String { CivilDay(daysSinceEpoch: Int32(days)).description }

    /// Order-independent events (every event carries updated_at, no conflicts), so the model
    /// holds whatever order partitions and workers take them in.
    func stream(seed: UInt64, payments: Int = 2_000) -> LedgerStream {
        var o = LedgerStream.Options(firstDay: Self.today - 7)
        o.seed = seed
        o.payments = payments
        o.allUpdated = 1
        o.noneUpdated = 0
        o.inlineConflicts = false
        o.methodConflicts = 0
        o.equalUpdatedConflicts = 0
        return LedgerStream(o)
    }

    /// A sample CSV over recent days and an id stream, with the model fed the stream.
    func input(rows: Int, seed: UInt64) throws -> (csv: String, events: [PaymentEvent], model: LedgerModel) {
        let csv = try sampleCSV(rows: rows, days: 3, seed: seed, start: Self.dayText(Self.today - 5))
        let s = stream(seed: seed)
        var model = LedgerModel()
        model.feed(s.events)
        return (csv, s.events, model)
    }

    /// Waits until every partition is drained, then stops the aggregators: each exits 0.
    func drainAndStop(_ fleet: ClusterFleet, _ aggregators: [Worker], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try fleet.waitUntilDrained(timeout: 180)
        for a in aggregators {
            a.signal(SIGTERM)
            #expect(try a.wait() == 0, "\(a.name): \(a.stderr.suffix(800))", sourceLocation: sourceLocation)
        }
    }

    func expectExact(
        _ fleet: ClusterFleet, csv: String, model: LedgerModel, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = merged(try expectedHourly(csv: csv), model.expectedHourly)
        let problem = LedgerModel.diff(try fleet.hourly(), expected)
        #expect(problem == nil, "\(what): \(problem ?? "")", sourceLocation: sourceLocation)
    }

    /// The partitions' slots: on more than one master, or the test proves little.
    func expectSpread(_ fleet: ClusterFleet) throws {
        let owners = Set(try fleet.layouts.map { try fleet.cluster.master(ofSlot: RedisSlot.of($0.tag)).port })
        #expect(owners.count >= 2, "all 6 partitions on one master")
    }

    @Test("6 partitions over 3 masters, 3 aggregators sharing them: exact, and the api sums every partition")
    func sharedPartitions() throws { try HeavyTests.exclusively { try sharedPartitionsRun() } }

    func sharedPartitionsRun() throws {
        let fleet = try ClusterFleet()
        defer { fleet.stop() }
        try expectSpread(fleet)
        let (csv, events, model) = try input(rows: 40_000, seed: 11)

        let aggregators = try (1...3).map { try fleet.aggregator(id: "agg-\($0)") }
        let imp = try fleet.importer(csv)
        try fleet.push(events)
        #expect(try imp.wait() == 0, "importer: \(imp.stderr.suffix(800))")
        try fleet.waitUntilDrained()
        // Every aggregator took part, and each got its own share.
        for a in aggregators {
            a.signal(SIGTERM)
            #expect(try a.wait() == 0, "\(a.name): \(a.stderr.suffix(800))")
            #expect(a.stderr.contains("partitions assigned"), "\(a.name) never took partitions")
        }
        try expectExact(fleet, csv: csv, model: model, "three aggregators")
        // Every partition got work, and the importer's markers are per partition.
        for layout in fleet.layouts {
            #expect(try fleet.client.run("HLEN", layout.imports).check().int == 1, "\(layout.queue) has no import marker")
            let commits = try fleet.client.run("GET", layout.version).check().int ?? 0
            #expect(commits > 0, "\(layout.queue) saw no commit")
        }
        // Importing the same file again queues nothing: exactly once per partition.
        let again = try fleet.importer(csv)
        #expect(try again.wait() == 0, "re-run: \(again.stderr.suffix(800))")
        #expect(try fleet.backlog().allSatisfy { $0 == 0 }, "a re-run queued rows again")

        // The api, pointed at the cluster, answers /stats from all partitions at once.
        let mongoDir = try TemporaryDirectory.create(prefix: "txstats-mongo-data")
        let mongo = try MongoServer(storage: mongoDir)
        defer {
            mongo.stop()
            try? FileManager.default.removeItem(atPath: mongoDir)
        }
        let port = try Loopback.freePort()
        let api = try Worker(
            "api", ["--port", String(port)],
            environment: fleet.environment.merging(["MONGODB_URI": mongo.uri, "MONGODB_DATABASE": "txstats_cluster"]) { $1 })
        defer { api.signal(SIGTERM) }
        try LoopbackHTTP.waitUntilOK(port: port, process: api.child)
        let from = Self.dayText(Self.today - 7)
        let to = Self.dayText(Self.today)
        let answer = try LoopbackHTTP.get(port: port, "/stats?from_date=\(from)&to_date=\(to)")
        #expect(answer.status == 200, "\(answer.body.prefix(300))")
        var want: [String: [String: [String: Int64]]] = [:]
        for (dtc, fields) in merged(try expectedHourly(csv: csv), model.expectedHourly) where dtc.currency == "USD" {
            for (f, v) in fields {
                let p = f.split(separator: "|")
                if p[1] == "success" && p[3] == "a" { want[dtc.day, default: [:]][dtc.type, default: [:]][String(p[0]), default: 0] += v }
            }
        }
        #expect(
            try statsCents(answer.body) == want.mapValues { $0.mapValues { $0.filter { $0.value != 0 } } }, "api /stats over 6 partitions")
    }

    @Test("an aggregator SIGKILLed mid-run: its partitions and in-flight items are taken over, exact")
    func aggregatorKilled() throws { try HeavyTests.exclusively { try aggregatorKilledRun() } }

    func aggregatorKilledRun() throws {
        let fleet = try ClusterFleet()
        defer { fleet.stop() }
        let (csv, events, model) = try input(rows: 150_000, seed: 12)
        try fleet.push(events)
        let imp = try fleet.importer(csv)
        #expect(try imp.wait() == 0, "importer: \(imp.stderr.suffix(800))")
        let other = try fleet.aggregator(id: "survivor", extra: ["--batch-rows", "2000"])
        // Kill a victim while its in-flight lists hold items (read again once it is dead, when
        // nothing can move them); a victim that happened to die between batches is replaced.
        var held = 0
        for attempt in 1...5 where held == 0 {
            let id = "victim-\(attempt)"
            let victim = try fleet.aggregator(id: id, extra: ["--batch-rows", "2000"])
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, try fleet.inflight(of: id) == 0 { usleep(2_000) }
            victim.signal(SIGKILL)
            _ = try victim.wait()
            held = try fleet.inflight(of: id)
        }
        #expect(held > 0, "no victim died holding items: the test proves little")
        try fleet.waitUntilDrained(timeout: 180)
        other.signal(SIGTERM)
        #expect(try other.wait() == 0, "survivor: \(other.stderr.suffix(800))")
        #expect(other.stderr.contains("took over the in-flight items of a dead worker"), "nothing was reclaimed")
        try expectExact(fleet, csv: csv, model: model, "after SIGKILL")
    }

    @Test("a master SIGKILLed mid-run and its replica promoted: the importer and aggregators carry on, exact")
    func masterFailover() throws { try HeavyTests.exclusively { try masterFailoverRun() } }

    func masterFailoverRun() throws {
        let fleet = try ClusterFleet()
        defer { fleet.stop() }
        try expectSpread(fleet)
        let (csv, events, model) = try input(rows: 200_000, seed: 13)
        try fleet.push(events)
        let aggregators = try (1...2).map { try fleet.aggregator(id: "agg-\($0)", extra: ["--batch-rows", "4000"]) }
        let imp = try fleet.importer(csv, extra: ["--batch-rows", "5000"])
        usleep(300_000)
        let victim = try fleet.cluster.master(ofSlot: RedisSlot.of(fleet.layouts[1].tag))
        let promoted = try fleet.cluster.killMaster(victim)
        #expect(promoted.port != victim.port)
        #expect(try imp.wait(timeout: 180) == 0, "importer through the failover: \(imp.stderr.suffix(1500))")
        try drainAndStop(fleet, aggregators)
        let logs = aggregators.map(\.stderr).joined() + imp.stderr
        #expect(logs.contains("Redis unavailable") || logs.contains("reconnected"), "nobody noticed the failover")
        try expectExact(fleet, csv: csv, model: model, "after failover")
    }

    @Test("a partition's slot migrated to another master mid-run (MIGRATING/IMPORTING, ASK, TRYAGAIN): exact")
    func slotMigration() throws { try HeavyTests.exclusively { try slotMigrationRun() } }

    func slotMigrationRun() throws {
        let fleet = try ClusterFleet()
        defer { fleet.stop() }
        let (csv, events, model) = try input(rows: 120_000, seed: 14)
        try fleet.push(events)
        let imp = try fleet.importer(csv, extra: ["--batch-rows", "3000"])
        let aggregators = try (1...2).map { try fleet.aggregator(id: "agg-\($0)", extra: ["--batch-rows", "3000"]) }
        let slot = RedisSlot.of(fleet.layouts[2].tag)
        usleep(300_000)
        let source = try fleet.cluster.master(ofSlot: slot)
        let target = try fleet.cluster.masters().first { $0.port != source.port }!
        try fleet.cluster.migrateSlowly(slot: slot, to: target, pauseBetweenBatches: .milliseconds(100), keysPerBatch: 2)
        #expect(try fleet.cluster.master(ofSlot: slot).port == target.port)
        #expect(try imp.wait(timeout: 180) == 0, "importer: \(imp.stderr.suffix(1500))")
        try drainAndStop(fleet, aggregators)
        try expectExact(fleet, csv: csv, model: model, "after migrating slot \(slot)")
    }
}
