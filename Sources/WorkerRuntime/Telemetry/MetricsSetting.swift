/// The metrics listener's settings, declared once.
public enum MetricsSetting {
    /// `--metrics-port` / `TXSTATS_METRICS_PORT`: 0 or unset switches it off.
    public static let port = Setting<Int>.integer(
        flag: "metrics-port", variable: "TXSTATS_METRICS_PORT", default: 0, range: 0...65535,
        summary: "Serve Prometheus metrics at /metrics on this port; 0 is off")
    public static let host = Setting<String>.name(
        flag: "metrics-host", variable: "TXSTATS_METRICS_HOST", default: "127.0.0.1",
        summary: "Address of the metrics listener")
}
