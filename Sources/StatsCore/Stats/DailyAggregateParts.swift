import Foundation
import Mongo

/// The partitions' shares of one (day, type, currency) document, for a fleet of several
/// partitions (``Partitioning``). Each partition keeps its own dirty/dumping/archived/outbox
/// state in Redis, so the document keeps each partition's hourly cells apart: a whole write from
/// partition p replaces only p's cells, and p's late deltas are de-duplicated with p's own
/// outbox sequence numbers (two partitions' sequences are unrelated). The top level is derived:
///
///     { Date, Type, Currency, Scale,
///       TotalAmount, Status, Hourly, TransactionCount,        // the sum of the parts
///       Partitions: { "0": { Hourly: {…}, AppliedDeltas: [17, 18] }, "2": { Hourly: {…}, AppliedDeltas: [] } },
///       Revision: 7, LastUpdated }
///
/// `Revision` counts the writes of the document: a writer replaces it only if it still has the
/// revision it read (a dumper whose lease expired mid-write must not undo another's change).
public struct DailyAggregateParts: Sendable, Equatable {
    /// One partition's share.
    public struct Part: Sendable, Equatable {
        public var cells: [String: Int64]
        /// That partition's outbox sequence numbers already added, oldest first (the last
        /// ``DailyAggregateDocument/appliedDeltasKept``).
        public var appliedDeltas: [Int64]

        public init(cells: [String: Int64] = [:], appliedDeltas: [Int64] = []) {
            self.cells = cells
            self.appliedDeltas = appliedDeltas
        }
    }

    public var parts: [Int: Part]

    public init(parts: [Int: Part] = [:]) {
        self.parts = parts
    }

    /// The parts of a stored document. A document written by a single-partition fleet (no
    /// `Partitions`) is all partition 0's: that is where a single queue's data now lives.
    public init(stored doc: DailyAggregateDocument.Parsed) {
        parts =
            doc.partitions ?? [0: Part(cells: doc.cells, appliedDeltas: doc.appliedDeltas.sorted())]
    }

    /// A whole day of partition `p`, read from its Redis hash, replaces p's share.
    public mutating func replace(partition p: Int, cells: [String: Int64]) {
        parts[p, default: Part()].cells = cells
    }

    /// Adds partition `p`'s late delta `seq` unless p's share already has it; false if it had.
    public mutating func add(partition p: Int, seq: Int64, cells: [String: Int64]) -> Bool {
        var part = parts[p, default: Part()]
        guard !part.appliedDeltas.contains(seq) else { return false }
        for (k, v) in cells { part.cells[k, default: 0] += v }
        part.appliedDeltas = Array((part.appliedDeltas + [seq]).suffix(DailyAggregateDocument.appliedDeltasKept))
        parts[p] = part
        return true
    }

    /// The cells of every partition added up: what the document's top level holds.
    public var cells: [String: Int64] {
        var out: [String: Int64] = [:]
        for part in parts.values {
            for (k, v) in part.cells { out[k, default: 0] += v }
        }
        return out
    }

    /// The whole document: the parts, and the top level computed from their sum.
    public func document(
        _ day: CivilDay, _ type: TransactionType, _ currency: Currency, revision: Int64, now: Date = Date()
    ) -> BSONDocument {
        let total = DayAggregate(day: day, type: type, currency: currency, cells: cells)
        let stored = parts.sorted { $0.key < $1.key }.map { p, part -> (String, BSONValue) in
            (
                String(p),
                .document([
                    "Hourly": DailyAggregateDocument.map(part.cells), "AppliedDeltas": .array(part.appliedDeltas.map { .int64($0) }),
                ])
            )
        }
        return BSONDocument(pairs: [
            ("Date", .string(day.description)),
            ("Type", .string(type.plural)),
            ("Currency", .string(currency.code)),
            ("Scale", .int32(Int32(currency.exponent))),
            ("TotalAmount", DailyAggregateDocument.map(total.successTotals)),
            ("Status", DailyAggregateDocument.map(total.statusTotals)),
            ("Hourly", DailyAggregateDocument.map(total.cells)),
            ("TransactionCount", .int64(DailyAggregateDocument.count(total.cells))),
            (DailyAggregateDocument.partitionsField, .document(BSONDocument(pairs: stored))),
            (DailyAggregateDocument.revisionField, .int64(revision)),
            ("LastUpdated", .date(Int64(now.timeIntervalSince1970 * 1000))),
        ])
    }
}
