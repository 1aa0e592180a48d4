import Logging
import Metrics
import Redis
import StatsCore
import WorkerRuntime

/// One import of one source. Reads rows in constant memory, queues them in compact batches,
/// dead-letters the bad ones, and moves the source's progress marker forward in the same
/// atomic step as each batch, so a crash or Ctrl-C at any point can be resumed exactly.
final class ImportRun {
    static let required = ["timestamp", "type", "payment_method", "amount"]
    static let optional = ["status", "id", "sleep_ms", "currency", "updated_at"]

    let settings: ImportSettings
    let keys: KeyLayout
    var logger: Logger
    let stop: StopFlag
    let redis: RedisClient
    var parser: TransactionParser
    var methodBytes: [[UInt8]] = []

    var summary: ImportSummary
    var sourceId = ""
    var committed: String = "" // marker text as stored in Redis ('' for none)
    var generation = 0
    var hash = FNV1a64()
    var lastLine = 0
    var items: [[UInt8]] = []
    var writer: CompactBatchWriter
    var dead: [String] = []
    var rowsInBatch = 0
    var queuedInBatch = 0
    var rejectedInBatch: [String: Int] = [:]

    init(settings: ImportSettings, logger: Logger, stop: StopFlag) throws {
        self.settings = settings
        self.keys = settings.core.keys
        self.logger = logger
        self.stop = stop
        self.redis = RedisClient(seeds: settings.core.redis)
        self.redis.logger = logger
        self.parser = TransactionParser(
            calendar: try BusinessCalendar(timeZoneIdentifier: settings.core.timeZone),
            currency: settings.core.currency)
        self.summary = ImportSummary(file: settings.file)
        self.writer = CompactBatchWriter(source: "", firstLine: 0)
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
        let resumeLine = settings.restart ? 0 : (ImportMarker(parsing: committed)?.line ?? 0)
        var verified = resumeLine == 0
        if resumeLine > 0 { summary.resumedAfterLine = resumeLine }
        writer = CompactBatchWriter(source: sourceId, firstLine: 0)

        var progress = Progress(total: reader.fileSize, logger: logger)
        logger.info(
            "import starting",
            metadata: [
                "file": "\(settings.file)", "redis": "\(settings.core.redis)",
                "queue": "\(keys.queue)", "resume_after_line": "\(resumeLine)",
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
                guard r.line == resumeLine, hash.hex == ImportMarker(parsing: committed)?.hash else {
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
            while methodBytes.count < parser.methods.names.count {
                methodBytes.append(Array(parser.methods.names[methodBytes.count].utf8))
            }
            methodBytes[row.method].withUnsafeBytes { m in
                writer.append(
                    epochSeconds: row.epochSeconds, type: row.type, method: m, status: row.status, amountMinor: row.amountMinor,
                    currency: row.currency, id: row.id, updatedMicros: row.updatedMicros)
            }
            if let id = row.id {
                if resends == nil { resends = ResendCounter() } // 16 MiB, only for files with ids
                resends!.note(row, id: id)
            }
            rowsInBatch += 1
            queuedInBatch += 1
            if writer.rows >= settings.chunkRows { closeChunk() }
            return row.sleepMs
        }
    }

    var parserColumns = 0
    var resends: ResendCounter?

    typealias Columns = (
        ts: Int, type: Int, method: Int, amount: Int, status: Int?, sleep: Int?, currency: Int?, id: Int?, updated: Int?
    )

    func reject(_ reason: RejectReason, _ r: CSVRecord) {
        summary.rejected[reason.code, default: 0] += 1
        rejectedInBatch[reason.code, default: 0] += 1
        dead.append(
            DeadLetter(
                stage: "import", reason: reason, raw: r.rawString, source: sourceId,
                file: settings.file, line: r.line
            ).json)
        rowsInBatch += 1
    }

    func closeChunk() {
        guard writer.rows > 0 else { return }
        items.append(writer.buffer)
        writer = CompactBatchWriter(source: sourceId, firstLine: lastLine + 1)
    }

    /// Reads the source's marker; with --restart, starts a new generation from line 0.
    func resolveStartingPoint() throws {
        committed = try withRetry { try self.redis.run("HGET", self.keys.imports, self.sourceId).check().text ?? "" }
        let marker = ImportMarker(parsing: committed)
        if !committed.isEmpty && marker == nil {
            throw ImportError(description: "progress marker of source \(sourceId) in \(keys.imports) is unreadable: \(committed)")
        }
        generation = (marker?.generation ?? 0) + (settings.restart && marker != nil ? 1 : 0)
        if let marker, !settings.restart {
            logger.info(
                "source was imported before; resuming after its last committed row",
                metadata: ["line": "\(marker.line)", "queued_before": "\(marker.queued)"])
        }
    }

    /// Pushes the chunks and dead letters in hand and moves the marker, atomically.
    func flush() throws {
        closeChunk()
        guard !items.isEmpty || !dead.isEmpty else { return }
        let queuedNow = queuedInBatch
        let previous = ImportMarker(parsing: committed)
        let baseQueued = settings.restart && previous?.generation != generation ? 0 : (previous?.queued ?? 0)
        let baseRejected = settings.restart && previous?.generation != generation ? 0 : (previous?.rejected ?? 0)
        let marker = ImportMarker(
            generation: generation, line: lastLine, queued: baseQueued + queuedNow,
            rejected: baseRejected + dead.count, hash: hash.hex)
        var args = RedisCommand([sourceId, committed, marker.description, String(items.count)])
        args.reserve(bytes: items.reduce(0) { $0 + $1.count } + dead.reduce(0) { $0 + $1.utf8.count }, arguments: items.count + dead.count)
        for item in items { args.append(bytes: item) }
        for d in dead { args.append(d) }
        let reply = try withRetry {
            try self.redis.evalScript(Scripts.importBatch, keys: [self.keys.queue, self.keys.imports, self.keys.deadLetter], args: args)
        }
        if case .error(let m) = reply { throw conflict(m, expected: previous) }
        summary.queued += queuedNow
        Counter(label: "txstats_import_rows_queued_total").increment(by: queuedNow)
        Counter(label: "txstats_import_rows_read_total").increment(by: rowsInBatch)
        for (reason, n) in rejectedInBatch {
            Counter(label: "txstats_import_rows_rejected_total", dimensions: [("reason", reason)]).increment(by: n)
        }
        rejectedInBatch.removeAll(keepingCapacity: true)
        committed = marker.description
        items.removeAll(keepingCapacity: true)
        dead.removeAll(keepingCapacity: true)
        rowsInBatch = 0
        queuedInBatch = 0
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
