import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

/// A Redis written by the version before currencies (key layout 1) is carried over at start-up:
/// its aggregates, dirty members and outbox entries get the default currency's name, once.
@Suite("Redis key layout 1 → 2", .serialized)
struct LayoutMigrationTests {
    /// Layout 1 as that version wrote it: no currency in any name, `amount_scale` in meta.
    func writeLayout1(_ redis: RedisClient, scale: Int) throws {
        let t = "{TransactionQueue}"
        _ = try redis.pipeline([
            RedisCommand(["HSET", "\(t):meta", "amount_scale", String(scale), "timezone", "UTC"]),
            RedisCommand(["ZADD", "\(t):days", "20468", "2026-01-15"]),
            RedisCommand(["SADD", "\(t):archived", "2026-01-02"]),
            RedisCommand(["HSET", "agg:2026-01-15:deposits:\(t)", "visa", "1250"]),
            RedisCommand(["HSET", "agg:2026-01-15:deposits:\(t):status", "visa|success|n", "2", "visa|success|a", "1250"]),
            RedisCommand(["HSET", "agg:2026-01-15:deposits:\(t):hourly", "visa|success|10|n", "2", "visa|success|10|a", "1250"]),
            RedisCommand(["HSET", "agg:2026-01-02:withdrawals:\(t):hourly", "wire|failed|03|n", "1", "wire|failed|03|a", "-5"]),
            RedisCommand(["SADD", "\(t):dirty", "2026-01-15:deposits"]),
            RedisCommand(["SADD", "\(t):dumping", "2026-01-02:withdrawals"]),
            RedisCommand(["HSET", "\(t):outbox:4:2026-01-02:deposits", "visa|success|00|n", "1", "visa|success|00|a", "7"]),
            RedisCommand(["RPUSH", "\(t):outbox", "\(t):outbox:4:2026-01-02:deposits"]),
        ])
    }

    @Test("an aggregator renames a layout-1 queue's keys to its default currency once; a second start changes nothing")
    func migrates() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try writeLayout1(redis, scale: 2)
        let first = try aggregator(server, id: "m", drain: true)
        #expect(try first.wait(timeout: 30) == 0, "\(first.stderr.suffix(800))")
        #expect(first.stderr.contains("migrated this queue's aggregates"), "\(first.stderr.suffix(800))")
        let t = "{TransactionQueue}"
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:USD:\(t)", "visa").int == 1250)
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:USD:\(t):status", "visa|success|a").int == 1250)
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:USD:\(t):hourly", "visa|success|10|n").int == 2)
        #expect(
            try redis.run("HGET", "agg:2026-01-02:withdrawals:USD:\(t):hourly", "wire|failed|03|a").int == -5, "archived days' deltas too")
        #expect(try redis.run("EXISTS", "agg:2026-01-15:deposits:\(t)", "agg:2026-01-15:deposits:\(t):status").int == 0)
        #expect(try redis.run("SMEMBERS", "\(t):dirty").check().array?.compactMap(\.text) == ["2026-01-15:deposits:USD"])
        #expect(try redis.run("SMEMBERS", "\(t):dumping").check().array?.compactMap(\.text) == ["2026-01-02:withdrawals:USD"])
        let outbox = try redis.run("LRANGE", "\(t):outbox", "0", "-1").check().array?.compactMap(\.text)
        #expect(outbox == ["\(t):outbox:4:2026-01-02:deposits:USD"])
        #expect(try redis.run("HGET", "\(t):outbox:4:2026-01-02:deposits:USD", "visa|success|00|a").int == 7)
        #expect(try redis.run("SMEMBERS", "\(t):currencies").check().array?.compactMap(\.text) == ["USD"])
        #expect(try redis.run("HGET", "\(t):meta", "layout").text == "2")
        #expect(try redis.run("HGET", "\(t):meta", "currency").text == "USD")
        #expect(try redis.run("HEXISTS", "\(t):meta", "amount_scale").int == 0)

        // New data lands beside the migrated data, in the same keys.
        _ = try redis.run(
            "LPUSH", "TransactionQueue", #"{"timestamp":"2026-01-15T10:30:00Z","type":"deposit","payment_method":"visa","amount":"1.00"}"#)
        let second = try aggregator(server, id: "m", drain: true)
        #expect(try second.wait(timeout: 30) == 0)
        #expect(!second.stderr.contains("migrated this queue's aggregates"))
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:USD:\(t)", "visa").int == 1350)
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:USD:\(t):hourly", "visa|success|10|n").int == 3)
    }

    @Test("a layout-1 queue kept with 3 decimals is refused for USD, nothing renamed; with KWD it migrates")
    func scaleMustMatchTheCurrency() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try writeLayout1(redis, scale: 3)
        let usd = try aggregator(server, id: "m", drain: true)
        #expect(try usd.wait(timeout: 30) == 1)
        #expect(usd.stderr.contains("TXSTATS_CURRENCY"), "\(usd.stderr.suffix(800))")
        #expect(try redis.run("EXISTS", "agg:2026-01-15:deposits:{TransactionQueue}").int == 1, "nothing renamed")
        #expect(try redis.run("HGET", "{TransactionQueue}:meta", "layout").text == nil)
        let kwd = try aggregator(server, id: "m", drain: true, env: ["TXSTATS_CURRENCY": "KWD"])
        #expect(try kwd.wait(timeout: 30) == 0, "\(kwd.stderr.suffix(800))")
        #expect(try redis.run("HGET", "agg:2026-01-15:deposits:KWD:{TransactionQueue}", "visa").int == 1250)
    }
}
