import StatsCore
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Logging for every executable: level from LOG_LEVEL (default info), to standard error, as
/// readable lines on a terminal and as one JSON object per line otherwise.
public enum LogSetup {
    public static func bootstrap(environment: [String: String] = ProcessEnvironment.current) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let json = isatty(STDERR_FILENO) == 0 || environment["TXSTATS_LOG_FORMAT"] == "json"
        let instance = ProcessInstance.name
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level, instance: instance) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
