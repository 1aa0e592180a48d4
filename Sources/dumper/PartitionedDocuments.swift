import Logging
import Mongo
import StatsCore

/// The MongoDB writes of a fleet with several partitions. A document holds every partition's
/// share apart (``DailyAggregateParts``), so one partition's write cannot be a blind replace or
/// a `$inc` of the top level: each write reads the document, changes its own partition's share,
/// recomputes the top level and replaces the document — only if its `Revision` is still the one
/// read (a dumper whose lease expired mid-pass may be writing too). A lost race reads again.
///
/// Redoing a write is harmless: a whole write sets the same cells again, and a delta already in
/// its partition's `AppliedDeltas` is skipped. So after a lost race the whole batch is redone.
struct PartitionedDocuments {
    let mongo: MongoClient
    let logger: Logger
    /// Rounds of read and write before the pass gives up (and is retried by the dumper's backoff).
    static let attempts = 10

    /// One partition's change to one (day, type, currency) document.
    struct Edit {
        enum Kind {
            /// The day as partition `partition`'s Redis hash holds it, in full.
            case whole
            /// A late delta: partition `partition`'s outbox entry `seq`.
            case delta(seq: Int64)
        }
        var aggregate: DayAggregate
        var partition: Int
        var kind: Kind

        /// Applies the edit to the stored parts; false if it was already there (a delta applied before).
        func apply(to parts: inout DailyAggregateParts) -> Bool {
            switch kind {
            case .whole:
                parts.replace(partition: partition, cells: aggregate.cells)
                return true
            case .delta(let seq):
                return parts.add(partition: partition, seq: seq, cells: aggregate.cells)
            }
        }
    }

    struct DocumentKey: Hashable {
        var day: CivilDay
        var type: TransactionType
        var currency: Currency
    }

    /// Writes every edit (at most one per document); returns how many changed a document.
    @discardableResult
    func write(_ edits: [Edit]) throws -> Int {
        guard !edits.isEmpty else { return 0 }
        for attempt in 1...Self.attempts {
            let stored = try read(edits)
            var operations: [MongoWriteOperation] = []
            for e in edits {
                let key = DocumentKey(day: e.aggregate.day, type: e.aggregate.type, currency: e.aggregate.currency)
                let existing = stored[key]
                var parts = existing.map { DailyAggregateParts(stored: $0) } ?? DailyAggregateParts()
                guard e.apply(to: &parts) else { continue }
                var filter = DailyAggregateDocument.filter(key.day, key.type, key.currency)
                // A document without Revision (never rewritten by a partitioned fleet, or not
                // there at all: then the upsert inserts it) is matched by its absence.
                filter.append(DailyAggregateDocument.revisionField, existing?.revision.map { .int64($0) } ?? ["$exists": false])
                operations.append(
                    .replaceOne(
                        filter: filter,
                        replacement: parts.document(key.day, key.type, key.currency, revision: (existing?.revision ?? 0) + 1),
                        upsert: true))
            }
            if operations.isEmpty { return 0 }
            do {
                let r = try mongo.bulkWrite(HistorySettings.collection, operations: operations, ordered: false)
                if r.matched + r.upserted == operations.count { return operations.count }
            } catch {
                // A document changed after it was read, and the upsert then met the unique index.
                guard Self.lostRace(error) else { throw error }
            }
            logger.notice(
                "a document changed while the dumper rewrote it (another dumper?); reading it again",
                metadata: ["documents": "\(operations.count)", "attempt": "\(attempt)"])
        }
        throw MongoError(
            domain: 0, code: 0,
            message: "\(HistorySettings.collection) documents kept changing while the dumper rewrote them \(Self.attempts) times")
    }

    /// The stored documents the edits change, in one query.
    private func read(_ edits: [Edit]) throws -> [DocumentKey: DailyAggregateDocument.Parsed] {
        let days = Set(edits.map(\.aggregate.day)).sorted().map { BSONValue.string($0.description) }
        let currencies = Set(edits.map(\.aggregate.currency)).sorted().map { BSONValue.string($0.code) }
        let docs = try mongo.find(
            HistorySettings.collection, filter: ["Date": ["$in": .array(days)], "Currency": ["$in": .array(currencies)]])
        var out: [DocumentKey: DailyAggregateDocument.Parsed] = [:]
        for doc in docs {
            guard let p = DailyAggregateDocument.parse(doc), let currency = p.currency else { continue }
            out[DocumentKey(day: p.day, type: p.type, currency: currency)] = p
        }
        return out
    }

    /// Every write error is a duplicate key: each refused write lost a race, none was invalid.
    static func lostRace(_ error: MongoError) -> Bool {
        if let errors = error.reply?["writeErrors"]?.array, !errors.isEmpty {
            return errors.allSatisfy { $0.document?["code"]?.int64 == 11000 }
        }
        return error.isDuplicateKey
    }
}
