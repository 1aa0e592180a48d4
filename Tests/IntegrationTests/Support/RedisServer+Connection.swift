import Redis
import TestSupport

extension RedisServer {
    /// The server's address for the project's own Redis client (TestSupport does not depend on it).
    var url: RedisURL { RedisURL(host: Loopback.host, port: port, password: password) }

    /// A fresh client connection to the server.
    func connection() -> RedisClient { RedisClient(url: url) }
}
