import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Fresh private directories for servers, captured output and benchmark data.
public enum TemporaryDirectory {
    /// Creates `$TMPDIR/<prefix>.XXXXXX` with `mkdtemp` (unique even across processes that run
    /// the same tests at once) and returns its path. The caller deletes it.
    public static func create(prefix: String) throws -> String {
        var template = Array("\(NSTemporaryDirectory())\(prefix).XXXXXX".utf8CString)
        guard let dir = mkdtemp(&template) else { throw TestSupportError.system("mkdtemp") }
        return String(cString: dir)
    }
}
