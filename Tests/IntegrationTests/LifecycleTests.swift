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

    @Test("a worker whose metrics port is taken exits 1 and its log names the bind error, not a signal")
    func metricsPortTaken() throws {
        let server = try RedisServer()
        defer { server.stop() }
        // Hold a port: listening on it makes the metrics listener's bind fail.
        let port = try Loopback.freePort()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var addr = Loopback.address(port: port)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(holder, 1) == 0)
        let w = try aggregator(server, id: "m", extra: ["--metrics-port", String(port)], env: ["TXSTATS_LOG_FORMAT": "json"])
        #expect(try w.wait(timeout: 30) == 1)
        let critical = logLines(w.stderr).filter { $0["level"] == "critical" }
        #expect(
            critical.contains { ($0["error"] ?? "").contains("metrics listener cannot listen on 127.0.0.1:\(port)") },
            "\(w.stderr.suffix(800))")
        #expect(!w.stderr.contains("second signal"), "a failing service is not a signal")
    }
}
