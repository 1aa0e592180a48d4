import Redis
import StatsCore

/// The settings every worker shares, each declared once.
public enum CoreSetting {
    public static let redisURL = Setting<RedisURL>(
        flag: "redis-url", variable: "REDIS_URL", default: RedisURL(), defaultText: "redis://127.0.0.1:6379/0",
        summary: "Redis server, redis://[[user]:password@]host[:port][/db]",
        expectation: "redis://[[user]:password@]host[:port][/db]"
    ) { try? RedisURL(parsing: $0) }

    public static let queue = Setting<String>.name(
        flag: "queue", variable: "TXSTATS_QUEUE", default: "TransactionQueue",
        summary: "Queue name; also the hash tag of every key")

    public static let timeZone = Setting<String>.name(
        flag: "timezone", variable: "TXSTATS_TIMEZONE", default: "UTC",
        summary: "Business time zone for day and hour buckets, IANA name",
        expectation: "an IANA time zone name such as UTC or Europe/Berlin")

    public static let amountScale = Setting<Int>.integer(
        flag: "amount-scale", variable: "TXSTATS_AMOUNT_SCALE", default: 2, range: 0...9,
        summary: "Digits after the decimal point in amounts")
}
