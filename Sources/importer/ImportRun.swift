import Logging
import Metrics
import Redis
import StatsCore
import WorkerRuntime

/// One import of one source. Reads rows in constant memory, queues them in compact batches,
/// dead-letters the bad ones, and moves the source's progress marker forward in the same
/// atomic step as each batch, so a crash or Ctrl-C at any point can be resumed exactly.
///
/// With several partitions each row goes to one: a row with an id to the partition of its id
/// (``Partitioning``), any other row by its line number, in blocks of ``linesPerBlock``. Each
/// partition has its own marker, moved with that partition's batch; a crash between two
/// partitions' steps leaves markers at different lines, and a re-run skips a row exactly when
/// its own partition's marker has passed it, so every row is queued once.
final class ImportRun {
    static let required = ["timestamp", "type", "payment_method", "amount"]
    static let optional = ["status", "id", "sleep_ms", "currency", "updated_at"]

    let settings: ImportSettings
    let partitions: [KeyLayout]
    var logger: Logger
    let stop: StopFlag
    let redis: RedisClient
    var parser: TransactionParser
    var methodBytes: [[UInt8]] = []

    var summary: ImportSummary
    var sourceId = ""
    /// Per partition: its marker text as stored in Redis ('' for none).
    var committed: [String]
    /// Per partition: the line its marker has reached (rows up to it are in its queue).
    var resumeLines: [Int]
    var generation = 0
    var hash = FNV1a64()
    var lastLine = 0
    /// Per partition: chunks closed, the chunk being written, dead letters, rows queued.
    var items: [[[UInt8]]]
    var writers: [CompactBatchWriter]
    var dead: [[String]]
    var queuedInBatch: [Int]
    var rowsInBatch = 0
    var rejectedInBatch: [String: Int] = [:]
    /// Replicas each batch waits for (0: none).
    var replicaWait = 0

    /// Rows without an id go to partitions in turn, this many lines at a time.
    static let linesPerBlock = 1024

    init(settings: ImportSettings, logger: Logger, stop: StopFlag) throws {
        self.settings = settings
        self.partitions = settings.core.partitionKeys
        self.logger = logger
        self.stop = stop
        self.redis = RedisClient(seeds: settings.core.redis)
        self.redis.logger = logger
        self.parser = TransactionParser(
            calendar: try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone),
            currency: settings.core.currency)
        self.summary = ImportSummary(file: settings.file)
        let n = partitions.count
        self.committed = Array(repeating: "", count: n)
        self.resumeLines = Array(repeating: 0, count: n)
        self.items = Array(repeating: [], count: n)
        self.writers = Array(repeating: CompactBatchWriter(source: "", firstLine: 0), count: n)
        self.dead = Array(repeating: [], count: n)
        self.queuedInBatch = Array(repeating: 0, count: n)
    }

    /// The partition of a row without an id (or of a rejected row).
    @inline(__always) func partition(ofLine line: Int) -> Int {
        partitions.count == 1 ? 0 : (line / Self.linesPerBlock) % partitions.count
    }

    func run() throws -> ImportSummary {
        let started = ContinuousClock.now
        let reader = try CSVReader.open(path: settings.file)
        guard let headerRecord = reader.next() else { throw ImportError(description: "\(settings.file) is empty: expected a header line") }
        if let e = headerRecord.error { throw ImportError(description: "\(settings.file) line 1: unreadable header (\(e))") }
        let header = try CSVHeader(record: headerRecord, required: Self.required, optional: Self.optional)
        let col = (
            ts: header.index(of: "timestamp")!, type: header.index(of: "type")!,
            method: header.index(of: "payment_method")!, amount: header.index(of: "amount")!,
            status: header.index(of: "status"), sleep: header.index(of: "sleep_ms"),
            currency: header.index(of: "currency"), id: header.index(of: "id"), updated: header.index(of: "updated_at")
        )
        parserColumns = header.count
        hash.combine(headerRecord.raw)
        var fingerprint = hash

        var record = reader.next()
        if let first = record { fingerprint.combine(first.raw) }
        sourceId = settings.sourceId ?? fingerprint.hex
        summary.source = sourceId
        logger[metadataKey: "source"] = "\(sourceId)"
        try resolveStartingPoint()
        let markers = committed.map { ImportMarker(parsing: $0) }
        if settings.restart { resumeLines = resumeLines.map { _ in 0 } }
        let resumeLine = resumeLines.min() ?? 0
        let resumeHash = markers[resumeLines.firstIndex(of: resumeLine)!]?.hash
        // Partitions whose marker is ahead of the others: their file hash is checked on the way.
        var laterChecks: [Int: String] = [:]
        for (p, m) in markers.enumerated() where !settings.restart && resumeLines[p] > resumeLine {
            laterChecks[resumeLines[p]] = m?.hash
        }
        var verified = resumeLine == 0
        if resumeLine > 0 { summary.resumedAfterLine = resumeLine }
        writers = writers.map { _ in CompactBatchWriter(source: sourceId, firstLine: 0) }

        var progress = Progress(total: reader.fileSize, logger: logger)
        logger.info(
            "import starting",
            metadata: [
                "file": "\(settings.file)", "redis": "\(settings.core.redis)",
                "queue": "\(partitions[0].queue)", "partitions": "\(partitions.count)", "resume_after_line": "\(resumeLine)",
            ])
        while let r = record {
            if stop.isRequested {
                summary.interrupted = true
                break
            }
            hash.combine(r.raw)
            if !verified {
                if r.line < resumeLine {
                    summary.skipped += 1
                    record = reader.next()
                    continue
                }
                guard r.line == resumeLine, hash.hex == resumeHash else {
                    throw ImportError(
                        description:
                            "\(settings.file) differs from what was imported as source \(sourceId) up to line \(resumeLine); use --source-id NAME to import it as another source, or --restart to import it again from the start"
                    )
                }
                summary.skipped += 1
                verified = true
                lastLine = r.line
                record = reader.next()
                continue
            }
            if let expected = laterChecks[r.line], expected != hash.hex {
                throw ImportError(
                    description:
                        "\(settings.file) differs from what was imported as source \(sourceId) up to line \(r.line); use --source-id NAME to import it as another source, or --restart to import it again from the start"
                )
            }
            summary.read += 1
            lastLine = r.line
            let sleepMs = handle(r, col: col)
            if rowsInBatch >= settings.batchRows || (sleepMs > 0 && settings.honourSleep) {
                try flush()
                progress.update(bytes: reader.bytesRead, rows: summary.read)
                if sleepMs > 0 && settings.honourSleep { blockingSleep(.milliseconds(sleepMs), stop: stop) }
            }
            record = reader.next()
        }
        if let io = reader.ioError { logger.error("read error", metadata: ["error": "\(io)"]) }
        if !verified {
            throw ImportError(
                description:
                    "\(settings.file) ends before line \(resumeLine), which source \(sourceId) was already imported up to; use --source-id NAME or --restart"
            )
        }
        try flush()
        progress.update(bytes: reader.bytesRead, rows: summary.read, force: true)
        progress.finish()
        let elapsed = ContinuousClock.now - started
        summary.resent = resends?.resent ?? 0
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        logger.info(
            "import done",
            metadata: [
                "read": "\(summary.read)", "queued": "\(summary.queued)",
                "rejected": "\(summary.rejectedTotal)", "interrupted": "\(summary.interrupted)",
            ])
        return summary
    }

    /// Parses one record into the current chunk or the dead letters; returns its sleep_ms.
    @inline(__always)
    func handle(_ r: CSVRecord, col: Columns) -> Int {
        if let e = r.error {
            reject(e, r)
            return 0
        }
        // A lone empty field is an empty line's ghost; the reader skips real blank lines.
        guard r.fieldCount == parserColumns else {
            reject(.columnCount("row has \(r.fieldCount) fields, the header has \(parserColumns)"), r)
            return 0
        }
        let fields = TransactionParser.Fields(
            timestamp: r.field(col.ts), type: r.field(col.type), method: r.field(col.method), amount: r.field(col.amount),
            status: col.status.map { r.field($0) }, sleepMs: col.sleep.map { r.field($0) },
            currency: col.currency.map { r.field($0) }, id: col.id.map { r.field($0) }, updatedAt: col.updated.map { r.field($0) })
        switch parser.parse(fields) {
        case .failure(let e):
            reject(e, r)
            return 0
        case .success(let row):
            let p = row.id.map { Partitioning.partition(ofId: $0, count: partitions.count) } ?? partition(ofLine: r.line)
            // Already queued by an earlier run that got this partition further than the others.
            if r.line <= resumeLines[p] {
                summary.read -= 1
                summary.skipped += 1
                return 0
            }
            if writers[p].rows == 0 { writers[p] = CompactBatchWriter(source: sourceId, firstLine: r.line) }
            while methodBytes.count < parser.methods.names.count {
                methodBytes.append(Array(parser.methods.names[methodBytes.count].utf8))
            }
            methodBytes[row.method].withUnsafeBytes { m in
                writers[p].append(
                    epochSeconds: row.epochSeconds, type: row.type, method: m, status: row.status, amountMinor: row.amountMinor,
                    currency: row.currency, id: row.id, updatedMicros: row.updatedMicros)
            }
            if let id = row.id {
                if resends == nil { resends = ResendCounter() } // 16 MiB, only for files with ids
                resends!.note(row, id: id)
            }
            rowsInBatch += 1
            queuedInBatch[p] += 1
            if writers[p].rows >= settings.chunkRows { closeChunk(p) }
            return row.sleepMs
        }
    }

    var parserColumns = 0
    var resends: ResendCounter?

    typealias Columns = (
        ts: Int, type: Int, method: Int, amount: Int, status: Int?, sleep: Int?, currency: Int?, id: Int?, updated: Int?
    )

    func reject(_ reason: RejectReason, _ r: CSVRecord) {
        let p = partition(ofLine: r.line)
        if r.line <= resumeLines[p] {
            summary.read -= 1
            summary.skipped += 1
            return
        }
        summary.rejected[reason.code, default: 0] += 1
        rejectedInBatch[reason.code, default: 0] += 1
        dead[p].append(
            DeadLetter(
                stage: "import", reason: reason, raw: r.rawString, source: sourceId,
                file: settings.file, line: r.line
            ).json)
        rowsInBatch += 1
    }

    func closeChunk(_ p: Int) {
        guard writers[p].rows > 0 else { return }
        items[p].append(writers[p].buffer)
        writers[p] = CompactBatchWriter(source: sourceId, firstLine: lastLine + 1)
    }

    /// Reads the source's marker in every partition; with --restart, starts a new generation
    /// from line 0.
    func resolveStartingPoint() throws {
        let replies = try withRetry {
            try self.redis.pipeline(self.partitions.map { RedisCommand(["HGET", $0.imports, self.sourceId]) }).map { try $0.check() }
        }
        committed = replies.map { $0.text ?? "" }
        var markers: [ImportMarker] = []
        for (p, text) in committed.enumerated() where !text.isEmpty {
            guard let marker = ImportMarker(parsing: text) else {
                throw ImportError(description: "progress marker of source \(sourceId) in \(partitions[p].imports) is unreadable: \(text)")
            }
            markers.append(marker)
            resumeLines[p] = marker.line
        }
        // Rows of the partitions without a marker went to other partitions then: queuing them
        // again would count them twice.
        if !markers.isEmpty && markers.count < partitions.count && !settings.restart {
            throw ImportError(
                description:
                    "source \(sourceId) was imported with another number of partitions (markers in \(markers.count) of \(partitions.count)); import it with the TXSTATS_PARTITIONS it was started with, or as another source (--source-id NAME)"
            )
        }
        generation = (markers.map(\.generation).max() ?? 0) + (settings.restart && !markers.isEmpty ? 1 : 0)
        replicaWait = try withRetry { try self.settings.core.replicasToWait(self.redis) }
        if let line = markers.map(\.line).min(), !settings.restart {
            logger.info(
                "source was imported before; resuming after its last committed row",
                metadata: ["line": "\(line)", "queued_before": "\(markers.reduce(0) { $0 + $1.queued })"])
        }
    }

    /// Pushes the chunks and dead letters in hand and moves the markers, each partition's in one
    /// atomic step with its batch; the partitions' steps are pipelined (one round trip per node).
    /// A partition whose marker is ahead of this line (an earlier run got it further) is left
    /// alone: its marker never moves back.
    func flush() throws {
        var steps: [(partition: Int, marker: ImportMarker, command: RedisCommand)] = []
        for p in partitions.indices {
            closeChunk(p)
            guard lastLine > resumeLines[p] || !items[p].isEmpty || !dead[p].isEmpty else { continue }
            let previous = ImportMarker(parsing: committed[p])
            let fresh = settings.restart && previous?.generation != generation
            let marker = ImportMarker(
                generation: generation, line: lastLine, queued: (fresh ? 0 : previous?.queued ?? 0) + queuedInBatch[p],
                rejected: (fresh ? 0 : previous?.rejected ?? 0) + dead[p].count, hash: hash.hex)
            var args = RedisCommand([sourceId, committed[p], marker.description, String(items[p].count)])
            args.reserve(
                bytes: items[p].reduce(0) { $0 + $1.count } + dead[p].reduce(0) { $0 + $1.utf8.count },
                arguments: items[p].count + dead[p].count)
            for item in items[p] { args.append(bytes: item) }
            for d in dead[p] { args.append(d) }
            let keys = partitions[p]
            let command = try withRetry {
                try self.redis.scriptCommand(Scripts.importBatch, keys: [keys.queue, keys.imports, keys.deadLetter], args: args)
            }
            steps.append((p, marker, command))
        }
        guard !steps.isEmpty else { return }
        var waiting = steps
        while !waiting.isEmpty {
            // Steps are idempotent: a transient refusal (a slot migrating, a failover) sends
            // them all again; only the script's own CONFLICT is about the marker.
            let replies = try withRetry {
                let replies = try self.redis.pipeline(waiting.map(\.command))
                for case .error(let m) in replies where !m.hasPrefix("CONFLICT") { throw RedisError.server(m) }
                return replies
            }
            for (step, reply) in zip(waiting, replies) {
                if case .error(let m) = reply { throw conflict(m, expected: ImportMarker(parsing: committed[step.partition])) }
            }
            waiting = try unreplicated(waiting)
        }
        let queuedNow = queuedInBatch.reduce(0, +)
        summary.queued += queuedNow
        Counter(label: "txstats_import_rows_queued_total").increment(by: queuedNow)
        Counter(label: "txstats_import_rows_read_total").increment(by: rowsInBatch)
        for (reason, n) in rejectedInBatch {
            Counter(label: "txstats_import_rows_rejected_total", dimensions: [("reason", reason)]).increment(by: n)
        }
        rejectedInBatch.removeAll(keepingCapacity: true)
        for step in steps {
            committed[step.partition] = step.marker.description
            resumeLines[step.partition] = step.marker.line
        }
        for p in partitions.indices {
            items[p].removeAll(keepingCapacity: true)
            dead[p].removeAll(keepingCapacity: true)
            queuedInBatch[p] = 0
        }
        rowsInBatch = 0
    }

    /// With replicas to wait for: the steps whose partition's master has not confirmed them on
    /// enough replicas in time, to be sent again. A step sent again is a no-op if it is there
    /// (its marker is already the new one); if a failover lost it, it is applied again, once.
    func unreplicated<Step>(_ steps: [(partition: Int, marker: ImportMarker, command: Step)]) throws -> [(
        partition: Int, marker: ImportMarker, command: Step
    )] {
        guard replicaWait > 0 else { return [] }
        var late: [(partition: Int, marker: ImportMarker, command: Step)] = []
        for step in steps {
            let acked = try withRetry {
                try self.redis.waitForReplicas(
                    self.replicaWait, timeoutMilliseconds: CoreSettings.replicaWaitMilliseconds,
                    afterWritingTo: self.partitions[step.partition].queue)
            }
            if acked < replicaWait {
                logger.warning(
                    "a batch is not on enough replicas yet; sending it again (a no-op if it is there)",
                    metadata: ["partition": "\(step.partition)", "replicas": "\(acked)", "wanted": "\(replicaWait)"])
                late.append(step)
            }
        }
        if !late.isEmpty { blockingSleep(.milliseconds(200), stop: stop) }
        return late
    }

    /// Why Redis refused a batch, in words an operator can act on. The marker moves only in
    /// the script that pushes its batch, so marker and queue always agree with each other: a
    /// marker that went backwards (or vanished) means Redis lost its latest writes, and the same
    /// command run again resumes exactly where Redis now stands.
    func conflict(_ message: String, expected: ImportMarker?) -> ImportError {
        let now = message.split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
        let current = ImportMarker(parsing: now)
        let expectedLine = expected?.line ?? 0
        if now.isEmpty || (current.map { $0.generation == (expected?.generation ?? 0) && $0.line < expectedLine } ?? false) {
            let at = current.map { "line \($0.line)" } ?? "nothing (the marker is gone)"
            return ImportError(
                description: """
                    the import progress of source \(sourceId) moved backwards, from line \(expectedLine) to \(at): Redis lost its \
                    latest writes (a restart without persistence, or an AOF everysec rollback). The queue lost the same batches, \
                    since each batch and its marker are written in one step. Run the same command again: it resumes from where Redis \
                    now stands and queues the lost rows once.
                    """)
        }
        return ImportError(
            description: """
                the import progress of source \(sourceId) moved ahead to \(now) while this importer held line \(expectedLine): \
                another importer is importing the same source. Let one of them finish; run this one again afterwards to resume.
                """)
    }

    /// Retries transient Redis failures with backoff; the scripts are idempotent on retry.
    func withRetry<T>(_ body: () throws -> T) throws -> T {
        var backoff = Backoff()
        while true {
            do {
                return try body()
            } catch let error as RedisError where error.isTransient {
                if stop.isRequested && backoff.failures > 3 { throw error }
                let delay = backoff.next()
                logger.warning(
                    "Redis unavailable, retrying",
                    metadata: ["error": "\(error)", "retry_in": "\(delay)", "attempt": "\(backoff.failures)"])
                blockingSleep(delay)
            }
        }
    }
}
