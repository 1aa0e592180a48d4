import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, reaped with `wait4`: stdin is /dev/null, stdout
/// and stderr go where `Output` says. Foundation's `Process` is not used: on Linux its
/// `waitUntilExit` can deadlock when the test host exits, and it reports neither peak RSS nor
/// CPU time.
///
/// The child inherits this process' environment with `environment` set on top, and default
/// signal handling with an empty mask whatever ours are (the test host blocks some signals in
/// its threads; a child inheriting that would ignore the SIGTERM a test sends it).
/// If it is still running when dropped (a failed test, an error path), it is killed and reaped.
public final class ChildProcess: Sendable {
    /// Where one output stream goes.
    public enum Output: Sendable, Equatable {
        /// /dev/null.
        case discard
        /// This file, created or truncated.
        case file(String)
        /// This file, created or appended to (a restarted server keeps one log).
        case appending(String)
        /// A private temporary file, read back with `standardOutput`/`standardError` and deleted
        /// with this object. A file rather than a pipe: a pipe nobody drains would block the child.
        case capture
    }

    /// A name for messages (default: the executable's file name).
    public let name: String
    public let pid: pid_t
    /// When it was spawned; `seconds` measures from here.
    public let started: ContinuousClock.Instant
    /// The file standard output goes to (nil when discarded).
    public let stdoutPath: String?
    /// The file standard error goes to: `stdoutPath` when they share it, nil when discarded.
    public let stderrPath: String?
    private let capturedFiles: [String]
    private let state = Mutex(State())

    private struct State {
        var exit: ExitStatus?
        var ended: ContinuousClock.Instant?
    }

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`. `stderr: nil`
    /// sends standard error to wherever standard output goes, interleaved as written.
    public init(
        _ executable: String, arguments: [String] = [], environment: [String: String] = [:], name: String? = nil,
        stdout: Output = .discard, stderr: Output? = nil
    ) throws {
        let path = executable.contains("/") ? executable : (Executables.find(executable) ?? executable)
        let name = name ?? URL(fileURLWithPath: executable).lastPathComponent
        self.name = name
        var captured: [String] = []
        func destination(_ output: Output, suffix: String) -> (path: String?, flags: Int32) {
            switch output {
            case .discard: return (nil, O_WRONLY)
            case .file(let p): return (p, O_WRONLY | O_CREAT | O_TRUNC)
            case .appending(let p): return (p, O_WRONLY | O_CREAT | O_APPEND)
            case .capture:
                let p =
                    "\(NSTemporaryDirectory())txstats-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString.prefix(8)).\(suffix)"
                captured.append(p)
                return (p, O_WRONLY | O_CREAT | O_TRUNC)
            }
        }
        let out = destination(stdout, suffix: "out")
        let err = stderr.map { destination($0, suffix: "err") }
        stdoutPath = out.path
        stderrPath = err.map(\.path) ?? out.path
        capturedFiles = captured

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out.path ?? "/dev/null", out.flags, 0o644)
        if let err {
            posix_spawn_file_actions_addopen(&actions, 2, err.path ?? "/dev/null", err.flags, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var child: pid_t = 0
        started = ContinuousClock.now
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        guard rc == 0 else {
            for file in captured { unlink(file) }
            throw TestSupportError("cannot start \(path): \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    deinit {
        if state.withLock({ $0.exit == nil }) {
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        for file in capturedFiles { unlink(file) }
    }

    /// How it ended, once reaped (by `poll`, `wait`, …); nil while running.
    public var exit: ExitStatus? { state.withLock { $0.exit } }

    /// Reaps the child if it has ended; never blocks. Records the end time for `seconds`.
    @discardableResult
    public func poll() -> ExitStatus? {
        state.withLock { s in
            if let exit = s.exit { return exit }
            var status: Int32 = 0
            var usage = rusage()
            let r = wait4(pid, &status, WNOHANG, &usage)
            if r == -1 && errno == ECHILD {
                // Reaped elsewhere (SIGCHLD ignored by the host): ended, how is unknown.
                s.ended = ContinuousClock.now
                s.exit = ExitStatus(rawStatus: -1)
                return s.exit
            }
            guard r == pid else { return nil }
            s.ended = ContinuousClock.now
            let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
            s.exit = ExitStatus(rawStatus: status, maxRSSKiB: Int(usage.ru_maxrss), cpuSeconds: cpu)
            // libmongoc (initialised when its library loads) keeps counters in /dev/shm/mongoc-<pid>
            // and unlinks it at a clean exit only. A child killed by a signal leaves it behind,
            // and a later process given the same pid then prints a non-JSON warning to stderr.
            if s.exit?.signal != nil { _ = unlink("/dev/shm/mongoc-\(pid)") }
            return s.exit
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Sends `sig` unless the child has been reaped (its pid could belong to another by then).
    public func signal(_ sig: Int32) {
        state.withLock { s in
            if s.exit == nil { Glibc.kill(pid, sig) }
        }
    }

    /// Waits up to `timeout` for the end, polling every millisecond (fine-grained enough to
    /// time runs, and a stuck child is reported instead of hanging the caller); nil if still
    /// running then.
    public func waitForExit(within timeout: Duration) -> ExitStatus? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let exit = poll() { return exit }
            if ContinuousClock.now > deadline { return nil }
            usleep(1000)
        }
    }

    /// Waits for the end; after `timeout`, kills it with SIGKILL and throws with its log tail.
    @discardableResult
    public func wait(timeout: Duration) throws -> ExitStatus {
        if let exit = waitForExit(within: timeout) { return exit }
        kill()
        throw TestSupportError("\(name) (pid \(pid)) still running after \(timeout); killed. Log tail:\n\(logTail())")
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`; returns how it ended.
    @discardableResult
    public func terminate(grace: Duration = .seconds(10)) -> ExitStatus {
        signal(SIGTERM)
        return waitForExit(within: grace) ?? kill()
    }

    /// SIGKILL (no chance to clean up, like a crash) and reap.
    @discardableResult
    public func kill() -> ExitStatus {
        signal(SIGKILL)
        while true {
            if let exit = poll() { return exit }
            usleep(1000)
        }
    }

    /// Wall-clock seconds from spawn to reaping, once ended.
    public var seconds: Double? {
        state.withLock { s in s.ended.map { started.duration(to: $0).seconds } }
    }

    /// CPU time (user + system, all threads) used so far: from /proc while it runs, from
    /// `wait4` after the end.
    public var cpuSeconds: Double? {
        if let exit { return exit.cpuSeconds }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let f = stat[stat.index(after: close)...].split(separator: " ")
        guard f.count > 12, let user = Double(f[11]), let system = Double(f[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Throws with the log tail unless the child has ended with exit status 0.
    public func requireSuccess() throws {
        guard let exit else { throw TestSupportError("\(name) has not ended") }
        guard exit.succeeded else {
            throw TestSupportError("\(name) failed: \(exit). Log tail (\(stderrPath ?? "discarded")):\n\(logTail())")
        }
    }

    /// What it wrote to standard output so far ("" when discarded).
    public var standardOutput: String { Self.read(stdoutPath) }

    /// What it wrote to standard error so far ("" when discarded).
    public var standardError: String { Self.read(stderrPath) }

    /// The last `lines` lines of standard error (the log of every txstats process), for error
    /// messages.
    public func logTail(lines: Int = 20) -> String {
        guard stderrPath != nil else { return "(output discarded)" }
        return standardError.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private static func read(_ path: String?) -> String {
        path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
    }
}
