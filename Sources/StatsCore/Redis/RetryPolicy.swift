#if canImport(Glibc)
import Glibc
#endif

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

extension RedisError {
    /// Errors that go away by waiting: the connection, or a server that is loading, busy,
    /// out of memory or failing over.
    public var isTransient: Bool {
        switch self {
        case .connection: return true
        case .server(let m):
            return ["LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"].contains { m.hasPrefix($0) }
        case .protocolViolation: return false
        }
    }
}

/// Sleeps the calling (dedicated) thread, waking early when `stop` is requested.
public func blockingSleep(_ d: Duration, stop: StopFlag? = nil) {
    var remaining = d
    while remaining > .zero {
        if stop?.isRequested == true { return }
        let step = min(remaining, .milliseconds(50))
        let (s, atto) = step.components
        usleep(UInt32(s * 1_000_000 + atto / 1_000_000_000_000))
        remaining -= step
    }
}

public func monotonicNow() -> ContinuousClock.Instant { ContinuousClock.now }
