import Redis

/// Settings every worker shares.
public struct CoreSettings: Sendable {
    public var redisURL: RedisURL
    public var queue: String
    public var timeZone: String
    public var amountScale: Int

    public var keys: KeyLayout { KeyLayout(queue: queue) }

    public init(redisURL: RedisURL, queue: String, timeZone: String, amountScale: Int) {
        self.redisURL = redisURL
        self.queue = queue
        self.timeZone = timeZone
        self.amountScale = amountScale
    }
}
