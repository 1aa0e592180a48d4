import Redis
import Foundation
import StatsCore
#if canImport(Glibc)
import Glibc
#endif

/// A real redis-server on a free loopback port, in its own temp directory, stopped on `stop()`.
/// The binary is `redis-server` from PATH unless TXSTATS_TEST_REDIS_SERVER names another.
final class TestRedisServer {
    let port: Int
    let directory: URL
    let process: ChildProcess

    var url: RedisURL { RedisURL(host: "127.0.0.1", port: port, password: password) }
    var urlString: String { "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(port)/0" }

    let password: String?

    init(password: String? = nil) throws {
        self.password = password
        port = try freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = ProcessInfo.processInfo.environment["TXSTATS_TEST_REDIS_SERVER"] ?? "redis-server"
        guard let binary = which(name) else { throw TestFailure("\(name) not found: install redis-server or set TXSTATS_TEST_REDIS_SERVER") }
        let log = directory.appendingPathComponent("redis.log").path
        process = try ChildProcess(path: binary, arguments: ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                                             "--dir", directory.path] + (password.map { ["--requirepass", $0] } ?? []),
                                   environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let c = RedisConnection(url: url)
            if (try? c.run("PING"))?.text == "PONG" { return }
            usleep(20_000)
        }
        stop()
        throw TestFailure("redis-server did not answer on port \(port) within 10 s")
    }

    func connection() -> RedisConnection { RedisConnection(url: url) }

    func stop() {
        if process.isRunning {
            process.signal(SIGTERM)
            if process.wait(timeout: 10) == nil { process.signal(SIGKILL); _ = process.wait(timeout: 5) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A loopback TCP port nobody listens on right now.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
    }
    guard ok else { throw TestFailure("bind() failed") }
    return Int(UInt16(bigEndian: addr.sin_port))
}
