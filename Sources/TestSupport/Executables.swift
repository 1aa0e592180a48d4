import Foundation

/// Finding the programs the tests and the benchmark start (servers, browsers, load generators)
/// on PATH, with an environment variable to point at another build.
public enum Executables {
    /// The first executable file called `name` on PATH (then /usr/bin and /usr/local/bin, which a
    /// stripped-down PATH may lack), or `name` itself if it contains a slash and is executable.
    public static func find(_ name: String) -> String? {
        if name.contains("/") { return isExecutableFile(name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(name)"
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// The program named by `overrideVariable` when that is set and non-empty (an error if it
    /// is not executable: a typo must not silently fall back), else the first of `candidates`
    /// found on PATH. The error names what is missing, `hint` (how to install it) and the
    /// variable, so a failing run says how to fix it.
    public static func locate(_ candidates: String..., overrideVariable: String? = nil, hint: String) throws -> String {
        if let overrideVariable, let name = ProcessInfo.processInfo.environment[overrideVariable], !name.isEmpty {
            guard let path = find(name) else {
                throw TestSupportError("\(overrideVariable)=\(name) is not an executable file (a path, or a name on PATH)")
            }
            return path
        }
        for name in candidates {
            if let path = find(name) { return path }
        }
        let override = overrideVariable.map { ", or set \($0) to another binary" } ?? ""
        throw TestSupportError("\(candidates.joined(separator: " or ")) not found on PATH: \(hint)\(override)")
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
