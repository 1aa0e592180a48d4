import Hummingbird
import StatsCore

/// Turns Hummingbird's own errors (unknown route, wrong method, …) into the same
/// `{"detail": "..."}` answers as ours.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            let detail =
                error.status == .notFound
                ? "no such route: \(request.method) \(request.uri.path)" : (error.body ?? error.status.reasonPhrase)
            throw ApiError(status: error.status, detail: detail)
        }
    }
}
