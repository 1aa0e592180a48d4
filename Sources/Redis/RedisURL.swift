/// Where a Redis server is: parsed from `redis://[[user]:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var database: Int

    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws {
        guard text.hasPrefix("redis://") else {
            throw ParseError(description: "REDIS_URL must start with redis:// (got \(RedisURL.redact(text)))")
        }
        var rest = Substring(text.dropFirst("redis://".count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let auth = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = auth.firstIndex(of: ":") {
                let user = auth[..<colon]
                username = user.isEmpty ? nil : String(user).removingPercentEncodingIfPossible
                password = String(auth[auth.index(after: colon)...]).removingPercentEncodingIfPossible
            } else if !auth.isEmpty {
                // redis://secret@host is the common short form for a password alone.
                password = String(auth).removingPercentEncodingIfPossible
            }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let db = Int(dbText), db >= 0 else {
                    throw ParseError(description: "REDIS_URL database must be a number >= 0 (got \"\(dbText)\")")
                }
                database = db
            }
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw ParseError(description: "REDIS_URL port must be 1-65535 (in \(RedisURL.redact(text)))")
            }
            port = p
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "127.0.0.1" }
        self.init(host: host, port: port, username: username, password: password, database: database)
    }

    /// The URL with any password replaced: safe for logs.
    public var description: String {
        var s = "redis://"
        if password != nil { s += "\(username ?? ""):***@" }
        s += host.contains(":") ? "[\(host)]" : host
        return s + ":\(port)/\(database)"
    }

    /// Redacts the password of a URL that may not even parse.
    public static func redact(_ text: String) -> String { LogRedaction.redact(text) }
}
