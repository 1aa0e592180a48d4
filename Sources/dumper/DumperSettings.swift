import StatsCore

struct DumperSettings: Sendable {
    var core: CoreSettings
    var history: HistorySettings
    var interval: Double
    /// Holds the dumper lease; stable across restarts so a restarted dumper takes its own lease back at once.
    var dumperId: String
    var once: Bool
}
