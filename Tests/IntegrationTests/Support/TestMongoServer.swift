import Mongo
import Foundation
import StatsCore
#if canImport(Glibc)
import Glibc
#endif

/// A SecantusDB server (MongoDB wire protocol) on a loopback port, stopped on `stop()`.
/// The binary is `secantusd-py` from PATH unless TXSTATS_TEST_MONGOD names another.
///
/// Without a storage directory it stores into a throwaway directory of its own, deleted on
/// `stop()`; with one, data survives a restart: stop this server and start another on the
/// same directory (and, if wanted, the same port).
///
/// SecantusDB takes about 2 s to exit on SIGTERM: a throwaway server gets 0.3 s before
/// SIGKILL (its data is deleted anyway), a server on a given directory 10 s.
final class TestMongoServer {
    let port: Int
    /// The storage directory given to `init` (never deleted here), or nil for a throwaway one.
    let storage: URL?
    let logDirectory: URL
    let process: ChildProcess

    var uri: String { "mongodb://127.0.0.1:\(port)/" }

    init(storage: URL? = nil, port: Int? = nil) throws {
        self.port = try port ?? freePort()
        self.storage = storage
        logDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("txstats-mongo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        // Not `:memory:`: SecantusDB deletes that temp directory only on a clean shutdown.
        let data = storage ?? logDirectory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let name = ProcessInfo.processInfo.environment["TXSTATS_TEST_MONGOD"] ?? "secantusd-py"
        guard let binary = which(name) else {
            throw TestFailure("\(name) not found: pip install SecantusDB, or set TXSTATS_TEST_MONGOD")
        }
        let log = logDirectory.appendingPathComponent("server.log").path
        process = try ChildProcess(path: binary,
                                   arguments: ["--host", "127.0.0.1", "--port", "\(self.port)",
                                               "--storage-path", data.path, "--log-level", "WARNING"],
                                   environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if Self.acceptsConnections(port: self.port) { return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        stop()
        throw TestFailure("\(name) did not accept connections on port \(self.port) within 20 s:\n\(output.suffix(2000))")
    }

    /// A client for a database on this server.
    func client(database: String = "txstats_test", appName: String = "txstats-tests") throws -> MongoClient {
        try MongoClient(uri: uri, database: database, appName: appName)
    }

    /// SIGTERM, then SIGKILL if it has not exited in time (see above).
    func stop() {
        if process.isRunning {
            process.signal(SIGTERM)
            if process.wait(timeout: storage == nil ? 0.3 : 10) == nil { process.signal(SIGKILL); _ = process.wait(timeout: 5) }
        }
        try? FileManager.default.removeItem(at: logDirectory)
    }

    deinit { stop() }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func acceptsConnections(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
