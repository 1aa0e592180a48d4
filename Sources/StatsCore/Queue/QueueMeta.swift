/// What every commit re-checks against `{Q}:meta`: the settings all workers of a queue share.
public struct QueueMeta: Sendable, Equatable {
    public var timeZone: String
    public var currency: Currency
    public var layout: String

    public init(timeZone: String, currency: Currency, layout: String = KeyLayout.layoutVersion) {
        self.timeZone = timeZone
        self.currency = currency
        self.layout = layout
    }

    /// Field/value pairs as stored in `{Q}:meta`.
    public var fields: [String] { ["timezone", timeZone, "currency", currency.code, "layout", layout] }
}
