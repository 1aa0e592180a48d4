import StatsCore

#if canImport(Glibc)
    import Glibc
#endif

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
