import Foundation

/// A minimal blocking HTTP/1.1 client for 127.0.0.1, one fresh connection per request
/// (`Connection: close`): no keep-alive, redirects or TLS, so a timing or a status check
/// measures exactly one request. Written on raw sockets so that the tests and the benchmark do
/// not exercise the server under test through another HTTP stack's quirks.
public enum LoopbackHTTP {
    /// `GET path` on 127.0.0.1:`port`.
    public static func get(port: Int, _ path: String, headers: [String: String] = [:], timeout: Duration = .seconds(15)) throws
        -> HTTPAnswer
    {
        try request(port: port, "GET", path, headers: headers, timeout: timeout)
    }

    /// `method path` on 127.0.0.1:`port` with `headers` and `body` (a `Content-Length` is sent
    /// for every method but GET and HEAD, 0 without a body). Reads the whole answer: up to its
    /// `Content-Length`, to the end of a chunked body, or until the server closes. `timeout`
    /// bounds each send and receive.
    public static func request(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
        body: String? = nil, timeout: Duration = .seconds(15)
    ) throws -> HTTPAnswer {
        let what = "\(method) \(path)"
        let connection: LoopbackConnection
        do { connection = try LoopbackConnection(port: port, timeout: timeout) } catch { throw TestSupportError("\(what): \(error)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(Loopback.host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let payload = Array((body ?? "").utf8)
        if body != nil || !["GET", "HEAD"].contains(method) { head += "Content-Length: \(payload.count)\r\n" }
        // A server may answer and close before reading everything (an over-long URL): then the
        // send fails but the answer is there to read.
        var sendError: Error?
        do { try connection.send(Array((head + "\r\n").utf8) + payload) } catch { sendError = error }

        var data: [UInt8] = []
        var parsed: (status: Int, headers: [String: String], bodyStart: Int)?
        while true {
            let chunk: [UInt8]
            do { chunk = try connection.receive() } catch { throw TestSupportError("\(what): \(error) after \(data.count) bytes") }
            if chunk.isEmpty { break }
            data += chunk
            if parsed == nil, let end = find(crlfcrlf, in: data[...]) {
                parsed = try parseHead(data[..<end], what: what, bodyStart: end + 4)
            }
            if let parsed, try complete(data[parsed.bodyStart...], headers: parsed.headers, status: parsed.status, method: method) { break }
        }
        guard let parsed else {
            if data.isEmpty, let sendError { throw TestSupportError("\(what): \(sendError)") }
            throw TestSupportError(
                "\(what): no complete HTTP header in \(data.count) bytes: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        var content = Array(data[parsed.bodyStart...])
        if let length = parsed.headers["content-length"].flatMap({ Int($0) }) {
            guard content.count >= length else { throw TestSupportError("\(what): body ends after \(content.count) of \(length) bytes") }
            content = Array(content.prefix(length))
        } else if isChunked(parsed.headers) {
            guard let decoded = dechunk(content[...]) else { throw TestSupportError("\(what): truncated chunked body") }
            content = decoded
        }
        return HTTPAnswer(status: parsed.status, headers: parsed.headers, body: String(decoding: content, as: UTF8.self))
    }

    /// Polls `GET path` every 50 ms until it answers 200: how to know that a server just
    /// started is serving. Fails at once, with its log tail, if `process` exits meanwhile.
    public static func waitUntilOK(port: Int, path: String = "/healthz", process: ChildProcess, timeout: Duration = .seconds(30)) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = process.poll() {
                throw TestSupportError(
                    "\(process.name) exited (\(exit)) before answering \(path) on port \(port). Log tail:\n\(process.logTail())")
            }
            if (try? get(port: port, path, timeout: .seconds(2)))?.status == 200 { return }
            usleep(50_000)
        }
        throw TestSupportError(
            "\(process.name) did not answer \(path) on port \(port) with 200 within \(timeout). Log tail:\n\(process.logTail())")
    }

    private static let crlf: [UInt8] = [13, 10]
    private static let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    /// Status line and headers; names lowercased.
    private static func parseHead(_ head: ArraySlice<UInt8>, what: String, bodyStart: Int) throws -> (Int, [String: String], Int) {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.first ?? ""
        guard statusLine.hasPrefix("HTTP/"), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw TestSupportError("\(what): bad status line \(statusLine.prefix(200))")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        return (status, headers, bodyStart)
    }

    /// Whether the body so far is all of it, so the client need not wait for the close.
    private static func complete(_ body: ArraySlice<UInt8>, headers: [String: String], status: Int, method: String) throws -> Bool {
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) { return true }
        if let length = headers["content-length"].flatMap({ Int($0) }) { return body.count >= length }
        if isChunked(headers) { return body.count >= 5 && Array(body.suffix(5)) == Array("0\r\n\r\n".utf8) && dechunk(body) != nil }
        return false
    }

    private static func isChunked(_ headers: [String: String]) -> Bool {
        headers["transfer-encoding"]?.lowercased().contains("chunked") == true
    }

    /// The data of a complete chunked body (trailers ignored), or nil if it is cut short.
    private static func dechunk(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var i = bytes.startIndex
        while let lineEnd = find(crlf, in: bytes[i...]),
            let size = Int(
                String(decoding: bytes[i..<lineEnd], as: UTF8.self).split(separator: ";").first?
                    .trimmingCharacters(in: .whitespaces) ?? "", radix: 16)
        {
            if size == 0 { return out }
            let start = lineEnd + 2
            guard start + size <= bytes.endIndex else { return nil }
            out += bytes[start..<(start + size)]
            i = start + size + 2
            guard i <= bytes.endIndex else { return nil }
        }
        return nil
    }

    /// Index (in `haystack`'s own indices) of the first occurrence of `needle`.
    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.startIndex
        while i + needle.count <= haystack.endIndex {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
