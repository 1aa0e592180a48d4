import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults a harsh operator produces, each of which lost or mixed data before: real servers,
/// real processes, an expectation computed from the input alone.
@Suite("Faults: no fault loses a transaction", .serialized)
struct FaultTests {
    /// JSON items, one transaction each, with amounts 1..n cents on a fixed day.
    /// One LPUSH of all of them: a blocked worker wakes to the whole set, never to a part.
    func pushItems(_ redis: RedisClient, _ n: Int, method: String = "visa") throws -> Int64 {
        var command = RedisCommand(["LPUSH", "TransactionQueue"])
        var sum: Int64 = 0
        for i in 1...n {
            sum += Int64(i)
            let cents = String(format: "%d.%02d", i / 100, i % 100)
            command.append(#"{"timestamp":"2026-01-10T10:00:00Z","type":"deposit","payment_method":"\#(method)","amount":"\#(cents)"}"#)
        }
        try redis.send(command).check()
        return sum
    }

    func successCents(_ redis: RedisClient, day: String = "2026-01-10", method: String = "visa") throws -> Int64 {
        try redis.run("HGET", "agg:\(day):deposits:USD:{TransactionQueue}", method).check().int ?? 0
    }

    @Test("SIGTERM while aggregators wait to reconnect hands their in-flight items back; --drain then counts every one")
    func sigtermDuringReconnect() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let expected = try pushItems(redis, 60_000)
        // Small batches, so that each worker holds several in flight when the connections drop.
        let workers = try (1...2).map { try aggregator(server, id: "w\($0)", extra: ["--batch-items", "8"]) }
        // Wait until both hold items in flight, then cut every client connection and stop them at once.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let held = try (1...2).map { try redis.run("LLEN", "{TransactionQueue}:inflight:w\($0)").int ?? 0 }
            if held.allSatisfy({ $0 > 0 }) { break }
            usleep(2_000)
        }
        try redis.run("CLIENT", "KILL", "TYPE", "normal").check()
        for w in workers { w.signal(SIGTERM) }
        for w in workers { #expect(try w.wait(timeout: 30) == 0, "\(w.stderr.suffix(800))") }
        #expect(
            workers.contains { $0.stderr.contains("handed uncommitted in-flight items back to the queue") },
            "the scenario happened: a worker exited holding uncommitted items")
        // Nothing is left without an owner: every list is empty or its owner is still registered.
        let owners = try redis.run("SMEMBERS", "{TransactionQueue}:inflight-owners").check().array?.compactMap(\.text) ?? []
        for id in ["w1", "w2"] where !owners.contains(id) {
            #expect(try redis.run("LLEN", "{TransactionQueue}:inflight:\(id)").int == 0, "\(id) left an in-flight list with no owner")
        }
        let drain = try aggregator(server, id: "finisher", drain: true)
        #expect(try drain.wait(timeout: 60) == 0, "\(drain.stderr.suffix(800))")
        #expect(try successCents(redis) == expected, "every transaction counted exactly once")
        #expect(try redis.run("LLEN", "TransactionQueue").int == 0)
    }

    @Test("an in-flight list whose owner has no heartbeat at all is reclaimed, and --drain waits for it")
    func orphanedListIsReclaimed() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let expected = try pushItems(redis, 50)
        // What an older version (or a bug) could leave: items in a list, its worker forgotten.
        for _ in 0..<20 { try redis.run("RPOPLPUSH", "TransactionQueue", "{TransactionQueue}:inflight:ghost").check() }
        try redis.run("SADD", "{TransactionQueue}:inflight-owners", "ghost").check()
        let drain = try aggregator(server, id: "finisher", drain: true)
        #expect(try drain.wait(timeout: 60) == 0, "\(drain.stderr.suffix(800))")
        #expect(try successCents(redis) == expected)
        #expect(try redis.run("EXISTS", "{TransactionQueue}:inflight:ghost").int == 0)
        #expect(drain.stderr.contains("took over the in-flight items of a dead worker"))
    }

    @Test("a MongoDB SIGKILL right after a dump pass that retires days loses nothing: writes are journaled first")
    func mongoKilledAfterRetiringPass() throws {
        let fleet = try Fleet() // today 2026-01-20, cut-off 7 days
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 8_000, days: 20, seed: 77, start: "2026-01-01")
        try fleet.importAndAggregate(csv)
        let expected = try expectedStats([csv])
        try fleet.dumpOnce() // writes 40 documents and retires the 12 days before the cut-off
        let redis = fleet.redis.connection()
        #expect(try redis.run("SCARD", "{TransactionQueue}:archived").int == 12)
        _ = fleet.mongo.kill() // at once: no time for a lazy flush
        try fleet.restartMongo()
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        let r = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-01&to_date=2026-01-20")
        #expect(r.status == 200, "\(r.body.prefix(300))")
        #expect(try statsCents(r.body) == expected, "every retired day survived the crash in MongoDB")
    }

    @Test("timestamps whose business day falls outside 0001-9999 are dead-lettered; a bad day name never blocks the dumper")
    func yearRange() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let redis = fleet.redis.connection()
        let csv = try writeTemp(
            """
            timestamp,type,payment_method,amount
            0000-01-01T00:00:00+14:00,deposit,visa,1.00
            0001-01-01T00:00:00+01:00,deposit,visa,1.50
            0001-01-01T01:00:00+01:00,deposit,visa,2.00
            9999-12-31T21:59:59-02:00,deposit,visa,3.00
            9999-12-31T23:00:00-02:00,deposit,visa,3.50
            2026-01-10T10:00:00Z,deposit,visa,4.00
            """)
        let imp = try fleet.run("importer", ["--no-sleep", csv])
        #expect(try imp.wait() == 0, "\(imp.stderr.suffix(500))")
        // A TXB1 batch (the importer's own format) with an epoch past 9999-12-31.
        try redis.run("LPUSH", "TransactionQueue", "TXB1 2 test 1 0\n253402300800\td\tvisa\ts\t500\n").check()
        let agg = try fleet.run("aggregator", ["--drain", "--worker-id", "a"])
        #expect(try agg.wait() == 0, "\(agg.stderr.suffix(500))")
        // The first and last nameable days are kept; one second or one hour beyond them is not
        // (the zone is UTC: +01:00 at 00:00 is still the year 0000, -02:00 at 23:00 the year 10000).
        #expect(try redis.run("HGET", "agg:2026-01-10:deposits:USD:{TransactionQueue}", "visa").int == 400)
        #expect(try redis.run("HGET", "agg:0001-01-01:deposits:USD:{TransactionQueue}", "visa").int == 200)
        #expect(try redis.run("HGET", "agg:9999-12-31:deposits:USD:{TransactionQueue}", "visa").int == 300)
        let dead = (try redis.run("LRANGE", "{TransactionQueue}:dead", "0", "-1").check().array ?? []).compactMap(\.text)
        #expect(dead.count == 4, "\(dead)")
        #expect(dead.allSatisfy { $0.contains("\"reason\":\"bad_timestamp\"") }, "\(dead)")
        #expect(
            try redis.run("ZRANGE", "{TransactionQueue}:days", "0", "-1").check().array?.compactMap(\.text) == [
                "0001-01-01", "2026-01-10", "9999-12-31",
            ])
        // A day name no dumper can read (written by hand, or by an older version) is set aside.
        try redis.run("SADD", "{TransactionQueue}:dirty", "-0001-12-31:deposits").check()
        try fleet.dumpOnce()
        #expect(try redis.run("SCARD", "{TransactionQueue}:dumping").int == 0)
        #expect(try redis.run("SISMEMBER", "{TransactionQueue}:unarchivable", "-0001-12-31:deposits").int == 1)
        let second = try fleet.run("dumper", ["--once"])
        #expect(try second.wait() == 0)
        #expect(!second.stderr.contains("re-queued claims"), "nothing stays claimed across passes")
    }

    @Test("a worker whose settings differ from what the queue now holds cannot commit: CONFIG, nothing mixed")
    func settingsCheckedOnEveryCommit() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let a = try aggregator(server, id: "a")
        defer { a.signal(SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, try redis.run("HGET", "{TransactionQueue}:meta", "currency").text == nil { usleep(20_000) }
        // Redis lost the settings, and a worker with another default currency claimed the queue meanwhile.
        try redis.run("HSET", "{TransactionQueue}:meta", "currency", "JPY", "timezone", "UTC").check()
        _ = try pushItems(redis, 3)
        #expect(try a.wait(timeout: 20) == 1)
        #expect(a.stderr.contains("CONFIG"), "\(a.stderr.suffix(500))")
        #expect(try successCents(redis) == 0, "nothing was committed in the wrong currency")
        #expect(
            try redis.run("LLEN", "{TransactionQueue}:inflight:a").int == 3, "the items stay owned, for a worker with the right settings")
    }

    @Test("a Redis restart is logged as reconnected once the worker is back")
    func reconnectedIsLogged() throws {
        let server = try RedisServer(appendOnly: true)
        defer { server.stop() }
        let a = try aggregator(server, id: "a", env: ["TXSTATS_LOG_FORMAT": "json"])
        defer { a.signal(SIGKILL) }
        usleep(500_000)
        _ = server.stop()
        usleep(700_000)
        try server.restart()
        let expected = try pushItems(server.connection(), 10)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try successCents(server.connection()) != expected { usleep(50_000) }
        #expect(try successCents(server.connection()) == expected)
        let lines = logLines(a.stderr)
        #expect(lines.contains { $0["msg"] == "Redis reconnected" && $0["down_for"] != nil }, "\(a.stderr.suffix(800))")
    }

    @Test("a dumper restarted after kill -9 takes its own lease back at once")
    func dumperRestartKeepsItsLease() throws {
        let fleet = try Fleet()
        defer { fleet.stop() }
        let first = try fleet.run("dumper", ["--interval", "0.2", "--dumper-id", "host-a"])
        usleep(800_000)
        first.signal(SIGKILL)
        _ = try first.wait()
        let redis = fleet.redis.connection()
        #expect(try redis.run("GET", "{TransactionQueue}:dumper:lock").text == "host-a", "the dead dumper's lease is still there")
        let started = Date()
        let again = try fleet.run("dumper", ["--once", "--dumper-id", "host-a"])
        #expect(try again.wait(timeout: 20) == 0, "\(again.stderr.suffix(500))")
        #expect(Date().timeIntervalSince(started) < 10, "no wait for the 30 s lease to expire")
        #expect(!again.stderr.contains("another dumper holds the lease"))
    }

    @Test("an import whose progress marker went backwards stops with what happened and what to do; a re-run finishes exactly")
    func importMarkerBackwards() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        var rows = "timestamp,type,payment_method,amount,sleep_ms\n"
        for i in 1...40 { rows += "2026-01-10T10:00:00Z,deposit,visa,\(i).00,40\n" }
        let file = try writeTemp(rows)
        // Batches of 10 rows, 40 ms a row: the first batch commits after about 0.4 s.
        let imp = try Worker("importer", redisArgs(server) + ["--batch-rows", "10", "--chunk-rows", "5", file])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, try redis.run("HLEN", "{TransactionQueue}:imports").int == 0 { usleep(10_000) }
        // Redis loses its latest writes: the marker and the batch it covered.
        try redis.run("DEL", "{TransactionQueue}:imports", "TransactionQueue").check()
        #expect(try imp.wait(timeout: 30) == 1)
        #expect(imp.stderr.contains("moved backwards") && imp.stderr.contains("Run the same command again"), "\(imp.stderr.suffix(800))")
        let again = try importer(server, file)
        #expect(try again.wait() == 0, "\(again.stderr.suffix(500))")
        let drain = try aggregator(server, id: "d", drain: true)
        #expect(try drain.wait() == 0)
        #expect(try successCents(redis) == (1...40).reduce(0) { $0 + Int64($1) * 100 }, "every row counted once")
    }
}
