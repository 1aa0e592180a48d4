import StatsCore
import Hummingbird

/// With `TXSTATS_READ_TOKEN` set, the read endpoints (`/stats`, `/api/v1/stats/*`) want it as a
/// bearer token; health checks, the dashboard page, the OpenAPI document and the admin routes
/// (which have their own token) stay as they are.
struct ReadTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let token, request.uri.path == "/stats" || request.uri.path.hasPrefix("/api/v1/stats") {
            try requireToken(token, request)
        }
        return try await next(request, context)
    }
}
