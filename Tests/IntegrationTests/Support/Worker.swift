import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the built executables are: TXSTATS_BIN_DIR, or next to the test bundle (.build/debug).
enum Binaries {
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["TXSTATS_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("aggregator").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug")
    }()

    static func path(_ name: String) throws -> String {
        let p = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: p) else {
            throw TestFailure("\(p) not found: build the executables first (swift build), or set TXSTATS_BIN_DIR")
        }
        return p
    }
}

/// A running txstats executable with its output captured to files.
final class Worker {
    let name: String
    let child: ChildProcess
    let outPath: String
    let errPath: String

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], name: String? = nil) throws {
        self.name = name ?? executable
        let dir = FileManager.default.temporaryDirectory.path
        let id = UUID().uuidString.prefix(8)
        outPath = "\(dir)/txstats-\(executable)-\(id).out"
        errPath = "\(dir)/txstats-\(executable)-\(id).err"
        var env = ProcessInfo.processInfo.environment
        env["LOG_LEVEL"] = env["LOG_LEVEL"] ?? "info"
        for (k, v) in environment { env[k] = v }
        child = try ChildProcess(path: try Binaries.path(executable), arguments: arguments, environment: env,
                                 stdout: outPath, stderr: errPath)
    }

    var pid: Int32 { child.pid }
    var isRunning: Bool { child.isRunning }
    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { child.signal(sig) }

    /// Waits for exit (up to `timeout` seconds, then SIGKILL and fail) and returns the exit code
    /// (128 + signal for a process killed by a signal).
    @discardableResult
    func wait(timeout: Double = 120) throws -> Int32 {
        guard child.wait(timeout: timeout) != nil else {
            child.signal(SIGKILL)
            _ = child.wait(timeout: 5)
            throw TestFailure("\(name) did not exit within \(timeout) s; stderr:\n\(stderr.suffix(2000))")
        }
        return child.exitCode ?? 128 + (child.terminatingSignal ?? 0)
    }

    var killedBySignal: Bool { child.terminatingSignal != nil }
}
