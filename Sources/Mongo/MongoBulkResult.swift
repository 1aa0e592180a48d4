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
