import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Lifecycle: bounded graceful shutdown", .serialized)
struct LifecycleTests {
    /// An importer reading a FIFO nobody writes to is stuck in a blocking open(): a graceful
    /// stop cannot finish, so only the second signal or the timeout can end it.
    func stuckImporter(env: [String: String]) throws -> Worker {
        let server = try RedisServer()
        let fifo = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-fifo-\(UUID().uuidString.prefix(6))").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let w = try Worker("importer", ["--redis-url", server.urlString, fifo], environment: env)
        usleep(700_000)
        #expect(w.isRunning)
        return w
    }

    @Test("a second SIGTERM during a stuck graceful shutdown exits at once (143)")
    func secondSignal() throws {
        let w = try stuckImporter(env: ["TXSTATS_SHUTDOWN_TIMEOUT_SECONDS": "60"])
        w.signal(SIGTERM)
        usleep(300_000)
        #expect(w.isRunning, "the first signal only asks for a graceful stop")
        let started = Date()
        w.signal(SIGTERM)
        #expect(try w.wait(timeout: 10) == 143)
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(w.stderr.contains("second signal"))
    }

    @Test("a graceful shutdown that overruns TXSTATS_SHUTDOWN_TIMEOUT_SECONDS ends with exit 1")
    func timeout() throws {
        let w = try stuckImporter(env: ["TXSTATS_SHUTDOWN_TIMEOUT_SECONDS": "1"])
        let started = Date()
        w.signal(SIGTERM)
        #expect(try w.wait(timeout: 15) == 1)
        #expect(Date().timeIntervalSince(started) >= 0.9)
        #expect(w.stderr.contains("graceful shutdown took longer"))
    }
}
