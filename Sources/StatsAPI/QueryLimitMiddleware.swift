import Hummingbird
import StatsCore

/// Query strings beyond a few KiB are refused before any work (no endpoint needs more).
struct QueryLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    static var maxQueryBytes: Int { 4096 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let q = request.uri.query, q.utf8.count > Self.maxQueryBytes {
            throw ApiError.badRequest("the query string is longer than \(Self.maxQueryBytes) bytes")
        }
        return try await next(request, context)
    }
}
