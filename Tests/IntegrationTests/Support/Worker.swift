import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A running txstats executable with its output captured.
final class Worker {
    let name: String
    let child: ChildProcess

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], name: String? = nil) throws {
        self.name = name ?? executable
        let env = ["LOG_LEVEL": ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"].merging(environment) { $1 }
        child = try ChildProcess(
            try BuiltProducts.path(executable), arguments: arguments, environment: env, name: self.name,
            stdout: .capture, stderr: .capture)
    }

    var pid: Int32 { child.pid }
    var isRunning: Bool { child.isRunning }
    var stdout: String { child.standardOutput }
    var stderr: String { child.standardError }

    func signal(_ sig: Int32) { child.signal(sig) }

    /// Waits for exit (up to `timeout` seconds, then SIGKILL and fail) and returns the exit code
    /// (128 + signal for a process killed by a signal).
    @discardableResult
    func wait(timeout: Double = 120) throws -> Int32 {
        try child.wait(timeout: .seconds(timeout)).shellCode
    }

    var killedBySignal: Bool { child.poll()?.signal != nil }
}
