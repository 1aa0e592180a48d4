import NIOPosix
import ServiceLifecycle

/// Shuts the api's blocking thread pool down with the group, after the HTTP server (the group
/// stops services in reverse order, and this one is listed first).
struct ThreadPoolService: Service {
    let pool: NIOThreadPool

    func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
