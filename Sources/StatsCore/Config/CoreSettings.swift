import Redis

/// Settings every worker shares.
public struct CoreSettings: Sendable {
    public var redisURL: RedisURL
    public var queue: String
    public var timeZone: String
    /// The currency of items that name none (`TXSTATS_CURRENCY`).
    public var currency: Currency
    /// Ids are remembered for this many days after their transaction's day (`TXSTATS_LEDGER_DAYS`).
    public var ledgerDays: Int

    public var keys: KeyLayout { KeyLayout(queue: queue) }

    public init(redisURL: RedisURL, queue: String, timeZone: String, currency: Currency, ledgerDays: Int = 35) {
        self.redisURL = redisURL
        self.queue = queue
        self.timeZone = timeZone
        self.currency = currency
        self.ledgerDays = ledgerDays
    }
}
