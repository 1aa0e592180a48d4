import ArgumentParser
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

/// The flags behind ``CoreSettings``, shared by every executable.
public struct CoreOptions: ParsableArguments, Sendable {
    @Option(name: CoreSetting.redisURL.argumentName, help: CoreSetting.redisURL.help)
    public var redisURL: String?

    @Option(name: CoreSetting.queue.argumentName, help: CoreSetting.queue.help)
    public var queue: String?

    @Option(name: CoreSetting.timeZone.argumentName, help: CoreSetting.timeZone.help)
    public var timeZone: String?

    @Option(name: CoreSetting.amountScale.argumentName, help: CoreSetting.amountScale.help)
    public var amountScale: String?

    public init() {}

    /// Resolves and validates every setting; the error names the bad one.
    public func resolve(environment: [String: String] = ProcessEnvironment.current) throws -> CoreSettings {
        let s = CoreSettings(
            redisURL: try CoreSetting.redisURL.resolve(flag: redisURL, environment: environment),
            queue: try CoreSetting.queue.resolve(flag: queue, environment: environment),
            timeZone: try CoreSetting.timeZone.resolve(flag: timeZone, environment: environment),
            amountScale: try CoreSetting.amountScale.resolve(flag: amountScale, environment: environment))
        do {
            _ = try BusinessCalendar(timeZoneIdentifier: s.timeZone)
        } catch {
            throw ConfigError(setting: CoreSetting.timeZone.name, problem: "\(error)")
        }
        return s
    }
}
