import Foundation
import Logging
import Metrics
import Redis
import StatsCore
import WorkerRuntime

/// The aggregator's loop. Invariant: an item is always in the queue, in exactly one worker's
/// in-flight list, or committed; the commit script removes a batch from the in-flight list in
/// the same atomic step that applies it. This object's memory is only a cache of that list: on
/// any doubt (a lost connection) it is dropped and rebuilt from Redis.
final class AggregatorWorker {
    let settings: AggregatorSettings
    /// The partition this worker drains (its queue, in-flight list, ledger and aggregates).
    let partition: Int
    let keys: KeyLayout
    let inflight: String
    var logger: Logger
    let stop: StopFlag
    let redis: RedisClient
    var parser: TransactionParser
    var calendar: BusinessCalendar
    var batch: BatchAccumulator
    var bounds: BatchBounds
    var lastHeartbeat = ContinuousClock.now - .seconds(3600)
    var totals = (items: 0, rows: 0, dead: 0, commits: 0, reclaimed: 0)
    var ledger = LedgerOutcome()
    var sweepShard = Int.random(in: 0..<LedgerEntry.shards)
    let metrics: AggregatorMetrics
    let alerts: AlertWebhook
    /// Replicas each commit waits for (`WAIT`, pipelined behind it); 0: none.
    var replicaWait = 0

    init(settings: AggregatorSettings, partition: Int, logger: Logger, stop: StopFlag) throws {
        self.settings = settings
        self.partition = partition
        self.keys = settings.core.partitionKeys[partition]
        self.inflight = keys.inflight(worker: settings.workerId)
        self.logger = logger
        self.logger[metadataKey: "worker"] = "\(settings.workerId)"
        if settings.core.partitions > 1 { self.logger[metadataKey: "partition"] = "\(partition)" }
        self.metrics = AggregatorMetrics(partition: settings.core.partitions > 1 ? String(partition) : nil)
        self.stop = stop
        self.redis = RedisClient(seeds: settings.core.redis)
        self.redis.logger = logger
        self.calendar = try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone)
        self.parser = TransactionParser(calendar: calendar, currency: settings.core.currency)
        self.batch = BatchAccumulator(ledgerDays: settings.core.ledgerDays)
        self.bounds = BatchBounds(
            rows: settings.batchRows, items: settings.batchItems, age: .milliseconds(settings.batchMilliseconds))
        self.alerts = try AlertWebhook(worker: "aggregator", logger: logger)
    }

    func run() throws {
        logger.info(
            "aggregator starting",
            metadata: [
                "redis": "\(settings.core.redis)", "queue": "\(keys.queue)",
                "batch_rows": "\(settings.batchRows)", "batch_items": "\(settings.batchItems)",
                "batch_ms": "\(settings.batchMilliseconds)", "currency": "\(settings.core.currency)",
                "ledger_days": "\(settings.core.ledgerDays)",
            ])
        var backoff = Backoff()
        var preparedIdentity = false
        while !stop.isRequested {
            do {
                if !preparedIdentity {
                    try agreeOnSettings()
                    adviseOnHashEncoding()
                    replicaWait = try settings.core.replicasToWait(redis)
                    try waitUntilIdentityIsFree()
                    preparedIdentity = true
                }
                // Own the in-flight list (heartbeat and ownership) before anything is taken into it.
                try heartbeatIfDue(force: true, now: true)
                try recoverInflight()
                backoff.reset()
                try loop()
                break
            } catch is TakenOver {
                batch.reset()
                continue
            } catch is LedgerChanged {
                batch.reset()
                continue
            } catch is Unreplicated {
                batch.reset()
                continue
            } catch let error as RedisError where error.isTransient {
                metrics.redisErrors.increment()
                batch.reset()
                let delay = backoff.next()
                if backoff.failures >= alerts.failureThreshold {
                    alerts.send(
                        kind: "worker_failing",
                        message: "aggregator \(settings.workerId) cannot reach Redis (\(backoff.failures) attempts)",
                        fields: ["error": "\(error)", "worker_id": settings.workerId])
                }
                logger.warning(
                    "Redis unavailable, retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(backoff.failures)"])
                blockingSleep(delay, stop: stop)
            }
        }
        release()
        logger.info(
            "aggregator stopped",
            metadata: [
                "items": "\(totals.items)", "rows": "\(totals.rows)",
                "dead_letters": "\(totals.dead)", "commits": "\(totals.commits)",
                "ledger_new": "\(ledger.new)", "duplicates": "\(ledger.duplicate)", "stale": "\(ledger.stale)",
                "moved": "\(ledger.moved)", "expired": "\(ledger.expired)", "conflicts": "\(ledger.conflict)",
            ])
    }

    /// What every commit re-checks against `{Q}:meta`.
    var meta: QueueMeta {
        QueueMeta(timeZone: settings.core.timeZone, currency: settings.core.currency, partitions: settings.core.partitions)
    }

    /// Every worker of a queue must bucket alike and read currency-less items as the same
    /// currency, or totals would mix. A queue written before currencies is migrated first.
    func agreeOnSettings() throws {
        let renamed = try redis.migrateLayout(keys, currency: settings.core.currency)
        if renamed > 0 {
            logger.notice(
                "migrated this queue's aggregates to the per-currency key layout",
                metadata: ["keys_renamed": "\(renamed)", "currency": "\(settings.core.currency)"])
        }
        let reply = try redis.evalScript(Scripts.agreeMeta, keys: [keys.meta], args: RedisCommand(meta.fields)).check()
        if let conflict = reply.text, !conflict.isEmpty {
            throw RedisError.server(
                "CONFIG this queue's data was written with \(conflict); this worker has timezone=\(settings.core.timeZone) currency=\(settings.core.currency)"
            )
        }
    }

    /// The aggregate hashes hold hundreds of fields. A server that keeps hashes that large as
    /// listpacks (Redis 7's default allows 512) scans a hash on every increment: commits take
    /// two to three times as long (BENCHMARKS.md). Said once at start; a server that refuses
    /// CONFIG (managed Redis, ACLs) is not asked again.
    func adviseOnHashEncoding() {
        guard let reply = try? redis.run("CONFIG", "GET", "hash-max-listpack-entries"), case .array(let pair) = reply,
            pair.count == 2, let entries = pair[1].text.flatMap({ Int($0) }), entries > Self.hashListpackAdvice
        else { return }
        logger.notice(
            "this Redis keeps hashes of up to \(entries) fields as listpacks; set hash-max-listpack-entries \(Self.hashListpackAdvice) for faster commits (deploy/README.md)",
            metadata: ["hash_max_listpack_entries": "\(entries)"])
    }

    static let hashListpackAdvice = 128

    /// A fresh heartbeat under our id means another process may be using it (or we were just
    /// killed): wait until it is stale before touching the in-flight list.
    func waitUntilIdentityIsFree() throws {
        var warned = false
        while !stop.isRequested {
            let age =
                try redis.evalScript(Scripts.heartbeatAge, keys: [keys.workers], args: RedisCommand([settings.workerId])).check().int ?? -1
            if age < 0 || age >= settings.heartbeatTimeoutMs { return }
            if !warned {
                logger.warning(
                    "worker id has a fresh heartbeat; waiting for it to expire (another live worker with the same id, or a restart after a crash)",
                    metadata: ["age_ms": "\(age)"])
                warned = true
            }
            blockingSleep(.milliseconds(max(50, settings.heartbeatTimeoutMs - Int(age))), stop: stop)
        }
    }

    /// Finishes whatever our in-flight list holds (left by a crash, a lost connection, or a
    /// batch that was taken over while we still held the next one).
    func recoverInflight() throws {
        batch.reset()
        // Newest first as listed; processed oldest first, as they were queued.
        let items = Array((try redis.run("LRANGE", inflight, "0", "-1").check().array ?? []).reversed())
        guard !items.isEmpty else { return }
        logger.info("finishing in-flight items left from before", metadata: ["items": "\(items.count)"])
        // Decided against what the ledger holds now; if another worker changes one of these ids
        // between the read and the commit, read and decide again.
        while true {
            batch.reset()
            process(items)
            let reads = ledgerReads()
            let states = try ledgerStates(reads, replies: reads.commands.isEmpty ? [] : redis.pipeline(reads.commands))
            let prepared = prepareCommit(items, states: states)
            let command = try redis.commitCommand(
                (prepared.keys, prepared.args), worker: settings.workerId, inflightLength: items.count, items: items.count, meta: meta)
            do {
                try noteCommit(try redis.send(command).check(), items: items.count)
                if replicaWait > 0 {
                    try checkReplicated(
                        RedisReply.integer(
                            Int64(
                                try redis.waitForReplicas(
                                    replicaWait, timeoutMilliseconds: CoreSettings.replicaWaitMilliseconds, afterWritingTo: inflight))))
                }
                return
            } catch is LedgerChanged {
                continue
            }
        }
    }

    /// Thrown when a commit finds the in-flight list changed under it: resynchronise from Redis.
    struct TakenOver: Error {}

    /// Thrown when a commit was not confirmed on enough replicas in time: it may not survive a
    /// failover, so this worker's picture of its in-flight list is rebuilt from Redis (and if a
    /// failover did lose the commit, its items are taken and committed again, once).
    struct Unreplicated: Error {}

    /// Thrown when a commit finds a ledger entry other than the one its decisions were made
    /// from (another worker decided the same id meanwhile): resynchronise and decide again.
    struct LedgerChanged: Error {}

    /// Pipelined three deep, so that the worker's CPU and Redis' overlap. Each round sends, in
    /// this order: the ledger reads of the batch closed last round, the commit of the batch
    /// decided last round, and a take. While Redis runs that commit, this thread decides the
    /// batch whose reads came back first (from those reads, overlaid with what the commit in
    /// flight writes: it runs before the next commit, which finds its entries), and parses the
    /// items taken before. A batch is open until ``BatchBounds`` says it is due (rows, items or
    /// age), or the queue had less than was asked for (nothing is waiting: waiting longer only
    /// delays freshness). The in-flight list holds the batch being committed, the decided and
    /// closed ones, the open one and the items just taken; a commit names the list's expected
    /// length and removes only its own, oldest, items.
    func loop() throws {
        var ready: [RedisReply] = [] // taken, not yet parsed
        var openItems: [RedisReply] = [] // parsed into `batch`, not yet closed (oldest first)
        var openedAt = ContinuousClock.now
        var closed: (items: [RedisReply], reads: LedgerReads)? // due: its ledger entries are read next round
        var pending: (command: RedisCommand, items: Int, writes: [String: String])? // decided: sent next round
        var inflightCount = 0 // items in our in-flight list
        var queueWasShort = false // the last take got fewer items than it asked for
        while true {
            let taking = !stop.isRequested
            if !taking && pending == nil && closed == nil && ready.isEmpty && openItems.isEmpty { return }
            var commands = closed?.reads.commands ?? []
            let readCount = commands.count
            if let pending {
                commands.append(pending.command)
                // Keyless: the client sends it to the commit's node, right behind the commit.
                if replicaWait > 0 {
                    commands.append(RedisCommand(waitFor: replicaWait, timeoutMilliseconds: CoreSettings.replicaWaitMilliseconds))
                }
            }
            // Block on the queue only when there is nothing else to do.
            let blocking = taking && ready.isEmpty && openItems.isEmpty && closed == nil
            var asked = 0
            if taking {
                asked = bounds.takeCount(openRows: batch.rows, openItems: openItems.count, unparsedItems: ready.count)
                if blocking {
                    var blmove = RedisCommand("BLMOVE")
                    for a in [keys.queue, inflight, "RIGHT", "LEFT", String(settings.blockSeconds)] { blmove.append(a) }
                    commands.append(blmove)
                }
                let n = blocking ? asked - 1 : asked
                commands.append(try redis.scriptCommand(Scripts.take, keys: [keys.queue, inflight], args: RedisCommand([String(n)])))
            }
            let sentAt = ContinuousClock.now
            if !commands.isEmpty { try redis.send(pipelined: commands) }

            // The reads answer before the commit behind them has run: decide while it runs.
            var decided: (keys: [String], args: RedisCommand, items: Int, writes: [String: String])?
            if let c = closed {
                // An entry the pending commit writes is what this batch's commit will find. (Its
                // other ids are never looked up: only this batch's events are decided.)
                let states = try ledgerStates(c.reads, replies: redis.receive(readCount)).merging(pending?.writes ?? [:]) { $1 }
                decided = prepareCommit(c.items, states: states)
                closed = nil
            }
            // Parse the items in hand; close the batch if it is due.
            if !ready.isEmpty {
                let rowsBefore = batch.rows
                process(ready, firstIndex: openItems.count)
                bounds.observe(items: ready.count, rows: batch.rows - rowsBefore)
                openItems += ready
                ready.removeAll(keepingCapacity: true)
                if queueWasShort || !taking || bounds.isDue(rows: batch.rows, items: openItems.count, openedAt: openedAt, now: .now) {
                    closed = (openItems, ledgerReads())
                    openItems = []
                }
            }

            var replies = try redis.receive(commands.count - readCount)[...]
            if let p = pending {
                guard try noteCommit(try replies.removeFirst().check(), items: p.items) else { throw TakenOver() }
                if replicaWait > 0 { try checkReplicated(replies.removeFirst()) }
                metrics.commitSeconds.recordInterval(since: sentAt)
                inflightCount -= p.items
                pending = nil
            }
            if taking {
                if blocking, case .string = replies.first! { ready.append(replies.first!) }
                ready.append(contentsOf: try replies.last!.check().array ?? [])
                inflightCount += ready.count
                queueWasShort = ready.count < asked
                if openItems.isEmpty && !ready.isEmpty { openedAt = sentAt }
            }
            metrics.inflight.record(inflightCount)
            // Nothing more came: the open batch need not wait for its bounds.
            if closed == nil && !openItems.isEmpty && ready.isEmpty {
                closed = (openItems, ledgerReads())
                openItems = []
            }
            if let d = decided {
                // Runs after everything sent so far: the in-flight list holds `inflightCount` then.
                pending = (
                    try redis.commitCommand(
                        (d.keys, d.args), worker: settings.workerId, inflightLength: inflightCount, items: d.items, meta: meta),
                    d.items, d.writes
                )
            }
            if pending == nil && closed == nil && ready.isEmpty {
                try heartbeatIfDue(force: true)
                if settings.drain, try everythingDrained() { return }
            } else {
                try heartbeatIfDue(force: false)
            }
        }
    }

    /// The reply of the `WAIT` behind a commit: too few replicas means "resynchronise".
    func checkReplicated(_ reply: RedisReply) throws {
        let acked = Int(try reply.check().int ?? 0)
        guard acked < replicaWait else { return }
        logger.warning(
            "a commit is not on enough replicas yet; rebuilding this worker's state from Redis",
            metadata: ["replicas": "\(acked)", "wanted": "\(replicaWait)"])
        throw Unreplicated()
    }

    /// The HMGETs of the open batch's ids, one per ledger shard.
    struct LedgerReads {
        var lists: [(shard: Int, ids: [String])]
        var commands: [RedisCommand]
    }

    func ledgerReads() -> LedgerReads {
        let lists = batch.ledgerReads()
        return LedgerReads(lists: lists, commands: lists.map { RedisCommand(["HMGET", keys.ledger(shard: $0.shard)] + $0.ids) })
    }

    /// id → ledger entry, from the HMGET replies (an id without an entry is left out).
    func ledgerStates(_ reads: LedgerReads, replies: [RedisReply]) throws -> [String: String] {
        var states: [String: String] = [:]
        for (list, reply) in zip(reads.lists, replies) {
            let values = try reply.check().array ?? []
            guard values.count == list.ids.count else {
                throw RedisError.protocolViolation("HMGET returned \(values.count) values for \(list.ids.count) fields")
            }
            for (id, value) in zip(list.ids, values) {
                if let text = value.text { states[id] = text }
            }
        }
        return states
    }

    /// The commit arguments of the batch parsed from `queueItems`: its events decided against
    /// `states`, the ledger window's start and the next shard to sweep a step of (each commit
    /// sweeps one, in turn). The batch is reset: the next rows start the next batch.
    func prepareCommit(
        _ queueItems: [RedisReply], states: [String: String]
    ) -> (keys: [String], args: RedisCommand, items: Int, writes: [String: String]) {
        let cutoff = batch.ledgerCutoff(calendar: &calendar, now: Int64(Date().timeIntervalSince1970))
        sweepShard = (sweepShard + 1) % LedgerEntry.shards
        let plan = batch.decide(states: states, cutoff: cutoff, methods: parser.methods.names, worker: settings.workerId) { item, span in
            guard item < queueItems.count, case .string(let bytes) = queueItems[item] else { return "" }
            let lower = min(span.lowerBound, bytes.count)
            return String(decoding: bytes[lower..<min(span.upperBound, bytes.count, lower + DeadLetter.maxRawBytes)], as: UTF8.self)
        }
        let (k, a) = batch.commitArguments(
            keys: keys, worker: settings.workerId, methods: parser.methods.names, plan: plan, cutoff: cutoff, sweep: sweepShard)
        batch.reset()
        var writes: [String: String] = [:]
        for e in plan.entries { if let next = e.next { writes[e.id] = next } }
        return (k, a, queueItems.count, writes)
    }

    /// Parses queue items into the open batch; `firstIndex` is the first one's place in it
    /// (0 = the batch's oldest item, the in-flight list's tail).
    func process(_ items: [RedisReply], firstIndex: Int = 0) {
        var sink = RowSink(batch: batch, calendar: calendar, worker: settings.workerId)
        for (i, item) in items.enumerated() {
            guard case .string(let bytes) = item else { continue }
            sink.item = firstIndex + i
            bytes.withUnsafeBytes { raw in
                QueueItemDecoder.decode(raw, parser: &parser, into: &sink)
            }
        }
        totals.items += items.count
        totals.rows += sink.batch.rows - batch.rows
        totals.dead += sink.batch.deadLetters.count - batch.deadLetters.count
        metrics.items.increment(by: items.count)
        metrics.rows.increment(by: sink.batch.rows - batch.rows)
        metrics.deadLetters.increment(by: sink.batch.deadLetters.count - batch.deadLetters.count)
        calendar = sink.calendar
        batch = sink.batch
    }

    /// Records a commit's reply; false if it was not applied because the batch was taken over.
    /// Throws ``LedgerChanged`` when its ledger decisions were made from entries since changed.
    @discardableResult
    func noteCommit(_ reply: RedisReply, items: Int) throws -> Bool {
        if let a = reply.array, a.count == 1, a[0].int == 2 {
            logger.info(
                "another worker changed a ledger entry of this batch since it was read; deciding the batch again",
                metadata: ["items": "\(items)"])
            throw LedgerChanged()
        }
        if let outcome = LedgerOutcome(reply: reply) {
            totals.commits += 1
            metrics.commits.increment()
            metrics.record(outcome)
            ledger += outcome
            totals.dead += outcome.conflict
            return true
        } else {
            // Only possible if we were presumed dead and our items went back to the queue.
            logger.warning(
                "batch was taken over by another worker; dropped here, it is counted once there", metadata: ["items": "\(items)"])
            return false
        }
    }

    func heartbeatIfDue(force: Bool, now: Bool = false) throws {
        let interval = Duration.milliseconds(settings.heartbeatTimeoutMs / 4)
        guard now || force || ContinuousClock.now - lastHeartbeat >= interval else { return }
        guard now || ContinuousClock.now - lastHeartbeat >= min(interval, .milliseconds(200)) else { return }
        lastHeartbeat = ContinuousClock.now
        try sampleQueue()
        let stale =
            try redis.evalScript(
                Scripts.heartbeat, keys: [keys.workers, keys.inflightOwners],
                args: RedisCommand([settings.workerId, String(settings.heartbeatTimeoutMs)])
            ).check().array ?? []
        for w in stale.compactMap(\.text) where w != settings.workerId {
            let moved =
                try redis.evalScript(
                    Scripts.reclaim, keys: [keys.inflight(worker: w), keys.queue, keys.workers, keys.inflightOwners],
                    args: RedisCommand([w, String(settings.heartbeatTimeoutMs)])
                ).check().int ?? 0
            if moved > 0 {
                totals.reclaimed += Int(moved)
                logger.warning("took over the in-flight items of a dead worker", metadata: ["dead_worker": "\(w)", "items": "\(moved)"])
            }
        }
    }

    /// A clean exit hands back whatever is still in flight and then drops the heartbeat, in one
    /// script: a restart with the same id need not wait, and nothing is left without an owner.
    /// If Redis cannot be reached now, the heartbeat stays and goes stale, and a live worker (or
    /// this one restarted) reclaims the list.
    func release() {
        do {
            let moved =
                try redis.evalScript(
                    Scripts.reclaim, keys: [inflight, keys.queue, keys.workers, keys.inflightOwners],
                    args: RedisCommand([settings.workerId, ""])
                ).check().int ?? 0
            if moved > 0 { logger.notice("handed uncommitted in-flight items back to the queue", metadata: ["items": "\(moved)"]) }
        } catch {
            logger.warning(
                "could not hand back in-flight items; they stay owned by this worker id and are reclaimed after the heartbeat timeout",
                metadata: ["error": "\(error)"])
        }
    }

    /// Queue length, dead letters and the oldest queued item's age, for the gauges.
    func sampleQueue() throws {
        let r = try redis.pipeline([
            RedisCommand(["LLEN", keys.queue]), RedisCommand(["LLEN", keys.deadLetter]),
            RedisCommand(["LINDEX", keys.queue, "-1"]),
        ])
        metrics.queueLength.record(r[0].int ?? 0)
        metrics.deadLetterSize.record(r[1].int ?? 0)
        let created = r[2].bytes.flatMap { CompactBatchWriter.createdMs($0) }
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let age = Double(max(0, created.map { nowMs - $0 } ?? 0)) / 1000
        metrics.oldestAge.record(age)
        let dead = Int(r[1].int ?? 0)
        if dead > alerts.deadLetterThreshold {
            alerts.send(
                kind: "dead_letters", message: "the dead-letter list holds \(dead) entries (threshold \(alerts.deadLetterThreshold))",
                fields: ["size": String(dead), "threshold": String(alerts.deadLetterThreshold), "key": keys.deadLetter])
        }
        if age > alerts.queueAgeThreshold {
            alerts.send(
                kind: "queue_stale", message: "the oldest queued item is \(Int(age)) s old (threshold \(Int(alerts.queueAgeThreshold)) s)",
                fields: ["age_seconds": String(Int(age)), "queue_length": String(r[0].int ?? 0)])
        }
    }

    /// True when the queue and the in-flight list of every owner (live, dead or orphaned) are
    /// empty, read in one MULTI/EXEC so that no item can move between the reads unseen.
    func everythingDrained() throws -> Bool {
        let workers = (try redis.run("SMEMBERS", keys.inflightOwners).check().array ?? []).compactMap(\.text)
        var commands = [RedisCommand("MULTI"), RedisCommand(["LLEN", keys.queue])]
        for w in workers { commands.append(RedisCommand(["LLEN", keys.inflight(worker: w)])) }
        commands.append(RedisCommand(["SCARD", keys.inflightOwners]))
        commands.append(RedisCommand("EXEC"))
        let replies = try redis.pipeline(commands)
        guard let results = try replies.last!.check().array, results.count == workers.count + 2 else { return false }
        let lengths = results.dropLast().map { $0.int ?? 1 }
        return lengths.allSatisfy { $0 == 0 } && results.last!.int == Int64(workers.count)
    }
}
