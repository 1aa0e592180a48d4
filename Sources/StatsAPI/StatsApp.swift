import WorkerRuntime
import Hummingbird
import StatsCore
import Synchronization

/// The HTTP routes. Handlers validate on the event loop and read on the blocking thread pool.
struct StatsApp: Sendable {
    let store: StatsStore
    let versions: VersionWatcher
    let scale: Int
    let maxRangeDays: Int
    /// Bearer tokens: admin routes exist only with one; read routes require one if set.
    let adminToken: String?
    let readToken: String?
    /// The dashboard page and the OpenAPI document, read at start-up.
    let assets: Assets
    let cache = ResponseCache()

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: QueryLimitMiddleware())
        router.add(middleware: ReadTokenMiddleware(token: readToken))
        router.get("/stats") { request, _ in try await stats(request) }
        router.get("/healthz") { _, _ in JSONBody.response("{\"status\":\"ok\"}") }
        router.get("/readyz") { _, _ in try await ready() }
        let openAPI = assets.openAPI
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
        }
        addViewRoutes(to: router)
        addDashboardRoute(to: router)
        addAdminRoutes(to: router)
        return router
    }

    /// `GET /stats?from_date=&to_date=`: the original's shape, exact amounts.
    func stats(_ request: Request) async throws -> Response {
        let range = try DateRangeQuery(request, maxDays: maxRangeDays)
        let cache = self.cache, scale = self.scale
        let key = "stats|\(range.from)|\(range.to)"
        // Same data version, same answer: the version moves with every aggregate commit.
        if let v = versions.version, let hit = cache.get(key, version: v) { return JSONBody.response(hit) }
        let body: String = try await store.read { reader in
            let version = try reader.dataVersion()
            if let hit = cache.get(key, version: version) { return hit }
            let days = try reader.read(from: range.from, to: range.to, view: .totals)
            let body = JSONBody.stats(days, scale: scale)
            cache.put(key, version: version, body: body)
            return body
        }
        return JSONBody.response(body)
    }

    /// `GET /readyz`: both stores answer.
    func ready() async throws -> Response {
        try await store.read { reader in
            _ = try reader.dataVersion()
            do { try reader.mongo.ping() } catch { throw StatsReader.ReadError(source: "MongoDB", message: "\(error)") }
        }
        return JSONBody.response("{\"status\":\"ready\",\"redis\":\"ok\",\"mongodb\":\"ok\"}")
    }
}

/// Answers by request and data version. A cached answer is exact: any commit that changes the
/// aggregates moves the version, and so misses the cache.
final class ResponseCache: Sendable {
    private let entries = Mutex<[String: (version: String, body: String)]>([:])
    static let capacity = 4096

    func get(_ key: String, version: String) -> String? {
        entries.withLock { e in e[key].flatMap { $0.version == version ? $0.body : nil } }
    }

    func put(_ key: String, version: String, body: String) {
        entries.withLock { e in
            if e.count >= Self.capacity { e.removeAll(keepingCapacity: true) }
            e[key] = (version, body)
        }
    }
}
