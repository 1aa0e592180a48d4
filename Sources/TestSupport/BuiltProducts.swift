import Foundation

/// Where `swift build` put the txstats executables, for the tests and the benchmark that run
/// them as real processes: `TXSTATS_BIN_DIR` when set (another build, an installed copy), else
/// the folder of the running executable (the test bundle, `txstats-bench`) or the nearest one
/// above it that holds `aggregator`.
public enum BuiltProducts {
    /// The folder, or nil if none was found.
    public static let directory: String? = {
        if let dir = ProcessInfo.processInfo.environment["TXSTATS_BIN_DIR"], !dir.isEmpty { return dir }
        // /proc/self/exe rather than argv[0]: a program started through PATH has no folder in argv[0].
        let running = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: running).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("aggregator").path) { return url.path }
            url = url.deletingLastPathComponent()
        }
        return nil
    }()

    /// The path of executable `name` (`importer`, `api`, …); throws, saying how to fix it, if it
    /// is not there.
    public static func path(_ name: String) throws -> String {
        guard let directory, FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") else {
            throw TestSupportError(
                "\(name) not found beside this program: build the package first (swift build --build-tests), or set TXSTATS_BIN_DIR")
        }
        return "\(directory)/\(name)"
    }
}
