import StatsCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 answer: status and body text.
struct HTTPAnswer {
    var status: Int
    var body: String
}

/// A minimal blocking `GET` on a fresh loopback connection (`Connection: close`): enough for
/// health checks, warm-ups and timing single uncached requests one after another.
func httpGet(port: Int, _ path: String, timeoutSeconds: Int = 15) throws -> HTTPAnswer {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchmarkError("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw BenchmarkError("GET \(path): connect to port \(port): \(String(cString: strerror(errno)))") }

    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    var sent = 0
    while sent < request.count {
        let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { throw BenchmarkError("GET \(path): send: \(String(cString: strerror(errno)))") }
        sent += n
    }

    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var headerEnd: Int?
    var contentLength: Int?
    while true {
        let n = recv(fd, &buffer, buffer.count, 0)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw BenchmarkError("GET \(path): recv: \(String(cString: strerror(errno)))") }
        if n == 0 { break }
        data.append(contentsOf: buffer[0..<n])
        if headerEnd == nil, let end = find([13, 10, 13, 10], in: data) {
            headerEnd = end + 4
            contentLength = headerValue("content-length", in: data[..<end]).flatMap { Int($0) }
        }
        if let headerEnd, let contentLength, data.count >= headerEnd + contentLength { break }
    }
    guard let headerEnd else { throw BenchmarkError("GET \(path): no complete HTTP header in \(data.count) bytes") }
    let statusLine = String(decoding: data[..<(find([13, 10], in: data) ?? 0)], as: UTF8.self)
    guard let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
        throw BenchmarkError("GET \(path): bad status line \(statusLine)")
    }
    var body = Array(data[headerEnd...])
    if let contentLength {
        body = Array(body.prefix(contentLength))
    } else if headerValue("transfer-encoding", in: data[..<headerEnd])?.lowercased() == "chunked" {
        body = try dechunk(body)
    }
    return HTTPAnswer(status: status, body: String(decoding: body, as: UTF8.self))
}

private func find(_ needle: [UInt8], in haystack: some Collection<UInt8>) -> Int? {
    let h = Array(haystack)
    guard h.count >= needle.count else { return nil }
    for i in 0...(h.count - needle.count) where h[i] == needle[0] && Array(h[i..<(i + needle.count)]) == needle {
        return i
    }
    return nil
}

private func headerValue(_ name: String, in head: ArraySlice<UInt8>) -> String? {
    for line in String(decoding: head, as: UTF8.self).split(separator: "\r\n").dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
    }
    return nil
}

private func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while let lineEnd = find([13, 10], in: bytes[i...]).map({ $0 + i }),
          let size = Int(String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) {
        if size == 0 { return out }
        let start = lineEnd + 2
        guard start + size <= bytes.count else { break }
        out += bytes[start..<(start + size)]
        i = start + size + 2
        if i >= bytes.count { break }
    }
    throw BenchmarkError("truncated chunked body")
}
