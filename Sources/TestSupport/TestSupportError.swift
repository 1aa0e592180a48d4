#if canImport(Glibc)
    import Glibc
#endif

/// The one error TestSupport throws: a sentence for a person reading a failed test or benchmark
/// run, so it carries text (with log tails where they help) rather than cases to switch on.
public struct TestSupportError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// `call: <strerror(errno)>`, for a failed system call; read errno before anything else can
    /// change it.
    static func system(_ call: String) -> TestSupportError {
        TestSupportError("\(call): \(String(cString: strerror(errno)))")
    }
}
