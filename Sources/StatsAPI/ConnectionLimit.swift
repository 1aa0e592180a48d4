import HummingbirdCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// At most `max` open connections. At the limit the server stops accepting: new connections
/// wait in the listen backlog (and then in the kernel) until one closes, instead of taking a
/// descriptor the process may not have. Reaching the limit is logged once (a warning), and so
/// is getting back under 90% of it; `txstats_http_open_connections` is the current count.
/// Called on the server channel's event loop only.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let max: Int
    let logger: Logger
    /// The count, also read by ``MemoryTrimService``.
    let counter: ConnectionCounter
    private var open = 0
    private var atLimit = false
    private let gauge = Gauge(label: "txstats_http_open_connections")

    init(max: Int, logger: Logger, counter: ConnectionCounter = ConnectionCounter()) {
        self.max = max
        self.logger = logger
        self.counter = counter
    }

    mutating func connectionOpened() {
        open += 1
        counter.set(open)
        gauge.record(open)
        if open >= max, !atLimit {
            atLimit = true
            logger.warning(
                "connection limit reached: new connections wait until one closes",
                metadata: ["max_connections": "\(max)", "open_connections": "\(open)"])
        }
    }

    mutating func connectionClosed() {
        open -= 1
        counter.set(open)
        gauge.record(open)
        if atLimit, open * 10 <= max * 9 {
            atLimit = false
            logger.notice("connections back under the limit", metadata: ["max_connections": "\(max)", "open_connections": "\(open)"])
        }
    }

    func isAcceptingNewConnections() -> Bool { open < max }
}

/// Open connections, readable from any thread.
final class ConnectionCounter: Sendable {
    private let value = Atomic<Int>(0)
    var current: Int { value.load(ordering: .relaxed) }
    func set(_ n: Int) { value.store(n, ordering: .relaxed) }
}

/// Gives memory back to the system after many connections have closed. Each connection's
/// buffers are small heap blocks spread over the allocator's arenas; once thousands close,
/// glibc keeps the freed pages (RSS stays at its peak) until `malloc_trim` releases them. Every
/// few seconds, if the count has fallen by at least 1000 and to under half of its high-water
/// mark since the last trim, this trims (then twice more, as the rest is freed). Off the event loops; a no-op where glibc is not.
struct MemoryTrimService: Service {
    let counter: ConnectionCounter
    static let interval: Duration = .seconds(2)

    /// glibc's `malloc_trim` (not in the Glibc module's headers), looked up once.
    static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
            guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
            return nil
        #endif
    }()

    func run() async {
        await cancelWhenGracefulShutdown {
            var highWater = 0
            var trims = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.interval)
                let now = counter.current
                highWater = Swift.max(highWater, now)
                if highWater - now >= 1000, now * 2 < highWater {
                    // Closed connections' tasks and buffers are freed over the next moments
                    // too: trim now and on the next two passes.
                    trims = 3
                    highWater = now
                }
                if trims > 0 {
                    trims -= 1
                    _ = Self.trim?(0)
                }
            }
        }
    }
}

/// The process's open-file limit, and how many connections fit under it.
enum FileDescriptorLimit {
    /// Descriptors kept for everything but client connections: standard streams, event loops,
    /// the listening socket, the Redis pool (8), libmongoc's pool (grows on demand), files read
    /// at start-up, and the few connections the server may accept in one read beyond the limit.
    static let reserve = 128
    /// Fewer connections than this under the limit is a start-up error.
    static let minimumConnections = 16

    /// Raises the soft limit to the hard one (as most servers do; it only changes what this
    /// process may open) and returns the soft limit then in force.
    static func raiseSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // An unlimited hard limit is not a number of descriptors: stop at a million.
            raised.rlim_cur = limit.rlim_max == rlim_t.max ? Swift.max(limit.rlim_cur, 1 << 20) : limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? 1 << 20 : Int(clamping: limit.rlim_cur)
    }

    /// `requested`, lowered to what fits under `softLimit` with the ``reserve`` kept.
    static func maxConnections(requested: Int, softLimit: Int) throws -> Int {
        let fits = softLimit - reserve
        guard fits >= minimumConnections else {
            throw LimitError(
                description:
                    "the open-file limit (RLIMIT_NOFILE) is \(softLimit); the api needs at least \(reserve + minimumConnections) (ulimit -n)"
            )
        }
        return Swift.min(requested, fits)
    }

    struct LimitError: Error, CustomStringConvertible {
        let description: String
    }
}
