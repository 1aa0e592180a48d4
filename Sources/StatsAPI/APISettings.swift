import StatsCore
import WorkerRuntime

/// Everything the api needs to run, resolved: the shared settings, history, where to listen,
/// the request limits and the tokens.
public struct APISettings: Sendable {
    public var core: CoreSettings
    public var history: HistorySettings
    public var host: String
    public var port: Int
    public var maxRangeDays: Int
    /// Bearer tokens: admin routes exist only with one; read routes require one if set.
    public var adminToken: String?
    public var readToken: String?

    public init(
        core: CoreSettings, history: HistorySettings, host: String, port: Int, maxRangeDays: Int,
        adminToken: String?, readToken: String?
    ) {
        self.core = core
        self.history = history
        self.host = host
        self.port = port
        self.maxRangeDays = maxRangeDays
        self.adminToken = adminToken
        self.readToken = readToken
    }
}

/// The api's own settings, each declared once.
public enum APISetting {
    public static let host = Setting<String>.name(
        flag: "host", variable: "TXSTATS_HOST", default: "127.0.0.1", summary: "Address to listen on")

    public static let port = Setting<Int>.integer(
        flag: "port", variable: "PORT", default: 8000, range: 0...65535, summary: "Port to listen on")

    public static let maxRangeDays = Setting<Int>.integer(
        flag: "max-range-days", variable: "TXSTATS_MAX_RANGE_DAYS", default: 3660, range: 1...100_000,
        summary: "Longest range a request may ask for, in days")

    /// Tokens come from the environment only, never from flags (they would show in `ps`).
    public static let adminToken = token("TXSTATS_ADMIN_TOKEN", "Bearer token of the admin routes; without one they do not exist")
    public static let readToken = token("TXSTATS_READ_TOKEN", "Bearer token the read routes require, if set")

    private static func token(_ variable: String, _ summary: String) -> Setting<String?> {
        Setting(
            flag: nil, variable: variable, default: nil, defaultText: "unset", summary: summary,
            expectation: "a token of printable ASCII without spaces", isSecret: true
        ) { text in
            text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } ? text : nil
        }
    }
}
