/// A Lua script run by SHA. `name` identifies it in the connection's cache.
public struct RedisScript: Sendable, Hashable {
    public let name: String
    public let source: String
    public init(name: String, source: String) {
        self.name = name
        self.source = source
    }
}

extension RedisCommand {
    /// `WAIT replicas timeout`.
    public init(waitFor replicas: Int, timeoutMilliseconds: Int) {
        self.init("WAIT")
        append(replicas)
        append(timeoutMilliseconds)
    }

    /// `EVALSHA sha numkeys key… arg…`.
    public init(evalSHA sha: String, keys: [String], args: RedisCommand) {
        self.init("EVALSHA")
        append(sha)
        append(keys.count)
        for k in keys { append(k) }
        append(contentsOf: args)
    }
}
