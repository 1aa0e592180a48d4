import Redis
import Foundation
import StatsCore
#if canImport(Glibc)
import Glibc
#endif

/// A private, throwaway redis-server on a free loopback port: no snapshots, no AOF, files in
/// the benchmark's temp dir. Stopped with SIGTERM by `stop()` or, on error paths, when dropped.
final class RedisServer {
    let process: ChildProcess
    let url: RedisURL

    init(directory: String) throws {
        let executable = try Self.findExecutable()
        var lastError: Error?
        // A port found free can be taken before redis binds it: try a few.
        for attempt in 1...3 {
            let port = try Self.freeLoopbackPort()
            let child = try ChildProcess(
                name: "redis-server", executable: executable,
                arguments: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", directory, "--daemonize", "no"],
                logPath: "\(directory)/redis-server-\(attempt).log")
            let url = RedisURL(host: "127.0.0.1", port: port)
            do {
                try Self.waitUntilReady(child, url: url)
                process = child
                self.url = url
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// Stops the server and returns its peak RSS in KiB.
    func stop() throws -> Int {
        process.signal(SIGTERM)
        let exit = try process.wait(timeout: .seconds(10))
        return exit.maxRSSKiB
    }

    static func findExecutable() throws -> String {
        guard let path = findInPath("redis-server") else {
            throw BenchmarkError("redis-server not found in PATH; install it or pass --redis-url")
        }
        return path
    }

    /// Binds port 0 on 127.0.0.1, reads the port the kernel chose, and releases it.
    static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchmarkError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw BenchmarkError("bind: \(String(cString: strerror(errno)))") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw BenchmarkError("getsockname: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    private static func waitUntilReady(_ child: ChildProcess, url: RedisURL) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if let exit = child.poll() {
                throw BenchmarkError("redis-server exited at start (\(exit)):\n\(child.logTail())")
            }
            let connection = RedisConnection(url: url, connectTimeout: .milliseconds(200))
            if let reply = try? connection.run("PING"), reply.text == "PONG" { return }
            usleep(20_000)
        }
        throw BenchmarkError("redis-server did not answer PING within 10 s:\n\(child.logTail())")
    }
}
