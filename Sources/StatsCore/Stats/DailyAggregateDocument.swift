import Foundation
import Mongo

/// The `DailyAggregates` document of one (day, type, currency), as in the original plus what the
/// richer views need. Amounts are Int64 minor units of `Currency` (`Scale`, the currency's ISO
/// 4217 exponent, says how many digits are fractional); two currencies never share a document:
///
///     { Date: "2026-01-15", Type: "deposits", Currency: "USD", Scale: 2,
///       TotalAmount: { paypal: 5276385, … },                 // successful transactions only
///       Status: { "paypal|success|n": 412, "paypal|success|a": 5276385, … },
///       Hourly: { "paypal|success|03|n": 17, "paypal|success|03|a": 212345, … },
///       TransactionCount: 1234, AppliedDeltas: [ 17, 18 ], LastUpdated: ISODate(…) }
///
/// With several partitions (`TXSTATS_PARTITIONS` > 1) the document also keeps each partition's
/// hourly cells apart, under `Partitions`, with a `Revision` for read-modify-write; the top
/// level is then their sum (see ``DailyAggregateParts``). With one partition it has neither.
///
/// Payment methods are map keys: a `.` and a leading `$` (not allowed in MongoDB field paths)
/// are stored as U+FF0E and U+FF04, as MongoDB's documentation recommends.
public enum DailyAggregateDocument {
    /// Late deltas remembered per document, to make re-applying one a no-op.
    public static let appliedDeltasKept = 64
    /// Each partition's share, keyed by partition number (only with several partitions).
    public static let partitionsField = "Partitions"
    /// Writes of a partitioned document so far: the optimistic-concurrency guard of its rewrites.
    public static let revisionField = "Revision"

    public static func escapeKey(_ s: String) -> String {
        var out = s.replacingOccurrences(of: ".", with: "\u{FF0E}")
        if out.hasPrefix("$") { out = "\u{FF04}" + out.dropFirst() }
        return out
    }

    public static func unescapeKey(_ s: String) -> String {
        var out = s.replacingOccurrences(of: "\u{FF0E}", with: ".")
        if out.hasPrefix("\u{FF04}") { out = "$" + out.dropFirst() }
        return out
    }

    static func map(_ values: [String: Int64]) -> BSONValue {
        .document(BSONDocument(pairs: values.sorted { $0.key < $1.key }.map { (escapeKey($0.key), .int64($0.value)) }))
    }

    static func count(_ cells: [String: Int64]) -> Int64 {
        cells.reduce(0) { $0 + ($1.key.hasSuffix("|n") ? $1.value : 0) }
    }

    /// The one document of a (day, type, currency).
    public static func filter(_ day: CivilDay, _ type: TransactionType, _ currency: Currency) -> BSONDocument {
        ["Date": .string(day.description), "Type": .string(type.plural), "Currency": .string(currency.code)]
    }

    /// The whole document for a day whose Redis hashes hold all of it.
    public static func replacement(_ agg: DayAggregate, now: Date = Date()) -> BSONDocument {
        BSONDocument(pairs: [
            ("Date", .string(agg.day.description)),
            ("Type", .string(agg.type.plural)),
            ("Currency", .string(agg.currency.code)),
            ("Scale", .int32(Int32(agg.currency.exponent))),
            ("TotalAmount", map(agg.successTotals)),
            ("Status", map(agg.statusTotals)),
            ("Hourly", map(agg.cells)),
            ("TransactionCount", .int64(count(agg.cells))),
            ("AppliedDeltas", .array([])),
            ("LastUpdated", .date(Int64(now.timeIntervalSince1970 * 1000))),
        ])
    }

    /// Adds a late delta exactly once: the filter excludes a document that already recorded
    /// `seq`, and with upsert the unique (Date, Type, Currency) index then refuses the insert
    /// (code 11000), which the caller takes as "already applied". Values may be negative or
    /// zero (a status change moves a transaction from one cell to another): `$inc` adds them
    /// as they are.
    public static func deltaUpdate(_ delta: DayAggregate, seq: Int64, now: Date = Date()) -> (
        filter: BSONDocument, update: BSONDocument
    ) {
        var inc: [(String, BSONValue)] = []
        for (m, v) in delta.successTotals.sorted(by: { $0.key < $1.key }) { inc.append(("TotalAmount.\(escapeKey(m))", .int64(v))) }
        for (k, v) in delta.statusTotals.sorted(by: { $0.key < $1.key }) { inc.append(("Status.\(escapeKey(k))", .int64(v))) }
        for (k, v) in delta.cells.sorted(by: { $0.key < $1.key }) { inc.append(("Hourly.\(escapeKey(k))", .int64(v))) }
        inc.append(("TransactionCount", .int64(count(delta.cells))))
        var filter = Self.filter(delta.day, delta.type, delta.currency)
        filter.append("AppliedDeltas", ["$ne": .int64(seq)])
        let update: BSONDocument = [
            "$inc": .document(BSONDocument(pairs: inc)),
            "$push": ["AppliedDeltas": ["$each": [.int64(seq)], "$slice": .int64(-Int64(appliedDeltasKept))]],
            "$set": ["LastUpdated": .date(Int64(now.timeIntervalSince1970 * 1000))],
            // On insert, Currency comes from the filter's equality.
            "$setOnInsert": ["Scale": .int32(Int32(delta.currency.exponent))],
        ]
        return (filter, update)
    }

    /// What a reader needs from a stored document.
    public struct Parsed: Sendable {
        public var day: CivilDay
        public var type: TransactionType
        /// nil for a document written before currencies (``DailyAggregateMigration`` gives it one).
        public var currency: Currency?
        public var totals: [String: Int64]
        public var cells: [String: Int64]
        public var status: [String: Int64]
        public var appliedDeltas: Set<Int64>
        /// `Partitions`, nil if the document has none (written by a single-partition fleet).
        public var partitions: [Int: DailyAggregateParts.Part]?
        /// `Revision`, nil if the document has none.
        public var revision: Int64?
    }

    public static func parse(_ doc: BSONDocument) -> Parsed? {
        guard let day = doc["Date"]?.string.flatMap({ CivilDay.parse($0) }),
            let type = doc["Type"]?.string.flatMap({ TransactionType(text: $0) })
        else { return nil }
        func ints(_ key: String) -> [String: Int64] { cells(doc[key]) }
        var partitions: [Int: DailyAggregateParts.Part]?
        if let stored = doc[partitionsField]?.document {
            var parts: [Int: DailyAggregateParts.Part] = [:]
            for (k, v) in stored {
                guard let p = Int(k), let part = v.document else { continue }
                parts[p] = DailyAggregateParts.Part(
                    cells: cells(part["Hourly"]), appliedDeltas: (part["AppliedDeltas"]?.array ?? []).compactMap(\.int64))
            }
            partitions = parts
        }
        return Parsed(
            day: day, type: type, currency: doc["Currency"]?.string.flatMap { Currency(code: $0) }, totals: ints("TotalAmount"),
            cells: ints("Hourly"), status: ints("Status"),
            appliedDeltas: Set((doc["AppliedDeltas"]?.array ?? []).compactMap(\.int64)), partitions: partitions,
            revision: doc[revisionField]?.int64)
    }

    /// Integer values of a map of cells, keys unescaped (other values are not ours: skipped).
    static func cells(_ value: BSONValue?) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for (k, v) in value?.document ?? BSONDocument() { if let n = v.int64 { out[unescapeKey(k)] = n } }
        return out
    }

    /// `$jsonSchema` validator for the collection.
    public static var validator: BSONDocument {
        [
            "$jsonSchema": [
                "bsonType": "object",
                "required": ["Date", "Type", "Currency", "LastUpdated"],
                "properties": [
                    "Date": ["bsonType": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"],
                    "Type": ["enum": ["deposits", "withdrawals"]],
                    "Currency": ["bsonType": "string", "pattern": "^[A-Z]{3}$"],
                    "TotalAmount": ["bsonType": "object"],
                    "Status": ["bsonType": "object"],
                    "Hourly": ["bsonType": "object"],
                    "AppliedDeltas": ["bsonType": "array"],
                    "Partitions": ["bsonType": "object"],
                    "Revision": ["bsonType": "long"],
                    "LastUpdated": ["bsonType": "date"],
                ],
            ]
        ]
    }

    /// The unique index that keeps one document per (Date, Type, Currency).
    public static let uniqueIndexName = "idx_date_type_currency"
    /// Layout 1's unique index on (Date, Type): it would refuse a second currency's document
    /// for the same day and type, so ``DailyAggregateMigration`` drops it.
    public static let legacyUniqueIndexName = "idx_date_type"

    public static var indexes: [BSONDocument] {
        [
            ["key": ["Date": 1, "Type": 1, "Currency": 1], "name": .string(uniqueIndexName), "unique": true],
            ["key": ["Date": 1], "name": "idx_date"],
        ]
    }
}
