import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback HTTP listener that records request bodies and answers 204: a webhook's far end.
final class WebhookReceiver: Sendable {
    let port: Int
    private let fd: Int32
    private let bodies = Mutex<[String]>([])

    var received: [String] { bodies.withLock { $0 } }

    init() throws {
        port = try Loopback.freePort()
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = Loopback.address(port: port)
        let socketFD = fd
        let bound = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else { throw TestFailure("webhook receiver cannot listen on \(port)") }
        let listener = fd
        Thread.detachNewThread { [self] in
            while true {
                let c = accept(listener, nil, nil)
                if c < 0 { return }
                var data = [UInt8]()
                var buf = [UInt8](repeating: 0, count: 16384)
                while true {
                    let n = recv(c, &buf, buf.count, 0)
                    if n <= 0 { break }
                    data.append(contentsOf: buf[0..<n])
                    let text = String(decoding: data, as: UTF8.self)
                    if let end = text.range(of: "\r\n\r\n") {
                        let head = text[..<end.lowerBound].lowercased()
                        let length =
                            head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                        let body = text[end.upperBound...]
                        if body.utf8.count >= length {
                            bodies.withLock { $0.append(String(body)) }
                            break
                        }
                    }
                }
                let reply = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                _ = reply.withCString { send(c, $0, strlen($0), 0) }
                close(c)
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
