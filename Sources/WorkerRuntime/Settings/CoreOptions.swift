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
