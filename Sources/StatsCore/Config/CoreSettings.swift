import ArgumentParser

/// Settings every worker shares.
public struct CoreSettings: Sendable {
    public var redisURL: RedisURL
    public var queue: String
    public var timeZone: String
    public var amountScale: Int

    public var keys: KeyLayout { KeyLayout(queue: queue) }

    public init(redisURL: RedisURL = RedisURL(), queue: String = "TransactionQueue", timeZone: String = "UTC", amountScale: Int = 2) {
        self.redisURL = redisURL
        self.queue = queue
        self.timeZone = timeZone
        self.amountScale = amountScale
    }

    public static let redisURLSetting = Setting<RedisURL>(flag: "redis-url", variable: "REDIS_URL",
                                                          expectation: "redis://[:password@]host:port/db") { try? RedisURL(parsing: $0) }
    public static let queueSetting = Setting<String>.text(flag: "queue", variable: "TXSTATS_QUEUE")
    public static let timeZoneSetting = Setting<String>.text(flag: "timezone", variable: "TXSTATS_TIMEZONE",
                                                             expectation: "an IANA time zone name such as UTC or Europe/Berlin")
    public static let amountScaleSetting = Setting<Int>.integer(flag: "amount-scale", variable: "TXSTATS_AMOUNT_SCALE", range: 0...9)
}

/// The flags behind ``CoreSettings``, shared by every executable.
public struct CoreOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("redis-url"), help: "Redis server, redis://[:password@]host:port/db (env REDIS_URL, default redis://127.0.0.1:6379/0).")
    public var redisURL: String?

    @Option(name: .customLong("queue"), help: "Queue name; also the hash tag of every key (env TXSTATS_QUEUE, default TransactionQueue).")
    public var queue: String?

    @Option(name: .customLong("timezone"), help: "Business time zone for day and hour buckets, IANA name (env TXSTATS_TIMEZONE, default UTC).")
    public var timeZone: String?

    @Option(name: .customLong("amount-scale"), help: "Digits after the decimal point in amounts (env TXSTATS_AMOUNT_SCALE, default 2).")
    public var amountScale: String?

    public init() {}

    /// Resolves and validates every setting; the error names the bad one.
    public func resolve(environment: [String: String] = ProcessEnvironment.current) throws -> CoreSettings {
        let s = CoreSettings(
            redisURL: try CoreSettings.redisURLSetting.resolve(flag: redisURL, default: RedisURL(), environment: environment),
            queue: try CoreSettings.queueSetting.resolve(flag: queue, default: "TransactionQueue", environment: environment),
            timeZone: try CoreSettings.timeZoneSetting.resolve(flag: timeZone, default: "UTC", environment: environment),
            amountScale: try CoreSettings.amountScaleSetting.resolve(flag: amountScale, default: 2, environment: environment))
        do {
            _ = try BusinessCalendar(timeZoneIdentifier: s.timeZone)
        } catch {
            throw ConfigError(setting: CoreSettings.timeZoneSetting.name, problem: "\(error)")
        }
        return s
    }
}
