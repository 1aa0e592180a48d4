import ArgumentParser
import Redis
import StatsCore

/// The flags behind ``CoreSettings``, shared by every executable.
public struct CoreOptions: ParsableArguments, Sendable {
    @Option(name: CoreSetting.redisURL.argumentName, help: CoreSetting.redisURL.help)
    public var redisURL: String?

    @Option(name: CoreSetting.queue.argumentName, help: CoreSetting.queue.help)
    public var queue: String?

    @Option(name: CoreSetting.timeZone.argumentName, help: CoreSetting.timeZone.help)
    public var timeZone: String?

    @Option(name: CoreSetting.currency.argumentName, help: CoreSetting.currency.help)
    public var currency: String?

    @Option(name: CoreSetting.ledgerDays.argumentName, help: CoreSetting.ledgerDays.help)
    public var ledgerDays: String?

    @Option(name: CoreSetting.partitions.argumentName, help: CoreSetting.partitions.help)
    public var partitions: String?

    public init() {}

    /// Resolves and validates every setting; the error names the bad one.
    public func resolve(environment: [String: String] = ProcessEnvironment.current) throws -> CoreSettings {
        let s = CoreSettings(
            redis: try CoreSetting.redisURL.resolve(flag: redisURL, environment: environment),
            queue: try CoreSetting.queue.resolve(flag: queue, environment: environment),
            timeZone: try CoreSetting.timeZone.resolve(flag: timeZone, environment: environment),
            currency: try CoreSetting.currency.resolve(flag: currency, environment: environment),
            ledgerDays: try CoreSetting.ledgerDays.resolve(flag: ledgerDays, environment: environment),
            partitions: try CoreSetting.partitions.resolve(flag: partitions, environment: environment),
            replicaWait: try CoreSetting.replicaWait.resolve(flag: nil, environment: environment))
        if let scale = try CoreSetting.amountScale.resolve(flag: nil, environment: environment), scale != s.currency.exponent {
            throw ConfigError(
                setting: CoreSetting.amountScale.name,
                problem:
                    "is retired: amounts use the minor unit of their currency, and \(s.currency.code) has \(s.currency.exponent) (not \(scale)); remove TXSTATS_AMOUNT_SCALE, or set TXSTATS_CURRENCY to the currency your amounts are in"
            )
        }
        do {
            _ = try BusinessCalendar(timeZoneIdentifier: s.timeZone)
        } catch {
            throw ConfigError(setting: CoreSetting.timeZone.name, problem: "\(error)")
        }
        return s
    }
}
