/// What ``RedisConnection`` (one server) and ``RedisClient`` (a server or a cluster) share:
/// every call is built on writing commands pipelined and reading their replies in order.
public protocol RedisPipelining: AnyObject {
    /// Writes commands without waiting for their replies; ``receive(_:)`` reads them, in order.
    func send(pipelined commands: some Collection<RedisCommand>) throws(RedisError)
    /// Reads the replies of the `count` oldest commands sent and not yet answered.
    func receive(_ count: Int) throws(RedisError) -> [RedisReply]
}

extension RedisPipelining {
    /// Sends one command and waits for its reply. An error reply is returned, not thrown.
    @discardableResult
    public func send(_ command: RedisCommand) throws(RedisError) -> RedisReply {
        try pipeline(CollectionOfOne(command))[0]
    }

    /// Convenience: `try redis.run("HGET", "key", "field")`.
    @discardableResult
    public func run(_ args: String...) throws(RedisError) -> RedisReply {
        try send(RedisCommand(args))
    }

    /// Sends all commands at once and reads all replies: one round trip (per node involved).
    public func pipeline(_ commands: some Collection<RedisCommand>) throws(RedisError) -> [RedisReply] {
        try send(pipelined: commands)
        return try receive(commands.count)
    }
}
