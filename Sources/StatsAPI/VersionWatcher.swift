import ServiceLifecycle
import StatsCore
import Synchronization

/// Keeps the data version (`{Q}:version` and the archive epoch) in memory, read every 20 ms,
/// so a cached answer is served with no I/O at all. An answer is then at most one poll behind
/// the newest commit, and still exact for the data it was computed from. When Redis cannot be
/// read the version is unknown and every request takes the full path (and gets its 503).
/// A service of the api's group: it stops with the graceful shutdown.
final class VersionWatcher: Service, Sendable {
    private let current = Mutex<String?>(nil)
    private let store: StatsStore
    static let interval: Duration = .milliseconds(20)

    init(store: StatsStore) { self.store = store }

    var version: String? { current.withLock { $0 } }

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let v = try? await self.store.read { try $0.dataVersion() }
                self.current.withLock { $0 = v }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
