import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 GET over a loopback socket: status and body, nothing else.
struct HTTPResponse {
    var status: Int
    var body: String
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
}

func httpGet(port: Int, _ path: String, timeout: Double = 15) throws -> HTTPResponse {
    try httpRequest(port: port, "GET", path, timeout: timeout)
}

func httpRequest(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], timeout: Double = 15) throws -> HTTPResponse {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket() failed") }
    defer { close(fd) }
    var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestFailure("connect to port \(port) failed") }
    var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (k, v) in headers { request += "\(k): \(v)\r\n" }
    if method != "GET" { request += "Content-Length: 0\r\n" }
    request += "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = recv(fd, &buf, buf.count, 0)
        if n <= 0 { break }
        data.append(contentsOf: buf[0..<n])
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let headEnd = text.range(of: "\r\n\r\n"), let status = Int(text.split(separator: " ").dropFirst().first ?? "") else {
        throw TestFailure("bad HTTP response: \(text.prefix(200))")
    }
    let head = text[..<headEnd.lowerBound].lowercased()
    var body = String(text[headEnd.upperBound...])
    if head.contains("transfer-encoding: chunked") { body = dechunk(body) }
    return HTTPResponse(status: status, body: body)
}

private func dechunk(_ s: String) -> String {
    var out = ""
    var rest = Substring(s)
    while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
        let start = lineEnd.upperBound
        let end = rest.utf8.index(start, offsetBy: size)
        out += rest[start..<end]
        rest = rest[end...].dropFirst(2)
    }
    return out
}
