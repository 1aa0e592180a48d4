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
    /// Seconds a connection may stay without a request (and a request head may take to arrive).
    public var idleTimeoutSeconds: Double
    /// Open connections at most; lowered at start to what fits under the open-file limit.
    public var maxConnections: Int
    /// Bytes the response cache may hold.
    public var cacheBytes: Int

    public init(
        core: CoreSettings, history: HistorySettings, host: String, port: Int, maxRangeDays: Int,
        adminToken: String?, readToken: String?,
        idleTimeoutSeconds: Double = APISetting.idleTimeout.defaultValue,
        maxConnections: Int = APISetting.maxConnections.defaultValue,
        cacheBytes: Int = APISetting.cacheBytes.defaultValue
    ) {
        self.core = core
        self.history = history
        self.host = host
        self.port = port
        self.maxRangeDays = maxRangeDays
        self.adminToken = adminToken
        self.readToken = readToken
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.cacheBytes = cacheBytes
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

    public static let idleTimeout = Setting<Double>.seconds(
        flag: "idle-timeout", variable: "TXSTATS_IDLE_TIMEOUT_SECONDS", default: 30, range: 0.1...3600,
        summary: "Seconds a connection may stay open without a request in progress, or spend sending a request's head, before it is closed")

    public static let maxConnections = Setting<Int>.integer(
        flag: "max-connections", variable: "TXSTATS_MAX_CONNECTIONS", default: 16384, range: 1...1_000_000,
        summary:
            "Open connections at most (further ones wait until one closes); lowered at start to the open-file limit minus \(FileDescriptorLimit.reserve)"
    )

    public static let cacheBytes = Setting<Int>.integer(
        flag: "cache-bytes", variable: "TXSTATS_CACHE_BYTES", default: 64 << 20, range: 0...(1 << 40),
        summary: "Bytes of answers the response cache may hold, least recently used dropped first; 0 turns it off",
        defaultText: "67108864 (64 MiB)")

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
