import StatsCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private SecantusDB server (MongoDB wire protocol, `secantusd-py` from PyPI) on a free
/// loopback port, its store in the benchmark's temp dir. `TXSTATS_BENCH_MONGOD` names another
/// binary. Stopped by `stop()` or, on error paths, when dropped.
final class MongoServer {
    let process: ChildProcess
    let port: Int
    var uri: String { "mongodb://127.0.0.1:\(port)/" }

    init(directory: String) throws {
        let name = ProcessInfo.processInfo.environment["TXSTATS_BENCH_MONGOD"] ?? "secantusd-py"
        guard let executable = findInPath(name) else {
            throw BenchmarkError("\(name) not found in PATH; install it (pip install SecantusDB) or set TXSTATS_BENCH_MONGOD")
        }
        let storage = "\(directory)/mongo-data"
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        var lastError: Error?
        // A port found free can be taken before the server binds it: try a few.
        for attempt in 1...3 {
            let port = try RedisServer.freeLoopbackPort()
            let child = try ChildProcess(
                name: "secantusd", executable: executable,
                arguments: ["--host", "127.0.0.1", "--port", String(port), "--storage-path", storage, "--log-level", "WARNING"],
                logPath: "\(directory)/secantusd-\(attempt).log")
            do {
                try Self.waitUntilListening(child, port: port)
                process = child
                self.port = port
                return
            } catch {
                child.terminate(grace: .seconds(5))
                lastError = error
            }
        }
        throw lastError!
    }

    /// Stops the server and returns its peak RSS in KiB.
    @discardableResult
    func stop() -> Int {
        process.terminate(grace: .seconds(10)).maxRSSKiB
    }

    private static func waitUntilListening(_ child: ChildProcess, port: Int) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let exit = child.poll() {
                throw BenchmarkError("secantusd exited at start (\(exit)):\n\(child.logTail())")
            }
            if acceptsConnections(port: port) { return }
            usleep(20_000)
        }
        throw BenchmarkError("secantusd did not accept connections on port \(port) within 30 s:\n\(child.logTail())")
    }
}

/// The first executable called `name` in PATH (or `name` itself if it contains a slash).
func findInPath(_ name: String) -> String? {
    if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let dirs: [String] = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
    for dir in dirs {
        let candidate = "\(dir)/\(name)"
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func acceptsConnections(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = loopbackAddress(port: port)
    return withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

func loopbackAddress(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return addr
}
