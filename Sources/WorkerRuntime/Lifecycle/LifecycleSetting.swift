/// How long a graceful shutdown may take, declared once.
public enum LifecycleSetting {
    /// After this, the group is cancelled and a worker whose loop cannot stop exits 1.
    public static let shutdownTimeout = Setting<Double>.seconds(
        flag: nil, variable: "TXSTATS_SHUTDOWN_TIMEOUT_SECONDS", default: 30, range: 0.1...3600,
        summary: "Longest graceful shutdown before the process exits 1")
}
