import CHiredis
import Logging
import Metrics

/// One hiredis connection, owned by one thread or task at a time (it is deliberately not
/// `Sendable`: a `redisContext` must never be used from two threads at once).
///
/// Every command is blocking; callers run it on a dedicated thread (`BlockingWorkerService`),
/// never on the cooperative pool. After any I/O error the context is dropped and the next
/// call reconnects: hiredis leaves a context unusable after a failed read (see PLATFORM-NOTES).
public final class RedisConnection: RedisPipelining {
    public let url: RedisURL
    public let connectTimeout: Duration
    /// Socket read/write timeout. A blocking pop must use a shorter timeout than this.
    public let socketTimeout: Duration
    private var context: UnsafeMutablePointer<redisContext>?
    private var scriptSHAs: [String: String] = [:]
    private var connectedBefore = false
    /// When the connection was lost, until the next successful connect (for the "reconnected" line).
    private var lostAt: ContinuousClock.Instant?
    private var failedAttempts = 0
    /// Where "lost" and "reconnected" are logged; the workers set their own.
    public var logger = Logger(label: "txstats.redis")

    public init(url: RedisURL, connectTimeout: Duration = .seconds(2), socketTimeout: Duration = .seconds(15)) {
        self.url = url
        self.connectTimeout = connectTimeout
        self.socketTimeout = socketTimeout
    }

    deinit { close() }

    public var isConnected: Bool { context != nil }

    public func close() {
        if let context { redisFree(context) }
        context = nil
        scriptSHAs.removeAll()
    }

    /// Connects (if not connected), authenticates and selects the database.
    public func connect() throws(RedisError) {
        if context != nil { return }
        guard let ctx = redisConnectWithTimeout(url.host, Int32(url.port), Self.timeval(connectTimeout)) else {
            throw .connection("cannot allocate a hiredis context")
        }
        if ctx.pointee.err != 0 {
            let message = Self.errorString(ctx)
            redisFree(ctx)
            if lostAt == nil && connectedBefore { lostAt = .now }
            failedAttempts += 1
            throw .connection("connect to \(url.host):\(url.port) failed: \(message)")
        }
        if connectedBefore {
            Counter(label: "txstats_redis_reconnects_total").increment()
            let down = lostAt.map { ContinuousClock.now - $0 } ?? .zero
            logger.notice(
                "Redis reconnected", metadata: ["redis": "\(url)", "down_for": "\(down)", "failed_attempts": "\(failedAttempts)"])
        }
        lostAt = nil
        failedAttempts = 0
        connectedBefore = true
        redisSetTimeout(ctx, Self.timeval(socketTimeout))
        _ = redisEnableKeepAlive(ctx)
        context = ctx
        do throws(RedisError) {
            if let password = url.password {
                var auth = RedisCommand("AUTH")
                if let user = url.username { auth.append(user) }
                auth.append(password)
                // The reply is checked but never logged: it could echo the secret.
                if case .error = try send(auth) { throw RedisError.server("AUTH failed for \(url)") }
            }
            if url.database != 0 {
                var select = RedisCommand("SELECT")
                select.append(url.database)
                try send(select).check()
            }
        } catch {
            close()
            throw error
        }
    }

    /// Writes commands without waiting for their replies, so that the caller can work while
    /// the server executes them; collect the replies with ``receive(_:)``, in order.
    public func send(pipelined commands: some Collection<RedisCommand>) throws(RedisError) {
        try connect()
        guard let ctx = context else { throw .connection("not connected") }
        for command in commands {
            let rc: Int32 = command.bytes.withUnsafeBufferPointer { buf in
                let base = UnsafeRawPointer(buf.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                let n = command.ends.count
                return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: n) { argv in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: n) { lens in
                        var start = 0
                        for (i, end) in command.ends.enumerated() {
                            argv[i] = (base + start).assumingMemoryBound(to: CChar.self)
                            lens[i] = end - start
                            start = end
                        }
                        return redisAppendCommandArgv(ctx, Int32(n), argv.baseAddress, lens.baseAddress)
                    }
                }
            }
            if rc != REDIS_OK { throw dropConnection(ctx, while: "queueing \(command.summary)") }
        }
        var done: Int32 = 0
        while done == 0 {
            if redisBufferWrite(ctx, &done) != REDIS_OK { throw dropConnection(ctx, while: "sending commands") }
        }
    }

    /// Reads the replies of `count` commands sent before.
    public func receive(_ count: Int) throws(RedisError) -> [RedisReply] {
        guard let ctx = context else { throw .connection("not connected") }
        var replies: [RedisReply] = []
        replies.reserveCapacity(count)
        for _ in 0..<count {
            var raw: UnsafeMutableRawPointer?
            if redisGetReply(ctx, &raw) != REDIS_OK || raw == nil {
                throw dropConnection(ctx, while: "reading a reply")
            }
            replies.append(Self.convert(raw!.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return replies
    }

    // MARK: Lua scripts

    /// Runs a script by SHA, loading it first if this connection (or the server, after a
    /// restart or SCRIPT FLUSH) does not have it yet.
    public func evalScript(_ script: RedisScript, keys: [String], args: RedisCommand) throws(RedisError) -> RedisReply {
        let command = try scriptCommand(script, keys: keys, args: args)
        let reply = try send(command)
        if case .error(let m) = reply, m.hasPrefix("NOSCRIPT") {
            scriptSHAs[script.name] = nil
            return try send(try scriptCommand(script, keys: keys, args: args))
        }
        return reply
    }

    /// EVALSHA command for pipelining; the script is loaded if this connection has not yet.
    public func scriptCommand(_ script: RedisScript, keys: [String], args: RedisCommand) throws(RedisError) -> RedisCommand {
        let sha = try load(script)
        return RedisCommand(evalSHA: sha, keys: keys, args: args)
    }

    /// True if this connection has loaded `script` (``load(_:)`` then sends nothing).
    public func hasLoaded(_ script: RedisScript) -> Bool { scriptSHAs[script.name] != nil }

    /// Forgets the loaded scripts (the server answered NOSCRIPT: it restarted or was flushed).
    public func forgetScripts() { scriptSHAs.removeAll() }

    @discardableResult
    public func load(_ script: RedisScript) throws(RedisError) -> String {
        if let sha = scriptSHAs[script.name] { return sha }
        var command = RedisCommand("SCRIPT")
        command.append("LOAD")
        command.append(script.source)
        let reply = try send(command)
        guard let sha = try reply.check().text else { throw .protocolViolation("SCRIPT LOAD returned \(reply)") }
        scriptSHAs[script.name] = sha
        return sha
    }

    // MARK: helpers

    private func dropConnection(_ ctx: UnsafeMutablePointer<redisContext>, while doing: String) -> RedisError {
        let message = Self.errorString(ctx)
        close()
        if lostAt == nil { lostAt = .now }
        return .connection("\(url.host):\(url.port) \(doing): \(message.isEmpty ? "connection lost" : message)")
    }

    private static func errorString(_ ctx: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: ctx.pointee.errstr) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func timeval(_ d: Duration) -> timeval {
        let (s, atto) = d.components
        return CHiredis.timeval(tv_sec: Int(s), tv_usec: Int(atto / 1_000_000_000_000))
    }

    private static func convert(_ r: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let reply = r.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            return .string(Array(UnsafeRawBufferPointer(start: reply.str, count: Int(reply.len))))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: UnsafeRawBufferPointer(start: reply.str, count: Int(reply.len)), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: reply.str, count: Int(reply.len)), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(reply.integer))
        case REDIS_REPLY_ARRAY:
            var items: [RedisReply] = []
            items.reserveCapacity(Int(reply.elements))
            for i in 0..<Int(reply.elements) {
                if let child = reply.element[i] { items.append(convert(child)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .null
        }
    }
}
