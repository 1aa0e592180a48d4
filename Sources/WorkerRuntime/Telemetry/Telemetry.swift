import Metrics
import Prometheus
import StatsCore
import Synchronization

/// Metrics for every executable: swift-metrics in the code, Prometheus text out. Names follow
/// Prometheus conventions (`txstats_…_total`, `…_seconds`); see README "Metrics".
public enum Telemetry {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    /// Installs the Prometheus backend once per process.
    public static func bootstrap() {
        bootstrapped.withLock { done in
            guard !done else { return }
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
                .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            done = true
        }
    }

    /// The current values as Prometheus text.
    public static func exposition() -> [UInt8] { registry.emitToBuffer() }
}

extension Metrics.Timer {
    /// Records the time since `start`.
    public func recordInterval(since start: ContinuousClock.Instant) {
        let d = ContinuousClock.now - start
        recordNanoseconds(d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
    }
}
