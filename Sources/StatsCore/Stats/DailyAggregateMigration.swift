import Mongo

/// Brings `DailyAggregates` to the per-currency schema, idempotently; the dumper runs it at
/// start-up, holding its lease, before its first pass:
///
/// 1. documents written before currencies (no `Currency`) are in the default currency: they
///    get `Currency` — only if their `Scale` is that currency's exponent (or absent, then they
///    get that `Scale` too). One document with another scale stops the migration, before it
///    changed anything, with ``Refusal`` naming the mismatch: its minor units are not the
///    default currency's, and relabelling them would misstate every amount.
/// 2. the validator (requiring `Currency`; typing `Partitions` and `Revision`, which only a fleet
///    of several partitions writes) is set, by `create` or `collMod`; documents written before
///    partitions need no change: without `Partitions` a document counts as partition 0's whole;
/// 3. the old unique index on (Date, Type) is dropped, and the one on (Date, Type, Currency)
///    created (it would refuse a second currency's document for the same day and type).
///
/// Run twice, the second run finds nothing to relabel, sets the same validator, finds no old
/// index, and creates indexes that exist: it changes nothing.
public enum DailyAggregateMigration {
    /// Documents without `Currency` whose `Scale` is not the default currency's exponent.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public struct Outcome: Sendable, Equatable {
        /// Documents given the default currency.
        public var relabelled = 0
        /// Whether the layout-1 unique index was there and has been dropped.
        public var droppedLegacyIndex = false

        public init(relabelled: Int = 0, droppedLegacyIndex: Bool = false) {
            self.relabelled = relabelled
            self.droppedLegacyIndex = droppedLegacyIndex
        }
    }

    public static func run(_ mongo: MongoClient, defaultCurrency currency: Currency) throws -> Outcome {
        let collection = HistorySettings.collection
        var outcome = Outcome()
        let legacy: BSONDocument = ["Currency": ["$exists": false]]

        var mismatch = legacy
        mismatch.append("Scale", ["$exists": true, "$ne": .int32(Int32(currency.exponent))])
        let wrong = try mongo.count(collection, filter: mismatch)
        if wrong > 0 {
            let examples = try mongo.find(collection, filter: mismatch, projection: ["Date": 1, "Type": 1, "Scale": 1, "_id": 0], limit: 3)
            let listed = examples.map { d in
                "\(d["Date"]?.string ?? "?") \(d["Type"]?.string ?? "?") Scale=\(d["Scale"].map(Self.text) ?? "?")"
            }.joined(separator: ", ")
            throw Refusal(
                description:
                    "\(collection) holds \(wrong) document(s) without Currency whose Scale is not \(currency.exponent), the exponent "
                    + "of the default currency \(currency.code) (TXSTATS_CURRENCY), e.g. \(listed); they were written with "
                    + "another amount scale, so they cannot be labelled \(currency.code). Set TXSTATS_CURRENCY to the currency "
                    + "they are in, or fix those documents, then start again; nothing was changed")
        }

        var noScale = legacy
        noScale.append("Scale", ["$exists": false])
        outcome.relabelled += try mongo.updateMany(
            collection, filter: noScale,
            update: ["$set": ["Currency": .string(currency.code), "Scale": .int32(Int32(currency.exponent))]]
        ).modified
        outcome.relabelled += try mongo.updateMany(collection, filter: legacy, update: ["$set": ["Currency": .string(currency.code)]])
            .modified

        try mongo.ensureCollection(collection, validator: DailyAggregateDocument.validator)
        outcome.droppedLegacyIndex = try mongo.dropIndex(collection, name: DailyAggregateDocument.legacyUniqueIndexName)
        try mongo.createIndexes(collection, indexes: DailyAggregateDocument.indexes)
        return outcome
    }

    private static func text(_ v: BSONValue) -> String {
        switch v {
        case .int32(let n): String(n)
        case .int64(let n): String(n)
        case .double(let d): String(d)
        case .string(let s): JSONText.quote(s)
        default: "\(v)"
        }
    }
}
