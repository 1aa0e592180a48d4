#if canImport(Glibc)
    import Glibc
#endif

/// One blocking TCP connection to 127.0.0.1, closed when it goes out of scope (non-copyable,
/// so the descriptor has exactly one owner). Sends and receives time out after `timeout`, so a
/// stuck server fails a test instead of hanging it.
struct LoopbackConnection: ~Copyable {
    private let fd: Int32

    init(port: Int, timeout: Duration) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError.system("socket") }
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 1 } // 0 would mean "no timeout"
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = Loopback.address(port: port)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = TestSupportError.system("connect to 127.0.0.1:\(port)")
            close(fd)
            throw error
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends all of `bytes`: `send` may take only part of a large buffer, so it loops over the
    /// rest. MSG_NOSIGNAL: a peer that closed early is an error here, not a SIGPIPE.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TestSupportError.system("send") }
            sent += n
        }
    }

    /// The next bytes the peer sent; empty when it closed the connection. A reset counts as a
    /// close: a server that answers and closes before reading the whole request (an over-long
    /// URL, say) resets it, and what it answered has already arrived.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n >= 0 { return Array(buffer[0..<n]) }
            switch errno {
            case EINTR: continue
            case ECONNRESET: return []
            case EAGAIN, EWOULDBLOCK: throw TestSupportError("recv: timed out")
            default: throw TestSupportError.system("recv")
            }
        }
    }
}
