import Foundation
import StatsCore
import Synchronization

/// Runs blocking work (hiredis, file reads) on a thread of its own, so it never occupies one
/// of the cooperative pool's few threads, and awaits its result.
public enum DedicatedThread {
    public static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
