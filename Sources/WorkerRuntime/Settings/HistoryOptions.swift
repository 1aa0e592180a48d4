import ArgumentParser
import StatsCore

public struct HistoryOptions: ParsableArguments, Sendable {
    @Option(name: HistorySetting.mongoURI.argumentName, help: HistorySetting.mongoURI.help)
    public var mongoURI: String?

    @Option(name: HistorySetting.database.argumentName, help: HistorySetting.database.help)
    public var database: String?

    @Option(name: HistorySetting.cutoffDays.argumentName, help: HistorySetting.cutoffDays.help)
    public var cutoffDays: String?

    @Option(name: HistorySetting.today.argumentName, help: HistorySetting.today.help)
    public var today: String?

    public init() {}

    public func resolve(environment: [String: String] = ProcessEnvironment.current) throws -> HistorySettings {
        HistorySettings(
            mongoURI: try HistorySetting.mongoURI.resolve(flag: mongoURI, environment: environment),
            database: try HistorySetting.database.resolve(flag: database, environment: environment),
            cutoffDays: try HistorySetting.cutoffDays.resolve(flag: cutoffDays, environment: environment),
            today: try HistorySetting.today.resolve(flag: today, environment: environment))
    }
}
