/// One write of a ``MongoClient/bulkWrite(_:operations:ordered:)``.
public enum MongoWriteOperation: Sendable, Equatable {
    /// Replaces the first document matching `filter` (no `$` operators in `replacement`).
    case replaceOne(filter: BSONDocument, replacement: BSONDocument, upsert: Bool)
    /// Applies update operators (`$set`, `$inc`, ...) to the first document matching `filter`.
    case updateOne(filter: BSONDocument, update: BSONDocument, upsert: Bool)
    case deleteOne(filter: BSONDocument)
}
