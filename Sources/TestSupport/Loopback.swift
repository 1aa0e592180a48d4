#if canImport(Glibc)
    import Glibc
#endif

/// The loopback interface every test server and every txstats process under test listens on.
public enum Loopback {
    /// The address servers bind and clients connect to.
    public static let host = "127.0.0.1"

    /// A TCP port nobody listens on right now: binds port 0, reads the port the kernel chose,
    /// releases it. Another process may take it before the caller binds it, so launchers retry.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError.system("socket") }
        defer { close(fd) }
        var addr = address(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0 else { throw TestSupportError.system("bind 127.0.0.1:0") }
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { throw TestSupportError.system("getsockname") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`: the readiness check for
    /// servers that speak no protocol this module knows.
    public static func acceptsConnections(port: Int) -> Bool {
        (try? LoopbackConnection(port: port, timeout: .seconds(1))) != nil
    }

    /// 127.0.0.1:`port` as a `sockaddr_in`, for code that binds or connects itself.
    public static func address(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        return addr
    }
}
