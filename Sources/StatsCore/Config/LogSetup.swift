import Logging

/// Logging for every executable: level from LOG_LEVEL (default info), to standard error.
public enum LogSetup {
    public static func bootstrap(environment: [String: String] = ProcessEnvironment.current) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
