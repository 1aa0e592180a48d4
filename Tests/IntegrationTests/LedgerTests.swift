import Foundation
import Redis
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The transaction ledger (issue 10) against real servers: a seeded stream of payments whose
/// events are created, settled, corrected, resent and shuffled, in four currencies, compared
/// with an independent model of "latest state per id" (Support/LedgerModel.swift).
///
/// The business time zone is UTC throughout (the workers' default), and the streams' days lie
/// a few days before the real clock's today, inside the default ledger window of 35 days.
@Suite("Ledger: each transaction counted once, in its latest state, per currency", .serialized)
struct LedgerTests {
    static let queue = "TransactionQueue"
    static let tag = "{TransactionQueue}"

    static var today: Int64 { LedgerModel.day(Int64(Date().timeIntervalSince1970)) }

    // MARK: helpers

    /// LPUSHes the events' JSON items, oldest first, so that the queue's tail (where aggregators
    /// take) holds the first event.
    func push(_ redis: RedisClient, _ events: [PaymentEvent]) throws {
        var commands: [RedisCommand] = []
        var i = 0
        while i < events.count {
            let chunk = events[i..<min(i + 500, events.count)]
            commands.append(RedisCommand(["LPUSH", Self.queue] + chunk.map(LedgerStream.json)))
            i += 500
        }
        for r in try redis.pipeline(commands) { try r.check() }
    }

    /// Every aggregate hash in Redis, found with KEYS (not through the product's own indexes),
    /// split into status, hourly and totals per (day, type, currency).
    struct Aggregates {
        var status: [DTC: [String: Int64]] = [:]
        var hourly: [DTC: [String: Int64]] = [:]
        var totals: [DTC: [String: Int64]] = [:]
        var unknownKeys: [String] = []
    }

    func readAggregates(_ redis: RedisClient) throws -> Aggregates {
        var out = Aggregates()
        let keys = try redis.run("KEYS", "agg:*").check().array?.compactMap(\.text) ?? []
        for key in keys {
            // agg:YYYY-MM-DD:deposits:USD:{TransactionQueue}[:status|:hourly]
            let p = key.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard p.count >= 5, p[4] == Self.tag, p.count <= 6 else {
                out.unknownKeys.append(key)
                continue
            }
            let dtc = DTC(day: p[1], type: p[2], currency: p[3])
            var fields: [String: Int64] = [:]
            for (f, v) in try redis.run("HGETALL", key).check().pairs {
                guard let n = Int64(v) else { throw TestFailure("\(key) \(f) = \(v) is not an integer") }
                if n != 0 { fields[f] = n }
            }
            if fields.isEmpty { continue }
            switch p.count == 5 ? "" : p[5] {
            case "": out.totals[dtc] = fields
            case "status": out.status[dtc] = fields
            case "hourly": out.hourly[dtc] = fields
            default: out.unknownKeys.append(key)
            }
        }
        return out
    }

    func ledgerCounters(_ redis: RedisClient) throws -> LedgerCounters {
        var c = LedgerCounters()
        for (f, v) in try redis.run("HGETALL", "\(Self.tag):ledger:stats").check().pairs {
            let n = Int(v) ?? -1
            switch f {
            case "new": c.new = n
            case "duplicate": c.duplicate = n
            case "stale": c.stale = n
            case "moved": c.moved = n
            case "expired": c.expired = n
            case "conflict": c.conflict = n
            case "swept": break // entries before the window, deleted later: not part of an event's outcome
            default: Issue.record("unexpected ledger counter \(f)=\(v)")
            }
        }
        return c
    }

    /// Dead letters by reason.
    func deadLetters(_ redis: RedisClient) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for entry in try redis.run("LRANGE", "\(Self.tag):dead", "0", "-1").check().array?.compactMap(\.text) ?? [] {
            let json = (try? JSONSerialization.jsonObject(with: Data(entry.utf8))) as? [String: Any]
            out[json?["reason"] as? String ?? "unreadable: \(entry.prefix(200))", default: 0] += 1
        }
        return out
    }

    /// Every status block, hourly cell and totals field in Redis equals the model's.
    func expectAggregates(_ redis: RedisClient, _ model: LedgerModel, _ what: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let a = try readAggregates(redis)
        #expect(
            a.unknownKeys.isEmpty, "\(what): aggregate keys outside the layout: \(a.unknownKeys.prefix(5))", sourceLocation: sourceLocation)
        let s = LedgerModel.diff(a.status, model.expectedStatus)
        #expect(s == nil, "\(what): status blocks: \(s ?? "")", sourceLocation: sourceLocation)
        let h = LedgerModel.diff(a.hourly, model.expectedHourly)
        #expect(h == nil, "\(what): hourly cells: \(h ?? "")", sourceLocation: sourceLocation)
        let t = LedgerModel.diff(a.totals, model.expectedTotals)
        #expect(t == nil, "\(what): totals: \(t ?? "")", sourceLocation: sourceLocation)
        // The indexes readers rely on name every day and currency that has data.
        let days = Set(try redis.run("ZRANGE", "\(Self.tag):days", "0", "-1").check().array?.compactMap(\.text) ?? [])
        let currencies = Set(try redis.run("SMEMBERS", "\(Self.tag):currencies").check().array?.compactMap(\.text) ?? [])
        let modelDays = Set(model.expectedHourly.keys.map(\.day))
        let modelCurrencies = Set(model.expectedHourly.keys.map(\.currency))
        #expect(
            modelDays.isSubset(of: days), "\(what): days index \(days.sorted()) lacks some of \(modelDays.sorted())",
            sourceLocation: sourceLocation)
        #expect(
            modelCurrencies.isSubset(of: currencies), "\(what): currencies \(currencies.sorted()) lack some of \(modelCurrencies.sorted())",
            sourceLocation: sourceLocation)
    }

    func drain(_ server: RedisServer, id: String = "drain", env: [String: String] = [:]) throws -> Worker {
        let d = try aggregator(server, id: id, drain: true, env: env)
        #expect(try d.wait(timeout: 60) == 0, "\(d.name): \(d.stderr.suffix(1500))")
        return d
    }

    func recentStream(_ options: (inout LedgerStream.Options) -> Void = { _ in }) -> LedgerStream {
        var o = LedgerStream.Options(firstDay: Self.today - 7)
        options(&o)
        return LedgerStream(o)
    }

    /// A stream's events interleaved with `count` items without id (over the same days), and the
    /// model fed with them in that order. `seeds`: the plain items', the interleaving's.
    func mixed(_ stream: LedgerStream, plain count: Int, seeds: (UInt64, UInt64)) -> (
        events: [PaymentEvent], plain: [PaymentEvent], model: LedgerModel
    ) {
        let plain = LedgerStream.withoutId(count: count, firstDay: Self.today - 7, days: 5, seed: seeds.0)
        let events = LedgerStream.interleave(stream.events, plain, seed: seeds.1)
        var model = LedgerModel()
        model.feed(events)
        return (events, plain, model)
    }

    /// Every event with `updated_at`, conflicts kept apart: each id's final state is its latest
    /// event whatever order the events reach the ledger in (several aggregators, restarts).
    func orderIndependentStream(seed: UInt64, payments: Int = 3_000) -> LedgerStream {
        recentStream {
            $0.seed = seed
            $0.payments = payments
            $0.allUpdated = 1
            $0.noneUpdated = 0
            $0.inlineConflicts = false
        }
    }

    // MARK: a

    @Test("a JSON stream through two aggregators, one SIGKILLed and restarted, then --drain: exact per currency, counters, conflicts")
    func twoAggregatorsWithSigkill() throws {
        // With two aggregators (and a SIGKILL whose in-flight items come back later), the order
        // in which events reach the ledger is not the queue order. So every event here carries
        // updated_at (allUpdated = 1): then each id's final state is its event with the greatest
        // updated_at whatever the order, and every cell is exact. The counters `new` (one per
        // id), `expired` and `conflict` are order-independent too; how the other events split
        // into duplicate / stale / moved depends on the order (a pending before its success is
        // moved, after it stale), so only their sum is exact. The conflicting events are pushed
        // after the stream has drained and taken by one aggregator: each then meets its id's
        // final state, so their count is exact as well.
        let stream = orderIndependentStream(seed: 21)
        var model = LedgerModel()
        model.feed(stream.events)
        let main = model.counters
        #expect(stream.events.count > 6_500 && main.stale > 50 && main.moved > 1_500 && stream.exactResends > 800, "\(main)")

        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, stream.events)
        var workers = try ["k1", "k2"].map { try aggregator(server, id: $0, extra: ["--batch-items", "3"]) }
        // Kill k1 once a fifth of the stream is decided, while it holds items in flight: it is
        // stopped (SIGSTOP) first, so that its in-flight list cannot empty between the look
        // and the kill; if it holds nothing then it is let go and tried again.
        let deadline = Date().addingTimeInterval(20)
        var leftInFlight: Int64 = 0
        while Date() < deadline {
            let decided = try ledgerCounters(redis)
            if decided.new + decided.decidedByOrder > stream.events.count / 5 {
                workers[0].signal(SIGSTOP)
                usleep(20_000) // a command k1 sent just before runs to its end in Redis
                leftInFlight = try redis.run("LLEN", "\(Self.tag):inflight:k1").int ?? 0
                if leftInFlight > 0 { break }
                workers[0].signal(SIGCONT)
            }
            usleep(1_000)
        }
        workers[0].signal(SIGKILL)
        _ = try workers[0].wait(timeout: 10)
        #expect(workers[0].killedBySignal)
        #expect(try redis.run("LLEN", "\(Self.tag):inflight:k1").int == leftInFlight, "nothing moved while k1 was stopped")
        let queuedAtKill = try redis.run("LLEN", Self.queue).int ?? 0
        #expect(queuedAtKill > 0, "killed before the end of the stream, as intended")
        workers[0] = try aggregator(server, id: "k1", extra: ["--batch-items", "3"])
        try AggregateSnapshot.waitUntilDrained(redis, timeout: 60)
        for w in workers { w.signal(SIGTERM) }
        for w in workers { #expect(try w.wait(timeout: 30) == 0, "\(w.name): \(w.stderr.suffix(1500))") }
        let finisher = try drain(server)
        // The kill really left a batch in flight, which someone finished: the restarted k1 (it
        // waits for the dead one's heartbeat to expire first) or, when k2 saw that heartbeat
        // expire before, k2 took the list over. Either is correct; which one wins is a race.
        #expect(leftInFlight > 0, "the SIGKILL interrupted no batch; the test proved nothing")
        let logs = (workers + [finisher]).map(\.stderr).joined()
        #expect(
            leftInFlight == 0 || logs.contains("finishing in-flight items left from before")
                || logs.contains("took over the in-flight items of a dead worker"),
            "\(workers[0].stderr.suffix(800))")

        let counters = try ledgerCounters(redis)
        #expect(counters.new == main.new, "one new per id: \(counters) vs model \(main)")
        #expect(counters.expired == 0 && counters.conflict == 0, "\(counters)")
        #expect(counters.decidedByOrder == main.decidedByOrder, "every other event duplicate, stale or moved: \(counters) vs \(main)")
        #expect(counters.moved > 0 && counters.stale > 0 && counters.duplicate > 0, "\(counters)")
        try expectAggregates(redis, model, "after the stream")
        #expect(try deadLetters(redis).isEmpty)

        // Conflicts, with one aggregator: a known id with another method, or its latest
        // updated_at with another status.
        model.feed(stream.conflicts)
        try push(redis, stream.conflicts)
        _ = try drain(server, id: "conflicts")
        let after = try ledgerCounters(redis) - counters
        #expect(after == model.counters - main, "conflict phase: \(after) vs model \(model.counters - main)")
        #expect(model.counters.conflict - main.conflict == stream.conflicts.count)
        #expect(try deadLetters(redis) == ["conflicting_update": stream.conflicts.count])
        // Each dead letter keeps the item it refused.
        let raws = try redis.run("LRANGE", "\(Self.tag):dead", "0", "-1").check().array?.compactMap(\.text).compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["raw"] as? String
        }
        #expect(Set(raws ?? []) == Set(stream.conflicts.map(LedgerStream.json)), "\(raws?.prefix(3) ?? [])")
        try expectAggregates(redis, model, "after the conflicts (nothing changes)")
    }

    // MARK: b

    @Test("the same kind of stream as a CSV through the importer: exact per currency, every counter, duplicates in the summary")
    func csvThroughImporter() throws {
        // One aggregator after the import: events reach the ledger in file order, so the model
        // is exact for everything, the payments without updated_at (arrival order) included.
        let stream = recentStream { $0.seed = 22 }
        var model = LedgerModel()
        model.feed(stream.events)
        #expect(model.counters.conflict >= stream.conflicts.count && model.counters.stale > 100, "\(model.counters)")
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let file = try writeTemp(LedgerStream.csv(stream.events))
        let imp = try importer(server, file, extra: ["--chunk-rows", "200", "--batch-rows", "2000"])
        #expect(try imp.wait() == 0, "\(imp.stderr.suffix(1500))")
        #expect(imp.stdout.contains("rows queued:   \(stream.events.count)"), "\(imp.stdout)")
        let line = imp.stdout.split(separator: "\n").first { $0.contains("duplicates:") }
        let reported = line.flatMap { Int($0.split(separator: ":")[1].split(separator: " ")[0]) }
        // Every exact resend, not only those that repeat their id's latest row: a pending
        // event resent after its settlement is as much a resend (and the ledger counts it once).
        #expect(
            reported == stream.exactResends,
            """
            the summary counts every exact resend (\(stream.exactResends), of which \(stream.resendsOfLatest) repeat their id's \
            latest row); it printed: \(line.map(String.init) ?? "no duplicates line")
            """)
        _ = try drain(server)
        let counted = try ledgerCounters(redis)
        #expect(counted == model.counters)
        #expect(try deadLetters(redis) == ["conflicting_update": model.counters.conflict])
        try expectAggregates(redis, model, "CSV import")
    }

    @Test("SIGKILL while an aggregator holds thousands of items in flight (default batch bounds), restarted each time: exact")
    func sigkillLargeBatches() throws {
        // Default bounds: a batch is up to 8,192 JSON items, so each kill lands with thousands of
        // items in flight, often while their commit runs in Redis (the reply is lost).
        // Every event carries updated_at, so the final state does not depend on the order in
        // which the restarts finish the items (see twoAggregatorsWithSigkill).
        let (events, _, model) = mixed(orderIndependentStream(seed: 31, payments: 20_000), plain: 15_000, seeds: (8, 10))
        #expect(events.count > 55_000, "\(events.count)")

        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, events)
        var worker = try aggregator(server, id: "big")
        var largest: Int64 = 0
        var kills = 0
        var logs = ""
        let deadline = Date().addingTimeInterval(60)
        while kills < 4 && Date() < deadline {
            let queued = try redis.run("LLEN", Self.queue).int ?? 0
            if queued == 0 { break }
            // Look at the in-flight list with the worker stopped, so that it cannot change between
            // the look and the kill; kill only with a large batch in flight.
            worker.signal(SIGSTOP)
            usleep(5_000)
            let held = try redis.run("LLEN", "\(Self.tag):inflight:big").int ?? 0
            if held < 2_000 {
                worker.signal(SIGCONT)
                usleep(2_000)
                continue
            }
            worker.signal(SIGKILL)
            _ = try worker.wait(timeout: 10)
            #expect(worker.killedBySignal)
            logs += worker.stderr
            largest = max(largest, held)
            kills += 1
            worker = try aggregator(server, id: "big")
            // Let the restart (it waits out the dead one's heartbeat) take up what it held.
            while Date() < deadline, !worker.stderr.contains("finishing in-flight items left from before") { usleep(10_000) }
            usleep(100_000)
        }
        #expect(kills >= 2, "only \(kills) kills found a large batch in flight; the test proved little")
        #expect(largest >= 2_000, "\(largest)")
        try AggregateSnapshot.waitUntilDrained(redis, timeout: 60)
        worker.signal(SIGTERM)
        #expect(try worker.wait(timeout: 30) == 0, "\(worker.stderr.suffix(1500))")
        logs += worker.stderr
        #expect(logs.contains("finishing in-flight items left from before"), "no restart finished a killed batch")

        let counters = try ledgerCounters(redis)
        let main = model.counters
        #expect(counters.new == main.new, "one new per id: \(counters) vs model \(main)")
        #expect(counters.decidedByOrder == main.decidedByOrder, "\(counters) vs \(main)")
        #expect(counters.expired == 0 && counters.conflict == 0, "\(counters)")
        try expectAggregates(redis, model, "after the kills")
        #expect(try deadLetters(redis).isEmpty)
    }

    @Test("the reference producer (examples/producer.py) in both formats counts exactly like the JSON items it was given")
    func referenceProducer() throws {
        let stream = recentStream {
            $0.seed = 33
            $0.payments = 1_500
        }
        let (events, _, model) = mixed(stream, plain: 800, seeds: (12, 13))
        let dir = try TemporaryDirectory.create(prefix: "producer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two lines the encoder cannot vouch for; it must pass them on as JSON to be judged.
        let bad = [#"{"timestamp":"2026-01-01T00:00:00Z","type":"deposit","payment_method":"a|b","amount":"1.00"}"#, #"{"oops":1}"#]
        let input = "\(dir)/in.jsonl"
        try (events.map(LedgerStream.json) + bad).joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/producer.py").path
        let python = try Executables.locate("python3", hint: "install python3")
        for format in ["txb2", "json"] {
            let server = try RedisServer()
            defer { server.stop() }
            let redis = server.connection()
            let producer = try ChildProcess(
                "/bin/sh",
                arguments: [
                    "-c", "exec \"$0\" \"$1\" --redis \"$2\" --format \"$3\" --rows 300 < \"$4\"", python, script, server.urlString, format,
                    input,
                ],
                name: "producer \(format)", stdout: .capture, stderr: .capture)
            _ = try producer.wait(timeout: .seconds(60))
            #expect(producer.exit?.code == 0, "\(producer.standardError.suffix(1500))")
            let queued = try redis.run("LLEN", Self.queue).int ?? 0
            if format == "txb2" {
                #expect(queued < Int64(events.count) / 100, "TXB2 batches hold many rows each: \(queued) items")
                #expect(producer.standardError.contains("(2 lines as JSON"), "\(producer.standardError)")
            } else {
                #expect(queued == Int64(events.count + bad.count))
            }
            _ = try drain(server, id: "p-\(format)")
            #expect(try ledgerCounters(redis) == model.counters, "\(format)")
            try expectAggregates(redis, model, "producer --format \(format)")
            let dead = try deadLetters(redis)
            #expect(dead["bad_payment_method"] == 1 && dead.values.reduce(0, +) == model.counters.conflict + 2, "\(format): \(dead)")
        }
    }

    @Test("a commit whose ledger entries changed after they were read changes nothing; decided again from the new entry, it applies")
    func ledgerChangedSinceRead() throws {
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        let layout = KeyLayout(queue: Self.queue)
        let inflight = layout.inflight(worker: "w")
        let day = LedgerModel.dayName((Self.today - 2) * 86_400)
        let item =
            #"{"timestamp":"\#(day)T10:00:00Z","type":"deposit","payment_method":"visa","amount":"12.50","status":"success","id":"r1"}"#
        try redis.run("LPUSH", inflight, item).check()

        struct Sink: QueueItemSink {
            var batch = BatchAccumulator()
            var calendar = BusinessCalendar.utc
            mutating func row(_ row: TransactionParser.Row, span: Range<Int>) { batch.add(row, calendar: &calendar, item: 0, span: span) }
            mutating func reject(_ reason: RejectReason, raw: String) { Issue.record("rejected: \(reason)") }
        }
        func commit(states: [String: String]) throws -> RedisReply {
            var parser = TransactionParser(calendar: .utc, currency: Currency(code: "USD")!)
            var sink = Sink()
            Array(item.utf8).withUnsafeBytes { QueueItemDecoder.decode($0, parser: &parser, into: &sink) }
            let plan = sink.batch.decide(states: states, cutoff: .min, methods: parser.methods.names, worker: "w") { _, _ in item }
            let prepared = sink.batch.commitArguments(keys: layout, worker: "w", methods: parser.methods.names, plan: plan)
            let command = try redis.commitCommand(
                prepared, worker: "w", inflightLength: 1, items: 1, meta: QueueMeta(timeZone: "UTC", currency: Currency(code: "USD")!))
            return try redis.send(command).check()
        }
        // Read: no entry for r1. Meanwhile another worker records it as pending.
        let shard = layout.ledger(shard: LedgerEntry.shard(of: "r1"))
        let other = LedgerEntry(
            epochSeconds: Int64(CivilDay.parse(day)!.daysSinceEpoch) * 86_400 + 36_000, type: .deposit, currency: Currency(code: "USD")!,
            method: "visa",
            status: .pending, amountMinor: 1250, updatedMicros: nil
        ).value
        try redis.run("HSET", shard, "r1", other).check()
        #expect(try commit(states: [:]) == .array([.integer(2)]), "refused: decided from an entry that is gone")
        #expect(try redis.run("LLEN", inflight).int == 1, "the item is still in flight")
        #expect(try redis.run("KEYS", "agg:*").check().array?.isEmpty == true, "no aggregate written")
        #expect(try redis.run("HGET", shard, "r1").text == other, "the other worker's entry stands")
        #expect(try redis.run("EXISTS", "\(Self.tag):ledger:stats").int == 0)
        // Decided again from the entry now there: the pending payment settles (moved).
        let reply = try commit(states: ["r1": other])
        #expect(LedgerOutcome(reply: reply)?.moved == 1, "\(reply)")
        #expect(try redis.run("LLEN", inflight).int == 0)
        let status = try redis.run("HGETALL", layout.status(CivilDay.parse(day)!, .deposit, Currency(code: "USD")!)).check().pairs
        let fields = Dictionary(uniqueKeysWithValues: status.map { ($0.0, $0.1) })
        // The other worker's pending +1 was never written to the aggregates here, so the move
        // shows as success +1 and pending -1: exactly the change this event makes.
        #expect(fields["visa|success|n"] == "1" && fields["visa|success|a"] == "1250" && fields["visa|pending|n"] == "-1", "\(fields)")
    }

    // MARK: c

    @Test("items without id still count once each, mixed into a stream with ids")
    func itemsWithoutId() throws {
        let stream = recentStream {
            $0.seed = 23
            $0.payments = 2_000
        }
        let (events, plain, model) = mixed(stream, plain: 1_500, seeds: (5, 9))
        #expect(model.outcomes.filter { $0 == "none" }.count == plain.count && plain.count > 1_700)
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, events)
        _ = try drain(server)
        let counted = try ledgerCounters(redis)
        #expect(counted == model.counters, "items without id never reach the ledger")
        #expect(try deadLetters(redis) == ["conflicting_update": model.counters.conflict])
        try expectAggregates(redis, model, "ids and no ids")
        // The model counts each item without id once (repeated items included): the count of
        // every cell it expects, summed, is one per id plus one per plain item.
        let n = model.expectedStatus.values.reduce(0) { $0 + $1.filter { $0.key.hasSuffix("|n") }.values.reduce(0, +) }
        #expect(n == Int64(plain.count + model.counters.new), "\(n)")
    }

    // MARK: d

    @Test("a resend wave (the whole stream pushed again) changes no aggregate")
    func resendWave() throws {
        let stream = recentStream {
            $0.seed = 24
            $0.payments = 2_500
        }
        var model = LedgerModel()
        model.feed(stream.events)
        let first = model
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, stream.events)
        _ = try drain(server)
        try expectAggregates(redis, model, "first wave")
        let before = try ledgerCounters(redis)
        #expect(before == first.counters)

        model.feed(stream.events)
        try push(redis, stream.events)
        _ = try drain(server, id: "drain2")
        let wave = try ledgerCounters(redis) - before
        let expected = model.counters - first.counters
        #expect(wave == expected, "second wave: \(wave) vs model \(expected)")
        #expect(wave.new == 0 && wave.expired == 0, "no id is new again")
        // Every event of the wave is duplicate or stale, except the conflicting ones (which
        // meet the same state again) and, for payments without updated_at, a re-sent earlier
        // settlement that arrival order lets replace a correction (moved), and the correction
        // after it moving back: the end state is the same.
        #expect(wave.conflict == first.counters.conflict)
        #expect(model.expectedStatus == first.expectedStatus && model.expectedHourly == first.expectedHourly, "the model agrees")
        try expectAggregates(redis, first, "after the resend wave (unchanged)")
        #expect(try deadLetters(redis) == ["conflicting_update": 2 * first.counters.conflict])
    }

    // MARK: e

    @Test("TXSTATS_LEDGER_DAYS=1: an event whose day is more than a day old counts as new (expired) and nothing of it is recorded")
    func ledgerWindow() throws {
        let today = Self.today
        func event(_ id: String, day: Int64, _ status: String, _ minor: Int64) -> PaymentEvent {
            PaymentEvent(
                id: id, epochSeconds: day * 86_400 + 600, deposit: true, method: "visa", currency: "EUR", exponent: 2, status: status,
                amountMinor: minor, updatedMillis: nil)
        }
        // Day today-4 ends at today-3 00:00; one ledger day later (today-2 00:00) is past.
        let old = today - 4
        let events = [
            event("old-1", day: old, "success", 1_000), event("old-1", day: old, "success", 1_000),
            event("old-1", day: old, "failed", 1_000), event("old-2", day: old, "pending", 250),
            // Yesterday's is still inside the window: the ledger decides as usual.
            event("new-1", day: today - 1, "pending", 700), event("new-1", day: today - 1, "pending", 700),
            event("new-1", day: today - 1, "success", 700),
        ]
        var model = LedgerModel(ledgerDays: 1)
        model.feed(events)
        #expect(model.counters == LedgerCounters(new: 1, duplicate: 1, stale: 0, moved: 1, expired: 4, conflict: 0))
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, events)
        _ = try drain(server, env: ["TXSTATS_LEDGER_DAYS": "1"])
        let counted = try ledgerCounters(redis)
        #expect(counted == model.counters)
        try expectAggregates(redis, model, "ledger window")
        for id in Set(events.filter { LedgerModel.day($0.epochSeconds) == old }.compactMap(\.id)) {
            #expect(
                try redis.run("HEXISTS", "\(Self.tag):ledger:\(LedgerEntry.shard(of: id))", id).int == 0,
                "an expired day's events leave no ledger entry behind (\(id))")
        }
        // Same stream with the default window: the old ids are remembered.
        let server2 = try RedisServer()
        defer { server2.stop() }
        var model35 = LedgerModel()
        model35.feed(events)
        try push(server2.connection(), events)
        _ = try drain(server2)
        #expect(try ledgerCounters(server2.connection()) == model35.counters)
        #expect(model35.counters.expired == 0 && model35.counters.new == 3)
        try expectAggregates(server2.connection(), model35, "default window")
    }

    // MARK: f (needs the per-currency dumper)

    /// The expected `/api/v1/stats/daily` blocks of one day and currency, from the model.
    static func expectedBlocks(_ model: LedgerModel, day: String, currency: String) -> Blocks {
        var out: Blocks = [:]
        for name in ["transactions", "withdrawals"] {
            out[name] = ["success": Tally(), "failed": Tally(), "pending": Tally(), "total": Tally()]
        }
        for (k, fields) in model.expectedStatus where k.day == day && k.currency == currency {
            let name = k.type == "deposits" ? "transactions" : "withdrawals"
            for (f, v) in fields {
                let p = f.split(separator: "|").map(String.init)
                for s in [p[1], "total"] {
                    if p[2] == "n" { out[name]![s]!.count += Int(v) } else { out[name]![s]!.amount += v }
                }
            }
        }
        return out
    }

    // NEEDS THE PER-CURRENCY DUMPER (built on another branch): on this branch the dumper and the
    // readers still handle USD only (`Currency.usdTemp`, `Currency.defaultForReads`), so the EUR
    // half of this test is expected to fail here; `currency=EUR` is the query parameter the
    // per-currency api is expected to take — adjust it to the real one when that branch lands.
    @Test("status changes after the dumper retired the first days reach MongoDB as deltas: the api is exact per currency")
    func statusChangesAfterRetirement() throws {
        let today = Self.today
        let fleet = try Fleet(today: LedgerModel.dayName(today * 86_400), cutoffDays: 7)
        defer { fleet.stop() }
        // Payments on three days before the cut-off, first seen pending only.
        var options = LedgerStream.Options(payments: 400, seed: 26, firstDay: today - 12, days: 3)
        options.methodConflicts = 0
        options.equalUpdatedConflicts = 0
        options.resendShare = 0
        let stream = LedgerStream(options)
        let usdEur = stream.events.filter { $0.currency == "USD" || $0.currency == "EUR" }
        let pending = usdEur.filter { $0.status == "pending" }
        let settled = usdEur.filter { $0.status != "pending" }
        var model = LedgerModel()
        model.feed(pending)
        let redis = fleet.redis.connection()
        try push(redis, pending)
        _ = try drain(fleet.redis)
        try fleet.dumpOnce()
        let days = (10...12).map { LedgerModel.dayName((today - Int64($0)) * 86_400) }
        #expect(try redis.run("SCARD", "\(Self.tag):archived").int == 3, "the three days were retired")
        // The settlements (and corrections) arrive afterwards: the ledger still knows every id.
        model.feed(settled)
        #expect(model.counters.moved > 100 && model.counters.new == pending.count, "\(model.counters)")
        try push(redis, settled)
        _ = try drain(fleet.redis, id: "late")
        let counted = try ledgerCounters(redis)
        #expect(counted == model.counters)
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        func check(_ what: String) throws {
            for day in days {
                for currency in ["USD", "EUR"] {
                    let r = try LoopbackHTTP.get(port: port, "/api/v1/stats/daily?date=\(day)&currency=\(currency)")
                    #expect(r.status == 200, "\(r.body.prefix(300))")
                    let got = try ViewTests.blocks(r.json)
                    let want = Self.expectedBlocks(model, day: day, currency: currency)
                    #expect(got == want, "\(what): \(day) \(currency): got \(got), expected \(want)")
                }
            }
        }
        try check("late deltas still in Redis")
        try fleet.dumpOnce()
        #expect(try redis.run("LLEN", "\(Self.tag):outbox").int == 0, "every delta reached MongoDB")
        try check("late deltas in MongoDB")
    }

    // MARK: g

    @Test("a known id with another timestamp is a conflicting_update, whether the new timestamp is on the same day or another")
    func timestampChangeIsAConflict() throws {
        let day = Self.today - 3
        let first = PaymentEvent(
            id: "ts-1", epochSeconds: day * 86_400 + 10 * 3600, deposit: true, method: "visa", currency: "KWD", exponent: 3,
            status: "pending", amountMinor: 12_345, updatedMillis: nil)
        var sameDay = first
        sameDay.epochSeconds += 3600
        sameDay.status = "success"
        var nextDay = first
        nextDay.epochSeconds += 86_400
        nextDay.status = "success"
        var previousDay = first
        previousDay.epochSeconds -= 86_400
        previousDay.status = "failed"
        let events = [first, sameDay, nextDay, previousDay]
        var model = LedgerModel()
        model.feed(events)
        #expect(model.counters == LedgerCounters(new: 1, conflict: 3))
        let server = try RedisServer()
        defer { server.stop() }
        let redis = server.connection()
        try push(redis, events)
        _ = try drain(server)
        let counted = try ledgerCounters(redis)
        #expect(counted == model.counters)
        let dead = try deadLetters(redis)
        #expect(dead == ["conflicting_update": 3])
        try expectAggregates(redis, model, "timestamp changes")
    }
}
