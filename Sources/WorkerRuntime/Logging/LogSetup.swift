import Foundation
import Logging
import StatsCore

#if canImport(Glibc)
    import Glibc
#endif

/// Logging for every executable: level from LOG_LEVEL (default info), to standard error, as
/// readable lines on a terminal and as one JSON object per line otherwise.
public enum LogSetup {
    public static func bootstrap(environment: [String: String] = ProcessEnvironment.current) {
        // Logging must start even with a bad value; the problem is logged once it can be.
        var problems: [String] = []
        let level: Logger.Level
        do { level = try LogSetting.level.resolve(flag: nil, environment: environment) } catch {
            level = LogSetting.level.defaultValue
            problems.append("\(error)")
        }
        let format: String
        do { format = try LogSetting.format.resolve(flag: nil, environment: environment) } catch {
            format = LogSetting.format.defaultValue
            problems.append("\(error)")
        }
        let json = isatty(STDERR_FILENO) == 0 || format == "json"
        let instance = ProcessInstance.name
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level, instance: instance) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        for problem in problems { Logger(label: "txstats").warning("\(problem); using the default") }
    }
}
