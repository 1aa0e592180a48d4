/// Where the fleet's Redis is: one server, or any nodes of a Redis Cluster (the client learns
/// the rest from them). `REDIS_URL` takes them comma-separated:
/// `redis://10.0.0.1:7000,redis://10.0.0.2:7000`. A part without `redis://` is a host[:port]
/// that shares the first URL's user, password and database.
public struct RedisSeeds: Sendable, Hashable, CustomStringConvertible {
    public var urls: [RedisURL]

    public init(_ urls: [RedisURL]) {
        precondition(!urls.isEmpty, "at least one Redis URL")
        self.urls = urls
    }

    public init(_ url: RedisURL = RedisURL()) { self.urls = [url] }

    public init(parsing text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        guard let first = parts.first else { throw RedisURL.ParseError(description: "REDIS_URL is empty") }
        let head = try RedisURL(parsing: first)
        var urls = [head]
        for part in parts.dropFirst() {
            if part.hasPrefix("redis://") {
                urls.append(try RedisURL(parsing: part))
            } else {
                var url = try RedisURL(parsing: "redis://" + part)
                guard url.password == nil, url.database == 0 else {
                    throw RedisURL.ParseError(
                        description: "REDIS_URL: a seed without redis:// is host[:port] only (in \(RedisURL.redact(text)))")
                }
                url.username = head.username
                url.password = head.password
                url.database = head.database
                urls.append(url)
            }
        }
        self.urls = urls
    }

    /// The first seed: the server itself when Redis is a single server.
    public var first: RedisURL { urls[0] }

    /// Every URL with its password replaced: safe for logs.
    public var description: String { urls.map(\.description).joined(separator: ",") }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
