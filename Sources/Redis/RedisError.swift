public enum RedisError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The connection is unusable (refused, reset, timed out): reconnect and retry.
    case connection(String)
    /// The server answered with an error reply.
    case server(String)
    /// The reply had an unexpected shape.
    case protocolViolation(String)

    public var description: String {
        switch self {
        case .connection(let m): "Redis connection error: \(m)"
        case .server(let m): "Redis error: \(m)"
        case .protocolViolation(let m): "unexpected Redis reply: \(m)"
        }
    }

    public var isConnectionError: Bool {
        if case .connection = self { return true }
        return false
    }

    public var isNoScript: Bool {
        if case .server(let m) = self { return m.hasPrefix("NOSCRIPT") }
        return false
    }
}

extension RedisError {
    /// Errors that go away by waiting: the connection, or a server that is loading, busy,
    /// out of memory or failing over.
    public var isTransient: Bool {
        switch self {
        case .connection: return true
        case .server(let m):
            return ["LOADING", "BUSY", "OOM", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"].contains { m.hasPrefix($0) }
        case .protocolViolation: return false
        }
    }
}
