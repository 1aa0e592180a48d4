import Foundation
import Synchronization

/// A private, throwaway redis-server on a free loopback port, so that every test (and every
/// benchmark run) has a server of its own to FLUSHALL, kill or fill.
///
/// The binary is `redis-server` on PATH unless `TXSTATS_TEST_REDIS_SERVER` names another. No
/// RDB snapshots; AOF only when asked for (then `restart()` keeps the data). Its files and log
/// (`redis-server.log`) are in `directory`: a fresh temporary one, deleted by `stop()`, unless
/// the caller gives one. Stopped by `stop()` or, on error paths, when dropped.
public final class RedisServer: Sendable {
    public let port: Int
    /// The server's `--dir`: data files and the log.
    public let directory: String
    /// The `requirepass` password, if any.
    public let password: String?
    private let executable: String
    private let arguments: [String]
    private let ownsDirectory: Bool
    private let current: Mutex<ChildProcess>

    /// `redis://[:password@]127.0.0.1:port/0`, as the txstats executables take it.
    public var urlString: String { "redis://\(password.map { ":\($0)@" } ?? "")\(Loopback.host):\(port)/0" }

    /// The running server process (a new one after `restart()`), for its CPU time and exit.
    public var process: ChildProcess { current.withLock { $0 } }

    /// Starts the server and waits until it answers PING (with AUTH when `password` is set).
    /// `extraArguments` are appended to the command line (`--maxmemory 10mb`, …).
    public init(
        directory: String? = nil, password: String? = nil, appendOnly: Bool = false, extraArguments: [String] = [],
        executable: String? = nil
    ) throws {
        self.executable =
            try executable
            ?? Executables.locate("redis-server", overrideVariable: "TXSTATS_TEST_REDIS_SERVER", hint: "install redis-server")
        self.directory = try directory ?? TemporaryDirectory.create(prefix: "txstats-redis")
        ownsDirectory = directory == nil
        self.password = password
        arguments =
            [
                "--bind", Loopback.host, "--save", "", "--appendonly", appendOnly ? "yes" : "no", "--dir", self.directory,
                "--daemonize", "no",
                // As deploy/ runs Redis: aggregate hashes of hundreds of fields as hash tables.
                "--hash-max-listpack-entries", "128",
            ] + (password.map { ["--requirepass", $0] } ?? []) + extraArguments
        // A port found free can be taken before redis binds it: try a few.
        var lastError: Error?
        for _ in 1...3 {
            do {
                let port = try Loopback.freePort()
                let child = try Self.start(
                    executable: self.executable, arguments: arguments, directory: self.directory, port: port, password: password)
                self.port = port
                current = Mutex(child)
                return
            } catch {
                lastError = error
            }
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: self.directory) }
        throw lastError!
    }

    deinit { stop() }

    /// SIGTERM (SIGKILL after 10 s) and, for a directory of its own, deletes it. Returns how the
    /// server ended, with its peak RSS. Calling it again is harmless.
    @discardableResult
    public func stop() -> ExitStatus {
        let exit = process.terminate(grace: .seconds(10))
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
        return exit
    }

    /// Stops the server and starts it again on the same port and directory: clients see the
    /// connection drop and must reconnect; with `appendOnly` the data survives.
    public func restart() throws {
        process.terminate(grace: .seconds(10))
        let child = try Self.start(executable: executable, arguments: arguments, directory: directory, port: port, password: password)
        current.withLock { $0 = child }
    }

    private static func start(executable: String, arguments: [String], directory: String, port: Int, password: String?) throws
        -> ChildProcess
    {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let child = try ChildProcess(
            executable, arguments: ["--port", String(port)] + arguments, name: "redis-server",
            stdout: .appending("\(directory)/redis-server.log"))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            // Checked after the PING too: a server that lost the port race exits, and another
            // test's server may have answered.
            if answersPing(port: port, password: password), child.poll() == nil { return child }
            if let exit = child.poll() {
                throw TestSupportError("redis-server on port \(port) exited at start (\(exit)):\n\(child.logTail())")
            }
            usleep(20_000)
        }
        child.kill()
        throw TestSupportError("redis-server did not answer PING on port \(port) within 10 s:\n\(child.logTail())")
    }

    /// PING (after AUTH) in RESP on a fresh connection; true on +PONG. Written here rather than
    /// through the project's Redis client so that this module depends on nothing under test.
    private static func answersPing(port: Int, password: String?) -> Bool {
        guard let connection = try? LoopbackConnection(port: port, timeout: .milliseconds(200)) else { return false }
        let commands = (password.map { [["AUTH", $0]] } ?? []) + [["PING"]]
        let request = commands.map { words in "*\(words.count)\r\n" + words.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined() }.joined()
        guard (try? connection.send(Array(request.utf8))) != nil else { return false }
        // One line per reply: +OK / -ERR … for AUTH, +PONG / -LOADING … / -NOAUTH … for PING.
        var reply = ""
        while reply.components(separatedBy: "\r\n").count <= commands.count {
            guard let chunk = try? connection.receive(), !chunk.isEmpty else { return false }
            reply += String(decoding: chunk, as: UTF8.self)
        }
        return reply.hasSuffix("+PONG\r\n")
    }
}
