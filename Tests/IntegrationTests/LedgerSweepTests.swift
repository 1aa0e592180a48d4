import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

/// The ledger forgets ids whose day has left the window, a step per commit, and nothing else.
@Suite("Ledger sweep", .serialized)
struct LedgerSweepTests {
    func item(id: String, daysAgo: Int) -> String {
        let day = UTCTimestamp.iso8601(Int64(Date().timeIntervalSince1970) - Int64(daysAgo) * 86_400).prefix(10)
        return #"{"id":"\#(id)","timestamp":"\#(day)T12:00:00Z","type":"deposit","payment_method":"visa","amount":"1.00"}"#
    }

    func ledgerSize(_ redis: RedisClient) throws -> Int {
        var n = 0
        for shard in 0..<LedgerEntry.shards { n += Int(try redis.run("HLEN", "{TransactionQueue}:ledger:\(shard)").check().int ?? 0) }
        return n
    }

    @Test("with a shorter window, commits sweep the ids of days before it and keep the recent ones")
    func sweepsOldIdsOnly() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        // 400 ids from 10 days ago and 400 from yesterday, recorded under the default window.
        let old = (0..<400).map { item(id: "old-\($0)", daysAgo: 10) }
        let recent = (0..<400).map { item(id: "new-\($0)", daysAgo: 1) }
        for r in try redis.pipeline([RedisCommand(["LPUSH", "TransactionQueue"] + old + recent)]) { try r.check() }
        let first = try aggregator(server, id: "s", drain: true)
        #expect(try first.wait(timeout: 30) == 0)
        #expect(try ledgerSize(redis) == 800)
        // With a 3-day window, every commit sweeps a step of one shard: enough commits visit all.
        for i in 0..<64 {
            _ = try redis.run("LPUSH", "TransactionQueue", item(id: "more-\(i)", daysAgo: 0)).check()
        }
        let second = try aggregator(server, id: "s", drain: true, extra: ["--batch-items", "1"], env: ["TXSTATS_LEDGER_DAYS": "3"])
        #expect(try second.wait(timeout: 60) == 0, "\(second.stderr.suffix(800))")
        for i in 0..<400 {
            let id = "old-\(i)"
            #expect(try redis.run("HEXISTS", "{TransactionQueue}:ledger:\(LedgerEntry.shard(of: id))", id).int == 0, "\(id) swept")
        }
        #expect(try ledgerSize(redis) == 400 + 64, "the recent ids and the new ones stay")
        #expect(try redis.run("HGET", "{TransactionQueue}:ledger:stats", "swept").int == 400)
        // Forgetting ids changes no figure: 864 transactions, each counted once.
        let cells = try AggregateSnapshot.read(redis)
        #expect(cells.values.reduce(0) { $0 + $1.count } == 864)
    }
}
