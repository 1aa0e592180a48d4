import Foundation

/// One HTTP/1.1 answer as `LoopbackHTTP` read it: status, headers, the (de-chunked) body.
public struct HTTPAnswer: Sendable {
    public var status: Int
    /// Header names lowercased (HTTP names are case-insensitive); repeats joined with ", ".
    public var headers: [String: String]
    public var body: String

    public init(status: Int, headers: [String: String], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of header `name`, in any case.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body parsed as JSON (`JSONSerialization` objects), or nil if it is not JSON.
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
}
