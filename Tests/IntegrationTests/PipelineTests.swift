import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Importer and aggregators as real processes against a real redis-server.
@Suite("Pipeline: exact totals against a real Redis", .serialized)
struct PipelineTests {
    @Test("100,000 rows through the importer and 3 concurrent aggregators are exact to the cent per cell")
    func threeAggregatorsExact() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 100_000, days: 7)
        let expected = try ExpectedTotals.compute(csv: csv)

        let workers = try (1...3).map { try aggregator(server, id: "w\($0)", extra: ["--batch-items", "8"]) }
        let imp = try importer(server, csv, extra: ["--chunk-rows", "200", "--batch-rows", "5000"])
        #expect(try imp.wait() == 0, "importer failed: \(imp.stderr.suffix(1500))")
        let redis = server.connection()
        try AggregateSnapshot.waitUntilDrained(redis)
        for w in workers { w.signal(SIGTERM) }
        for w in workers { #expect(try w.wait(timeout: 30) == 0, "\(w.name) exit: \(w.stderr.suffix(1500))") }

        let actual = try AggregateSnapshot.read(redis)
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
        #expect(actual.values.reduce(0) { $0 + $1.count } == 100_000)
        // More than one worker really took part.
        let committedBy = workers.filter { w in
            logLines(w.stderr).contains { $0["msg"] == "aggregator stopped" && ($0["commits"].flatMap { Int($0) } ?? 0) > 0 }
        }
        #expect(committedBy.count >= 2, "only \(committedBy.count) aggregators committed anything")
        #expect(try redis.run("LLEN", "{TransactionQueue}:dead").int == 0)
    }

    @Test("aggregators killed with SIGKILL mid-run and restarted still give exact totals")
    func sigkillChaosExact() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 100_000, days: 7, seed: 11)
        let expected = try ExpectedTotals.compute(csv: csv)
        // Small items and batches: many commits, so kills land between take and commit.
        let imp = try importer(server, csv, extra: ["--chunk-rows", "50", "--batch-rows", "2000"])
        var workers = try (1...3).map { try aggregator(server, id: "k\($0)", extra: ["--batch-items", "3"]) }
        let redis = server.connection()
        var rng = SplitMix64(seed: 99)
        var kills = 0
        var generation = 0
        var retired: [Worker] = []
        let deadline = Date().addingTimeInterval(60)
        while kills < 6 && Date() < deadline {
            usleep(250_000 + UInt32(rng.next() % 250_000))
            let i = Int(rng.next() % 3)
            workers[i].signal(SIGKILL)
            _ = try? workers[i].wait(timeout: 10)
            retired.append(workers[i])
            #expect(workers[i].killedBySignal)
            kills += 1
            generation += 1
            // Alternate: come back under the same id (recovers its own in-flight list) or a
            // new one (its old list is taken over by a live worker after the heartbeat timeout).
            let id = generation % 2 == 0 ? "k\(i + 1)" : "k\(i + 1)-\(generation)"
            workers[i] = try aggregator(server, id: id, extra: ["--batch-items", "3"])
        }
        #expect(kills == 6)
        #expect(try imp.wait() == 0, "importer failed: \(imp.stderr.suffix(1500))")
        try AggregateSnapshot.waitUntilDrained(redis)
        for w in workers { w.signal(SIGTERM) }
        for w in workers { #expect(try w.wait(timeout: 30) == 0, "\(w.name): \(w.stderr.suffix(1500))") }

        let actual = try AggregateSnapshot.read(redis)
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
        #expect(actual.values.reduce(0) { $0 + $1.count } == 100_000)
        // The kills really left work in flight that someone else had to finish.
        let logs = (workers + retired).map(\.stderr).joined()
        #expect(
            logs.contains("took over the in-flight items of a dead worker") || logs.contains("finishing in-flight items left from before"),
            "no kill interrupted a batch; the test proved nothing")
    }

    @Test("aggregators scaled from 1 to 4 mid-run, then back to 1, leave exact totals")
    func scaleUpAndDown() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 100_000, days: 7, seed: 13)
        let expected = try ExpectedTotals.compute(csv: csv)
        let redis = server.connection()
        let imp = try importer(server, csv, extra: ["--chunk-rows", "50", "--batch-rows", "2000"])
        let first = try aggregator(server, id: "s1", extra: ["--batch-items", "2"])
        while (try redis.run("HLEN", "{TransactionQueue}:imports").int ?? 0) == 0 { usleep(5_000) }
        usleep(300_000)
        let more = try (2...4).map { try aggregator(server, id: "s\($0)", extra: ["--batch-items", "2"]) }
        usleep(800_000)
        for w in more { w.signal(SIGTERM) }
        for w in more { #expect(try w.wait(timeout: 30) == 0, "\(w.name): \(w.stderr.suffix(500))") }
        let worked = more.filter { w in
            logLines(w.stderr).contains { $0["msg"] == "aggregator stopped" && ($0["commits"].flatMap { Int($0) } ?? 0) > 0 }
        }
        #expect(!worked.isEmpty, "the added aggregators took part")
        #expect(try imp.wait() == 0)
        try AggregateSnapshot.waitUntilDrained(redis)
        first.signal(SIGTERM)
        #expect(try first.wait(timeout: 30) == 0)
        let actual = try AggregateSnapshot.read(redis)
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
        #expect(actual.values.reduce(0) { $0 + $1.count } == 100_000)
    }

    @Test("an aggregator given SIGTERM mid-run commits its batch and exits 0; a restart finishes exactly")
    func sigtermMidRun() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 50_000, days: 3, seed: 5)
        let expected = try ExpectedTotals.compute(csv: csv)
        #expect(try importer(server, csv, extra: ["--chunk-rows", "50"]).wait() == 0)
        let first = try aggregator(server, id: "t1", extra: ["--batch-items", "2"])
        let redis = server.connection()
        while (try redis.run("LLEN", "TransactionQueue").int ?? 0) > 800 { usleep(5_000) }
        first.signal(SIGTERM)
        #expect(try first.wait(timeout: 30) == 0)
        #expect(try redis.run("LLEN", "{TransactionQueue}:inflight:t1").int == 0, "a graceful stop leaves nothing in flight")
        #expect((try redis.run("LLEN", "TransactionQueue").int ?? 0) > 0, "stopped before the end, as intended")
        #expect(try aggregator(server, id: "t1", drain: true).wait() == 0)
        let actual = try AggregateSnapshot.read(redis)
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
    }
}
