/// What every commit re-checks against `{Q}:meta`: the settings all workers of a queue share.
public struct QueueMeta: Sendable, Equatable {
    public var timeZone: String
    public var currency: Currency
    public var layout: String
    /// Partitions of the fleet: items with an id are routed by it, so every worker must agree.
    public var partitions: Int

    public init(timeZone: String, currency: Currency, layout: String = KeyLayout.layoutVersion, partitions: Int = 1) {
        self.timeZone = timeZone
        self.currency = currency
        self.layout = layout
        self.partitions = partitions
    }

    /// Field/value pairs as stored in `{Q}:meta`.
    public var fields: [String] {
        ["timezone", timeZone, "currency", currency.code, "layout", layout, "partitions", String(partitions)]
    }
}
