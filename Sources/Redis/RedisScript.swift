/// A Lua script run by SHA. `name` identifies it in the connection's cache.
public struct RedisScript: Sendable, Hashable {
    public let name: String
    public let source: String
    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}
