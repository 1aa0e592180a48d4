import StatsCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes text straight to a file descriptor (the C `stdout`/`stderr` globals are not
/// concurrency-safe in Swift 6).
public enum Console {
    public static func out(_ text: String) { write(text, to: STDOUT_FILENO) }
    public static func err(_ text: String) { write(text, to: STDERR_FILENO) }

    public static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 {
                    if n < 0 && errno == EINTR { continue }
                    return
                }
                off += n
            }
        }
    }
}
