import StatsCore

/// Exponential backoff for reconnecting: 100 ms doubling to 5 s.
public struct Backoff: Sendable {
    public let initial: Duration
    public let maximum: Duration
    public private(set) var current: Duration
    public private(set) var failures = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
        self.current = initial
    }

    /// The delay to wait now; the next one doubles.
    public mutating func next() -> Duration {
        let d = current
        failures += 1
        current = min(current * 2, maximum)
        return d
    }

    public mutating func reset() {
        current = initial
        failures = 0
    }
}
