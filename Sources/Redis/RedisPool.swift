import Synchronization

/// A fixed set of connections for a server that answers many requests at once. Each connection
/// lives inside its own `Mutex` and never leaves it, so the pool is `Sendable` without
/// `@unchecked`. Calls block: run them on a thread pool, never on an event loop.
public final class RedisPool: Sendable {
    final class Slot: Sendable {
        let connection: Mutex<RedisClient>
        init(_ c: sending RedisClient) { connection = Mutex(c) }
    }

    private let slots: [Slot]
    private let next = Atomic<Int>(0)
    public let seeds: RedisSeeds

    public init(seeds: RedisSeeds, size: Int, socketTimeout: Duration = .seconds(5)) {
        self.seeds = seeds
        slots = (0..<max(1, size)).map { _ in Slot(RedisClient(seeds: seeds, connectTimeout: .seconds(1), socketTimeout: socketTimeout)) }
    }

    /// Runs `body` with a connection: a free one if there is, else waits for the next in turn.
    public func withConnection<T: Sendable>(_ body: (RedisClient) throws -> T) throws -> T {
        let start = next.wrappingAdd(1, ordering: .relaxed).oldValue
        for i in 0..<slots.count {
            let slot = slots[(start &+ i) % slots.count]
            if let result = try slot.connection.withLockIfAvailable({ connection in try body(connection) }) {
                return result
            }
        }
        return try slots[start % slots.count].connection.withLock { connection in try body(connection) }
    }
}
