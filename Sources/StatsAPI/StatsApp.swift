import Hummingbird
import StatsCore
import WorkerRuntime

/// The HTTP routes. Handlers validate on the event loop and read on the blocking thread pool.
struct StatsApp: Sendable {
    let store: StatsStore
    let versions: VersionWatcher
    /// The currency of a read that names none (`TXSTATS_CURRENCY`).
    let defaultCurrency: Currency
    let maxRangeDays: Int
    /// Bearer tokens: admin routes exist only with one; read routes require one if set.
    let adminToken: String?
    let readToken: String?
    /// The dashboard page and the OpenAPI document, read at start-up.
    let assets: Assets
    let cache: ResponseCache

    /// The routes. Protection is by route, not by path text: the read routes are registered in a
    /// group that carries the read token's check (when one is set) and the admin routes in one
    /// that carries the admin token's, so every path the router resolves to one of them — `//stats`,
    /// `/stats/`, `/api/v1//stats/daily` — passes that check. The middleware added last wraps
    /// only the router's "no route" answer, turning a known path with another method into a 405.
    func router() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: HeadMiddleware())
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: NoBodyMiddleware())
        router.add(middleware: QueryLimitMiddleware())
        router.get("/healthz") { _, _ in JSONBody.response("{\"status\":\"ok\"}") }
        router.get("/readyz") { _, _ in try await ready() }
        let openAPI = assets.openAPI
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: openAPI))
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
        }
        addDashboardRoute(to: router)

        let read = router.group()
        if let readToken { read.add(middleware: BearerTokenMiddleware(token: BearerToken(readToken))) }
        read.get("/stats") { request, _ in try await stats(request) }
        read.get("/api/v1/currencies") { _, _ in try await currencies() }
        addViewRoutes(to: read)

        if let adminToken {
            addAdminRoutes(to: router.group("/api/v1/admin").add(middleware: BearerTokenMiddleware(token: BearerToken(adminToken))))
        }
        router.add(middleware: MethodNotAllowedMiddleware(routes: RouteMethods(router.routes)))
        return router
    }

    /// `GET /stats?from_date=&to_date=[&currency=]`: the original's shape (method -> amount),
    /// exact amounts in the requested currency's minor units, printed with its decimals.
    func stats(_ request: Request) async throws -> Response {
        let range = try DateRangeQuery(request, maxDays: maxRangeDays)
        let currency = try ViewQuery.currency(request, default: defaultCurrency)
        let cache = self.cache
        let key = "stats|\(currency.code)|\(range.from)|\(range.to)"
        // Same data version, same answer: the version moves with every aggregate commit.
        if let v = versions.version, let hit = cache.get(key, version: v) { return JSONBody.response(hit) }
        let body: ByteBuffer = try await store.read { reader in
            let version = try reader.dataVersion()
            if let hit = cache.get(key, version: version) { return hit }
            let days = try reader.read(from: range.from, to: range.to, view: .totals, currency: currency)
            let body = ByteBuffer(string: JSONBody.stats(days, scale: currency.exponent))
            cache.put(key, version: version, body: body)
            return body
        }
        return JSONBody.response(body)
    }

    /// `GET /api/v1/currencies`: every currency that has aggregates, in Redis or MongoDB, with
    /// its exponent (the fraction digits of its amounts), and the default one (with its exponent
    /// too: it is what a read without currency= reports, data or not). Not cached: the
    /// dumper's writes (and its start-up migration) can add a MongoDB currency without moving
    /// the data version, and two small reads cost little.
    func currencies() async throws -> Response {
        let fallback = defaultCurrency
        let body: String = try await store.read { reader in
            let list: [JSONValue] = try reader.currencies().map { c in
                .object([("code", .string(c.code)), ("exponent", .int(Int64(c.exponent)))])
            }
            let def = JSONValue.object([("code", .string(fallback.code)), ("exponent", .int(Int64(fallback.exponent)))])
            return JSONValue.object([("default", def), ("currencies", .array(list))]).render(scale: 0)
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
