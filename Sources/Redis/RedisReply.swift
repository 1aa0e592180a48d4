/// A Redis reply copied out of hiredis' reply tree into Swift values.
public enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisReply])
    case null
    case error(String)

    public var int: Int64? {
        switch self {
        case .integer(let v): v
        case .string(let b): Int64(String(decoding: b, as: UTF8.self))
        default: nil
        }
    }

    public var text: String? {
        switch self {
        case .string(let b): String(decoding: b, as: UTF8.self)
        case .status(let s): s
        case .integer(let v): String(v)
        default: nil
        }
    }

    public var bytes: [UInt8]? {
        if case .string(let b) = self { return b }
        return nil
    }

    public var array: [RedisReply]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Throws the server's error reply as a Swift error.
    @discardableResult
    public func check() throws(RedisError) -> RedisReply {
        if case .error(let message) = self { throw .server(message) }
        return self
    }

    /// A flat array reply `[k1, v1, k2, v2, …]` (HGETALL) as pairs of strings.
    public var pairs: [(String, String)] {
        guard let a = array else { return [] }
        var out: [(String, String)] = []
        out.reserveCapacity(a.count / 2)
        var i = 0
        while i + 1 < a.count {
            out.append((a[i].text ?? "", a[i + 1].text ?? ""))
            i += 2
        }
        return out
    }
}
