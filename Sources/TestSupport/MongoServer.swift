import Foundation
import Synchronization

/// A private SecantusDB server (MongoDB wire protocol; `secantusd-py` from PyPI) on a loopback
/// port: a real MongoDB-compatible server per test or benchmark run, with no shared state.
///
/// The binary is `secantusd-py` on PATH unless `TXSTATS_TEST_MONGOD` names another (or the
/// caller passes `executable`). Without `storage` it stores into a throwaway directory deleted
/// by `stop()`; with one, the data survives `restart()`, or a new server on the same storage
/// (and, if wanted, the same port).
///
/// SecantusDB takes about 2 s to exit on SIGTERM: `stop()` gives a throwaway server 0.3 s before
/// SIGKILL (its data is deleted anyway), a server on a given storage directory 10 s.
public final class MongoServer: Sendable {
    public let port: Int
    /// The storage directory (`--storage-path`).
    public let storage: String
    /// Holds the log (`secantusd.log`) and, without a given storage, the data; deleted by `stop()`.
    public let workDirectory: String
    private let ownsStorage: Bool
    private let executable: String
    private let current: Mutex<ChildProcess>

    /// `mongodb://127.0.0.1:port/`.
    public var uri: String { "mongodb://\(Loopback.host):\(port)/" }

    /// The running server process (a new one after `restart()`).
    public var process: ChildProcess { current.withLock { $0 } }

    /// Starts the server (on a free port unless `port` is given) and waits until it accepts
    /// connections.
    public init(storage: String? = nil, port: Int? = nil, executable: String? = nil) throws {
        self.executable =
            try executable
            ?? Executables.locate("secantusd-py", overrideVariable: "TXSTATS_TEST_MONGOD", hint: "pip install SecantusDB")
        workDirectory = try TemporaryDirectory.create(prefix: "txstats-mongo")
        // Not `:memory:`: SecantusDB deletes that temp directory only on a clean shutdown.
        self.storage = storage ?? "\(workDirectory)/data"
        ownsStorage = storage == nil
        var lastError: Error?
        // A port found free can be taken before the server binds it: try a few (not a given one).
        for _ in 1...(port == nil ? 3 : 1) {
            do {
                let port = try port ?? Loopback.freePort()
                let child = try Self.start(executable: self.executable, storage: self.storage, workDirectory: workDirectory, port: port)
                self.port = port
                current = Mutex(child)
                return
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(atPath: workDirectory)
        throw lastError!
    }

    deinit { stop() }

    /// SIGTERM, then SIGKILL if it has not exited in time (see above); deletes the work
    /// directory. Returns how it ended, with its peak RSS. Calling it again is harmless.
    @discardableResult
    public func stop() -> ExitStatus {
        let exit = process.terminate(grace: ownsStorage ? .milliseconds(300) : .seconds(10))
        try? FileManager.default.removeItem(atPath: workDirectory)
        return exit
    }

    /// SIGKILL: the server dies as in a crash, without flushing or closing anything.
    @discardableResult
    public func kill() -> ExitStatus { process.kill() }

    /// Stops the server (if it still runs) and starts it again on the same port and storage.
    public func restart() throws {
        process.terminate(grace: .seconds(10))
        let child = try Self.start(executable: executable, storage: storage, workDirectory: workDirectory, port: port)
        current.withLock { $0 = child }
    }

    private static func start(executable: String, storage: String, workDirectory: String, port: Int) throws -> ChildProcess {
        try FileManager.default.createDirectory(atPath: storage, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        let child = try ChildProcess(
            executable,
            arguments: [
                "--host", Loopback.host, "--port", String(port), "--storage-path", storage,
                "--log-level", "WARNING",
            ],
            name: "secantusd", stdout: .appending("\(workDirectory)/secantusd.log"))
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let exit = child.poll() {
                throw TestSupportError("secantusd on port \(port) exited at start (\(exit)):\n\(child.logTail())")
            }
            // Checked again after: a server that lost the port race exits, another may listen.
            if Loopback.acceptsConnections(port: port), child.poll() == nil { return child }
            usleep(20_000)
        }
        child.terminate(grace: .seconds(5))
        throw TestSupportError("secantusd did not accept connections on port \(port) within 30 s:\n\(child.logTail())")
    }
}
