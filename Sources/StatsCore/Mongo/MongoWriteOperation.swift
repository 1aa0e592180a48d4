/// One write of a ``MongoClient/bulkWrite(_:operations:ordered:)``.
public enum MongoWriteOperation: Sendable, Equatable {
    /// Replaces the first document matching `filter` (no `$` operators in `replacement`).
    case replaceOne(filter: BSONDocument, replacement: BSONDocument, upsert: Bool)
    /// Applies update operators (`$set`, `$inc`, ...) to the first document matching `filter`.
    case updateOne(filter: BSONDocument, update: BSONDocument, upsert: Bool)
    case deleteOne(filter: BSONDocument)
}

/// Counts reported by the server for a bulk write.
public struct MongoBulkResult: Sendable, Equatable {
    public var matched: Int
    public var modified: Int
    public var upserted: Int
    public var deleted: Int

    public init(matched: Int = 0, modified: Int = 0, upserted: Int = 0, deleted: Int = 0) {
        self.matched = matched
        self.modified = modified
        self.upserted = upserted
        self.deleted = deleted
    }
}
