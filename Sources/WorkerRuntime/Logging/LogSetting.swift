import Logging
import StatsCore

/// How every executable logs, from the environment only, each declared once.
public enum LogSetting {
    public static let level = Setting<Logger.Level>(
        flag: nil, variable: "LOG_LEVEL", default: .info, defaultText: "info",
        summary: "Lowest level logged", expectation: "trace, debug, info, notice, warning, error or critical"
    ) { Logger.Level(rawValue: $0.trimmingASCIISpaces.lowercased()) }

    /// `json` forces JSON lines on a terminal too; off a terminal they are the default.
    public static let format = Setting<String>(
        flag: nil, variable: "TXSTATS_LOG_FORMAT", default: "auto", defaultText: "auto",
        summary: "Log format", expectation: "auto or json"
    ) { ["auto", "json"].contains($0.lowercased()) ? $0.lowercased() : nil }
}
