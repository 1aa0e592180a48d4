import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Importer: re-runs never double or lose rows", .serialized)
struct ImportResumeTests {
    @Test("importer killed mid-file with SIGKILL, then re-run: every row exactly once")
    func killedAndRerun() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 120_000, days: 4, seed: 21)
        let expected = try ExpectedTotals.compute(csv: csv)
        let redis = server.connection()
        // Small batches so that the kill lands between commits.
        let first = try importer(server, csv, extra: ["--batch-rows", "500", "--chunk-rows", "100"])
        var marker: ImportMarker?
        while first.isRunning {
            if let text = try redis.run("HVALS", "{TransactionQueue}:imports").array?.first?.text,
                let m = ImportMarker(parsing: text), m.queued >= 20_000
            {
                marker = m
                break
            }
            usleep(2_000)
        }
        first.signal(SIGKILL)
        #expect(try first.wait() == 128 + SIGKILL, "the importer finished before it could be killed")
        let queuedAtKill = try #require(marker).queued
        #expect(queuedAtKill < 120_000)

        let second = try importer(server, csv)
        #expect(try second.wait() == 0, "\(second.stderr.suffix(1000))")
        #expect(second.stdout.contains("resumed after line"), "\(second.stdout)")
        // Running it a third time queues nothing at all.
        let third = try importer(server, csv)
        #expect(try third.wait() == 0)
        #expect(third.stdout.contains("rows queued:   0"), "\(third.stdout)")

        #expect(try aggregator(server, id: "r1", drain: true).wait() == 0)
        let actual = try AggregateSnapshot.read(redis)
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
        #expect(actual.values.reduce(0) { $0 + $1.count } == 120_000)
    }

    @Test("Ctrl-C (SIGINT) commits the batch in hand, exits 130 and the re-run resumes exactly")
    func interruptedAndResumed() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 3_000, days: 1, seed: 3)
        let expected = try ExpectedTotals.compute(csv: csv)
        // Honouring sleep_ms (0-2 ms a row) makes the import take seconds: time to interrupt it.
        let first = try Worker("importer", redisArgs(server) + [csv])
        usleep(800_000)
        first.signal(SIGINT)
        #expect(try first.wait(timeout: 30) == 130)
        #expect(first.stdout.contains("INTERRUPTED, resumable"), "\(first.stdout)")
        #expect(try importer(server, csv).wait() == 0)
        #expect(try aggregator(server, id: "i1", drain: true).wait() == 0)
        let actual = try AggregateSnapshot.read(server.connection())
        #expect(ExpectedTotals.diff(actual, expected) == nil, "\(ExpectedTotals.diff(actual, expected) ?? "")")
    }

    @Test("--restart imports the same file again on purpose; a changed file under the same id is refused")
    func restartAndChangedSource() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let csv = try sampleCSV(rows: 1_000, days: 1, seed: 4)
        let redis = server.connection()
        #expect(try importer(server, csv).wait() == 0)
        #expect(try importer(server, csv, extra: ["--restart"]).wait() == 0)
        #expect(try aggregator(server, id: "x1", drain: true).wait() == 0)
        let doubled = try AggregateSnapshot.read(redis).values.reduce(0) { $0 + $1.count }
        #expect(doubled == 2_000)

        // Same header and first row (so the same fingerprint), different later rows.
        var lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[500] = lines[500].replacingOccurrences(of: "deposit", with: "withdrawal")
        let changed = try writeTemp(lines.joined(separator: "\n") + "\n")
        let refused = try importer(server, changed)
        #expect(try refused.wait() != 0)
        #expect(refused.stderr.contains("differs from what was imported"), "\(refused.stderr)")
    }
}
