import StatsCore

struct DumperSettings: Sendable {
    var core: CoreSettings
    var history: HistorySettings
    var interval: Double
    var once: Bool
}
