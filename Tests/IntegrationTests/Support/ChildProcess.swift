import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn, output redirected to files, reaped with waitpid.
/// (Foundation's Process can deadlock in waitUntilExit on Linux when the test host exits.)
final class ChildProcess {
    let pid: pid_t
    private(set) var status: Int32?

    init(path: String, arguments: [String], environment: [String: String], stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv { free(p) }; for p in envp { free(p) } }
        // The test host blocks some signals in its threads; a child must not inherit that, or
        // it would ignore the SIGTERM a test sends it.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        guard rc == 0 else { throw TestFailure("posix_spawn \(path) failed: \(String(cString: strerror(rc)))") }
        pid = child
    }

    var isRunning: Bool {
        if status != nil { return false }
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid { status = s; return false }
        return true
    }

    func signal(_ sig: Int32) { if isRunning { kill(pid, sig) } }

    /// Raw wait status, after waiting up to `timeout` seconds (nil if still running).
    func wait(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning && Date() < deadline { usleep(5_000) }
        return status
    }

    var exitCode: Int32? { status.flatMap { ($0 & 0x7f) == 0 ? ($0 >> 8) & 0xff : nil } }
    var terminatingSignal: Int32? { status.flatMap { ($0 & 0x7f) != 0 ? $0 & 0x7f : nil } }

    deinit {
        if isRunning { kill(pid, SIGKILL); _ = wait(timeout: 5) }
    }
}

/// Finds an executable on PATH.
func which(_ name: String) -> String? {
    if name.contains("/") { return name }
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}
