import Redis
import StatsCore

/// The settings every worker shares, each declared once.
public enum CoreSetting {
    public static let redisURL = Setting<RedisSeeds>(
        flag: "redis-url", variable: "REDIS_URL", default: RedisSeeds(), defaultText: "redis://127.0.0.1:6379/0",
        summary: "Redis server, or comma-separated seed nodes of a Redis Cluster, redis://[[user]:password@]host[:port][/db]",
        expectation: "redis://[[user]:password@]host[:port][/db], or several comma-separated (cluster seeds)"
    ) { try? RedisSeeds(parsing: $0) }

    public static let partitions = Setting<Int>.integer(
        flag: "partition-count", variable: "TXSTATS_PARTITIONS", default: 1, range: Partitioning.range,
        summary:
            "Queues the work is split into, each with its own hash tag (spread over a Redis Cluster's masters); every worker of a fleet must agree"
    )

    public static let replicaWait = Setting<Int?>(
        flag: nil, variable: "TXSTATS_REDIS_WAIT_REPLICAS", default: nil,
        defaultText: "1 on a cluster whose masters have replicas, else 0",
        summary: "Replicas each import batch and aggregate commit waits for (WAIT) before it counts as done",
        expectation: "a whole number in 0...16"
    ) { text -> Int?? in
        guard let v = Int(text.trimmingASCIISpaces), (0...16).contains(v) else { return nil }
        return .some(v)
    }

    public static let queue = Setting<String>.name(
        flag: "queue", variable: "TXSTATS_QUEUE", default: "TransactionQueue",
        summary: "Queue name; also the hash tag of every key")

    public static let timeZone = Setting<String>.name(
        flag: "timezone", variable: "TXSTATS_TIMEZONE", default: "UTC",
        summary: "Business time zone for day and hour buckets, IANA name",
        expectation: "an IANA time zone name such as UTC or Europe/Berlin")

    public static let currency = Setting<Currency>(
        flag: "currency", variable: "TXSTATS_CURRENCY", default: Currency(code: "USD")!, defaultText: "USD",
        summary: "ISO 4217 currency of items that name none; its minor unit comes from the built-in table",
        expectation: "an ISO 4217 code with a minor unit, such as USD, EUR, JPY or KWD"
    ) { Currency(code: $0) }

    public static let ledgerDays = Setting<Int>.integer(
        flag: "ledger-days", variable: "TXSTATS_LEDGER_DAYS", default: 35, range: 1...3660,
        summary: "Days after a transaction's day during which its id is remembered (resends, status changes)")

    /// Retired: the minor unit now comes from each amount's currency. Still read, so that a
    /// deployment that sets it learns why instead of having it ignored.
    public static let amountScale = Setting<Int?>(
        flag: nil, variable: "TXSTATS_AMOUNT_SCALE", default: nil, defaultText: "(retired)",
        summary: "Retired: amounts use the minor unit of their currency (TXSTATS_CURRENCY for items without one)",
        expectation: "a number 0-9 (and it must equal the minor unit of TXSTATS_CURRENCY)"
    ) { text -> Int?? in
        guard let v = Int(text.trimmingASCIISpaces), (0...9).contains(v) else { return nil }
        return .some(v)
    }
}
