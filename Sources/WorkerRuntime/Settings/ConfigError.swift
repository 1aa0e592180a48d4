import StatsCore

/// A setting that is missing or invalid, named as the user wrote it (flag and variable).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var setting: String
    public var problem: String

    public init(setting: String, problem: String) {
        self.setting = setting
        self.problem = problem
    }

    public var description: String { "invalid setting \(setting): \(problem)" }
}
