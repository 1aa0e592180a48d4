import Foundation
import Logging
import Metrics
import Mongo
import Redis
import StatsCore
import WorkerRuntime

/// One dumper pass: (1) add pending late deltas (the outbox) to MongoDB, (2) claim the
/// day/type/currencies changed since the last pass and write each to MongoDB — whole, or as a
/// delta for an archived day — and (3) retire days before the cut-off that MongoDB now holds in
/// full, every currency at once. A claim sits in `{Q}:dumping` until its write succeeded; if
/// MongoDB is down it goes back to dirty, and nothing is removed from Redis. One MongoDB
/// document per (day, type, currency): amounts of two currencies are never added.
///
/// With several partitions (``Partitioning``) each partition goes through the same steps on its
/// own keys, one after the other: its claims, outbox and retention are its own, so a pass that
/// fails between two partitions leaves each in a state the next pass resumes from. Their writes
/// meet in the one document of a (day, type, currency), where each has its share
/// (``PartitionedDocuments``). The lease and the dump requests are fleet-wide: partition 0's.
final class DumperWorker {
    let settings: DumperSettings
    /// Partition 0's keys: the fleet-wide ones (lease, dump requests) live there.
    let keys: KeyLayout
    /// Every partition's keys, partition 0 first.
    let partitions: [KeyLayout]
    var logger: Logger
    let stop: StopFlag
    let redis: RedisClient
    let mongo: MongoClient
    var calendar: BusinessCalendar
    var owner: String { settings.dumperId }
    var holdsLease = false
    /// Replicas to wait for before a MongoDB write (nil: not asked yet).
    var replicaWait: Int?
    var schemaReady = false
    let alerts: AlertWebhook

    struct PassResult {
        var written = 0
        var deltas = 0
        var archived = 0
    }

    init(settings: DumperSettings, logger: Logger, stop: StopFlag) throws {
        self.settings = settings
        self.keys = settings.core.keys
        self.partitions = settings.core.partitionKeys
        self.logger = logger
        self.stop = stop
        self.redis = RedisClient(seeds: settings.core.redis)
        self.redis.logger = logger
        self.mongo = try MongoClient(uri: settings.history.mongoURI, database: settings.history.database, appName: "txstats-dumper")
        self.calendar = try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone)
        self.alerts = try AlertWebhook(worker: "dumper", logger: logger)
    }

    func run() throws {
        logger.info(
            "dumper starting",
            metadata: [
                "redis": "\(settings.core.redis)", "database": "\(settings.history.database)",
                "interval_s": "\(settings.interval)", "cutoff_days": "\(settings.history.cutoffDays)",
                "partitions": "\(partitions.count)",
            ])
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(10))
        while !stop.isRequested {
            do {
                if try !acquireLease() {
                    blockingSleep(.milliseconds(Int(settings.interval * 1000)), stop: stop)
                    continue
                }
                if !schemaReady {
                    // A layout-1 Redis's keys get their currency before the first pass reads them.
                    for p in partitions {
                        let renamed = try redis.migrateLayout(p, currency: settings.core.currency)
                        if renamed > 0 {
                            logger.notice(
                                "migrated this queue's aggregates to the per-currency key layout",
                                metadata: ["keys_renamed": "\(renamed)", "currency": "\(settings.core.currency)", "queue": "\(p.queue)"])
                        }
                    }
                    let migrated = try DailyAggregateMigration.run(mongo, defaultCurrency: settings.core.currency)
                    if migrated.relabelled > 0 || migrated.droppedLegacyIndex {
                        logger.notice(
                            "MongoDB documents migrated to one per currency",
                            metadata: [
                                "relabelled": "\(migrated.relabelled)", "currency": "\(settings.core.currency.code)",
                                "dropped_index": "\(migrated.droppedLegacyIndex ? DailyAggregateDocument.legacyUniqueIndexName : "-")",
                            ])
                    }
                    schemaReady = true
                }
                let started = ContinuousClock.now
                let r = try pass()
                Counter(label: "txstats_dump_passes_total").increment()
                Counter(label: "txstats_dump_documents_total").increment(by: r.written + r.deltas)
                Counter(label: "txstats_dump_days_retired_total").increment(by: r.archived)
                Metrics.Timer(label: "txstats_dump_pass_seconds").recordInterval(since: started)
                if backoff.failures > 0 {
                    logger.notice("dumper caught up after an outage", metadata: ["failed_attempts": "\(backoff.failures)"])
                }
                backoff.reset()
                let meta: Logger.Metadata = [
                    "documents": "\(r.written)", "late_deltas": "\(r.deltas)", "days_retired": "\(r.archived)",
                    "duration": "\(ContinuousClock.now - started)",
                ]
                if r.written + r.deltas + r.archived > 0 {
                    logger.info("dump pass", metadata: meta)
                } else {
                    logger.debug("dump pass: nothing changed", metadata: meta)
                }
                if settings.once { break }
                try waitForNextPass()
            } catch let refusal as DailyAggregateMigration.Refusal {
                // Not an outage: retrying cannot help, and the dumper must not write beside
                // documents whose units it cannot tell.
                if holdsLease { _ = try? redis.run("DEL", keys.dumperLock) }
                throw refusal
            } catch {
                let delay = backoff.next()
                let source = error is MongoError ? "MongoDB" : "Redis"
                Counter(label: "txstats_dump_failures_total").increment()
                if backoff.failures >= alerts.failureThreshold {
                    alerts.send(
                        kind: "worker_failing", message: "the dumper keeps failing: \(source) unavailable (\(backoff.failures) attempts)",
                        fields: ["error": "\(error)"])
                }
                Counter(label: error is MongoError ? "txstats_mongo_errors_total" : "txstats_redis_errors_total").increment()
                logger.warning(
                    "\(source) unavailable; nothing was removed from Redis, retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(backoff.failures)"])
                if settings.once && backoff.failures >= 5 { throw error }
                blockingSleep(delay, stop: stop)
            }
        }
        if holdsLease { _ = try? redis.run("DEL", keys.dumperLock) }
        logger.info("dumper stopped")
    }

    /// Sleeps until the interval is over or someone asks for a pass now (`POST
    /// /api/v1/admin/dump` pushes to a list this blocks on), waking regularly to check for
    /// shutdown; the blocking pop stays below the socket timeout.
    func waitForNextPass() throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(settings.interval * 1000))
        while !stop.isRequested {
            let left = deadline - ContinuousClock.now
            if left <= .zero { return }
            let wait = min(left, .seconds(1))
            let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
            let reply = try redis.run("BLPOP", keys.dumpRequests, String(max(0.01, seconds)))
            if case .array = reply {
                try redis.run("DEL", keys.dumpRequests).check() // several requests, one pass
                logger.info("pass requested")
                return
            }
        }
    }

    /// One dumper at a time: a lease in Redis, renewed every pass.
    func acquireLease() throws -> Bool {
        let ttl = max(30_000, Int(settings.interval * 3000))
        let got = try redis.evalScript(Scripts.lease, keys: [keys.dumperLock], args: RedisCommand([owner, String(ttl)])).check().int == 1
        if got && !holdsLease {
            // Claims left by a dumper that died mid-pass go back to dirty, in every partition.
            for p in partitions {
                let n = try redis.evalScript(Scripts.unclaim, keys: [p.dumping, p.dirty], args: RedisCommand([String]())).check().int ?? 0
                if n > 0 {
                    logger.notice("re-queued claims of an interrupted pass", metadata: ["day_types": "\(n)", "queue": "\(p.queue)"])
                }
            }
        } else if !got && !holdsLease {
            logger.info("another dumper holds the lease; waiting")
        }
        holdsLease = got
        return got
    }

    func pass() throws -> PassResult {
        var result = PassResult()
        for p in partitions.indices { try pass(partition: p, into: &result) }
        return result
    }

    /// One partition's share of a pass, on its own keys only.
    func pass(partition p: Int, into result: inout PassResult) throws {
        let keys = partitions[p]
        result.deltas += try drainOutbox(partition: p)
        while true { // a pass always runs to the end, even when asked to stop
            let claimed =
                try redis.evalScript(Scripts.claimDirty, keys: [keys.dirty, keys.dumping, keys.archived], args: RedisCommand(["256"]))
                .check().array ?? []
            if claimed.isEmpty { break }
            var full: [Claim] = []
            var late: [Claim] = []
            var i = 0
            while i + 1 < claimed.count {
                if let m = claimed[i].text, let p = KeyLayout.parseDirtyMember(m) {
                    let claim = Claim(member: m, day: p.day, type: p.type, currency: p.currency)
                    if claimed[i + 1].int == 1 { late.append(claim) } else { full.append(claim) }
                } else if let m = claimed[i].text {
                    try redis.run("SMOVE", keys.dumping, keys.unarchivable, m).check()
                    logger.error(
                        "a changed day has a name the dumper cannot read; set aside",
                        metadata: ["member": "\(m)", "set": "\(keys.unarchivable)"])
                }
                i += 2
            }
            do {
                try awaitReplicas(of: keys)
                result.written += try writeFull(full, partition: p)
            } catch {
                _ = try? redis.evalScript(
                    Scripts.unclaim, keys: [keys.dumping, keys.dirty], args: RedisCommand((full + late).map(\.member)))
                throw error
            }
            for c in late {
                let seq = try redis.run("INCR", keys.outboxSeq).check().int ?? 0
                _ = try redis.evalScript(
                    Scripts.moveToOutbox,
                    keys: [
                        keys.hourly(c.day, c.type, c.currency), keys.status(c.day, c.type, c.currency),
                        keys.totals(c.day, c.type, c.currency), keys.outboxEntry(seq: seq, c.day, c.type, c.currency), keys.outbox,
                        keys.archiveEpoch,
                    ],
                    args: RedisCommand([String]())
                ).check()
                try redis.run("SREM", keys.dumping, c.member).check()
            }
            if !late.isEmpty {
                try awaitReplicas(of: keys)
                result.deltas += try drainOutbox(partition: p)
            }
        }
        result.archived += try retire(partition: p)
    }

    /// Before MongoDB gets what was just read or moved in Redis: with replicas to wait for, a
    /// `WAIT` covers every write the partition's master made so far (the aggregators' commits
    /// included), so nothing reaches MongoDB that a failover could still take back — else a
    /// delta re-committed after a failover would be added twice.
    func awaitReplicas(of keys: KeyLayout) throws {
        if replicaWait == nil { replicaWait = try settings.core.replicasToWait(redis) }
        guard let wanted = replicaWait, wanted > 0 else { return }
        let acked = try redis.waitForReplicas(wanted, timeoutMilliseconds: CoreSettings.replicaWaitMilliseconds, afterWritingTo: keys.dirty)
        if acked < wanted {
            throw RedisError.connection("\(keys.queue): \(acked) of \(wanted) replicas confirmed the writes before a MongoDB write")
        }
    }

    /// A claimed member of `{Q}:dirty`: one day, type and currency.
    struct Claim {
        var member: String
        var day: CivilDay
        var type: TransactionType
        var currency: Currency
    }

    /// Whole days: replace each (day, type, currency)'s document — with several partitions,
    /// this partition's share of it — with what Redis holds, then release the claims.
    func writeFull(_ claims: [Claim], partition p: Int) throws -> Int {
        guard !claims.isEmpty else { return 0 }
        let keys = partitions[p]
        let replies = try redis.pipeline(claims.map { RedisCommand(["HGETALL", keys.hourly($0.day, $0.type, $0.currency)]) })
        var aggregates: [DayAggregate] = []
        for (c, reply) in zip(claims, replies) {
            aggregates.append(
                DayAggregate(day: c.day, type: c.type, currency: c.currency, cells: DayAggregate.cells(from: try reply.check().pairs)))
        }
        if partitions.count == 1 {
            let operations = aggregates.map { agg in
                MongoWriteOperation.replaceOne(
                    filter: DailyAggregateDocument.filter(agg.day, agg.type, agg.currency),
                    replacement: DailyAggregateDocument.replacement(agg), upsert: true)
            }
            _ = try mongo.bulkWrite(HistorySettings.collection, operations: operations, ordered: false)
        } else {
            try documents.write(aggregates.map { .init(aggregate: $0, partition: p, kind: .whole) })
        }
        _ = try redis.pipeline(claims.map { RedisCommand(["SREM", keys.dumping, $0.member]) })
        return claims.count
    }

    var documents: PartitionedDocuments { PartitionedDocuments(mongo: mongo, logger: logger) }

    /// Adds each outbox entry to its MongoDB document exactly once, then deletes it.
    func drainOutbox(partition p: Int) throws -> Int {
        let keys = partitions[p]
        let names = (try redis.run("LRANGE", keys.outbox, "0", "-1").check().array ?? []).compactMap(\.text)
        var applied = 0
        for name in names {
            guard let (seq, day, type, currency) = keys.parseOutboxEntry(name) else {
                logger.error("unreadable outbox entry left in place", metadata: ["key": "\(name)"])
                continue
            }
            let cells = DayAggregate.cells(from: try redis.run("HGETALL", name).check().pairs)
            if !cells.isEmpty {
                let delta = DayAggregate(day: day, type: type, currency: currency, cells: cells)
                if partitions.count == 1 {
                    let (filter, update) = DailyAggregateDocument.deltaUpdate(delta, seq: seq)
                    do {
                        _ = try mongo.updateOne(HistorySettings.collection, filter: filter, update: update, upsert: true)
                    } catch {
                        // Duplicate key: the document already lists this delta, applied by an earlier attempt.
                        if !error.isDuplicateKey { throw error }
                    }
                } else {
                    // Skipped inside if this partition's share already lists it.
                    try documents.write([.init(aggregate: delta, partition: p, kind: .delta(seq: seq))])
                }
                applied += 1
            }
            _ = try redis.pipeline([
                RedisCommand("MULTI"), RedisCommand(["DEL", name]), RedisCommand(["LREM", keys.outbox, "1", name]), RedisCommand("EXEC"),
            ])
        }
        return applied
    }

    /// Retention: days before the cut-off whose every change MongoDB holds leave Redis, the
    /// hashes of every currency at once. The currencies come from `{Q}:currencies` (never KEYS
    /// or SCAN), plus the default one; the script re-checks the set's size, so a currency added
    /// meanwhile makes the day wait for the next pass rather than leave its hashes behind.
    func retire(partition p: Int) throws -> Int {
        let keys = partitions[p]
        let cutoff = settings.history.cutoffDay(calendar: &calendar)
        let old = (try redis.run("ZRANGEBYSCORE", keys.days, "-inf", String(cutoff.daysSinceEpoch - 1)).check().array ?? []).compactMap(
            \.text)
        guard !old.isEmpty else { return 0 }
        let codes = (try redis.run("SMEMBERS", keys.currencies).check().array ?? []).compactMap(\.text)
        // The default currency always: its hashes must not outlive the day even if the set has
        // not recorded it (a Redis migrated from layout 1), or they would be read as late data.
        let currencies = Set(codes.compactMap { Currency(code: $0) } + [settings.core.currency]).sorted()
        if codes.contains(where: { Currency(code: $0) == nil }) {
            logger.error(
                "the currencies set holds codes the dumper does not know; their hashes are left in Redis",
                metadata: ["codes": "\(codes.filter { Currency(code: $0) == nil })", "set": "\(keys.currencies)"])
        }
        var archived = 0
        for text in old {
            guard let day = CivilDay.parse(text) else { continue }
            var keyList = [keys.dirty, keys.dumping, keys.days, keys.archived, keys.currencies]
            var args = [text, String(codes.count)]
            for c in currencies {
                for t in TransactionType.allCases {
                    keyList += keys.hashes(day, t, c)
                    args.append(KeyLayout.dirtyMember(day, t, c))
                }
            }
            archived += Int(try redis.evalScript(Scripts.archiveDay, keys: keyList, args: RedisCommand(args)).check().int ?? 0)
        }
        return archived
    }
}
