import Foundation

/// Tests that load the whole machine (a 10,000-connection soak, a six-node Redis Cluster with
/// its fleet) take turns: on two cores, one of them running beside another measures the other
/// one's load, not its own subject. Suites still run in parallel with everything else.
enum HeavyTests {
    private static let lock = NSLock()

    static func exclusively<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
