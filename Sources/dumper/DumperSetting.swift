import WorkerRuntime

/// The dumper's own settings, declared once.
enum DumperSetting {
    static let interval = Setting<Double>.seconds(
        flag: "interval", variable: "TXSTATS_DUMP_INTERVAL_SECONDS", default: 10, range: 0.05...86_400,
        summary: "Seconds between passes")
}
