import StatsCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// How a child ended, with its peak RSS from `wait4` (the only reliable source: it is
/// recorded by the kernel at exit, unlike /proc/PID/status sampled from outside).
struct ExitInfo: CustomStringConvertible {
    let rawStatus: Int32
    let maxRSSKiB: Int
    /// User + system CPU time of the child (all its threads), from `wait4`.
    var cpuSeconds: Double = 0

    var signal: Int32? {
        let s = rawStatus & 0x7f
        return s != 0 && s != 0x7f ? s : nil
    }
    var code: Int32? { rawStatus & 0x7f == 0 ? (rawStatus >> 8) & 0xff : nil }
    var succeeded: Bool { code == 0 }

    var description: String {
        if let code { return "exit status \(code)" }
        if let signal { return "killed by signal \(signal)" }
        return "wait status \(rawStatus)"
    }
}

/// One child started with posix_spawn; stdin is /dev/null, stdout and stderr go to a log file.
/// It inherits this process' environment, with `environment` set on top.
/// If it is still running when dropped (an error path), it is killed and reaped.
final class ChildProcess {
    let name: String
    let pid: pid_t
    let logPath: String
    let started: ContinuousClock.Instant
    private(set) var exit: ExitInfo?
    private(set) var ended: ContinuousClock.Instant?

    init(name: String, executable: String, arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        self.name = name
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // Children get default signal handling and an empty mask, whatever ours are.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        started = ContinuousClock.now
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    deinit {
        if exit == nil {
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    /// Reaps the child if it has ended; never blocks.
    @discardableResult
    func poll() -> ExitInfo? {
        if let exit { return exit }
        var status: Int32 = 0
        var usage = rusage()
        let r = wait4(pid, &status, WNOHANG, &usage)
        guard r == pid else { return nil }
        ended = ContinuousClock.now
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        exit = ExitInfo(rawStatus: status, maxRSSKiB: Int(usage.ru_maxrss), cpuSeconds: cpu)
        return exit
    }

    /// Waits for the end, polling every millisecond (fine-grained enough for runs of a second
    /// or more, and lets a stuck child be reported instead of hanging the benchmark).
    func wait(timeout: Duration) throws -> ExitInfo {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let e = poll() { return e }
            if ContinuousClock.now > deadline {
                throw BenchmarkError("\(name) (pid \(pid)) still running after \(timeout); killed. Log tail:\n\(logTail())")
            }
            usleep(1000)
        }
    }

    func signal(_ sig: Int32) {
        if exit == nil { Glibc.kill(pid, sig) }
    }

    /// SIGTERM, then SIGKILL if it has not ended within `grace`; returns how it ended.
    @discardableResult
    func terminate(grace: Duration = .seconds(10)) -> ExitInfo {
        signal(SIGTERM)
        if let e = try? wait(timeout: grace) { return e }
        signal(SIGKILL)
        while true {
            if let e = poll() { return e }
            usleep(1000)
        }
    }

    var seconds: Double? { ended.map { (started.duration(to: $0)).seconds } }

    /// CPU time (user + system, all threads) used so far, from /proc while it runs; after the
    /// end, from `wait4`.
    var cpuSeconds: Double? {
        if let exit { return exit.cpuSeconds }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let f = stat[stat.index(after: close)...].split(separator: " ")
        guard f.count > 12, let user = Double(f[11]), let system = Double(f[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Throws with the log's tail unless the child exited 0.
    func requireSuccess() throws {
        guard let exit else { throw BenchmarkError("\(name) has not ended") }
        guard exit.succeeded else {
            throw BenchmarkError("\(name) failed: \(exit). Log tail (\(logPath)):\n\(logTail())")
        }
    }

    func logTail(lines: Int = 20) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
