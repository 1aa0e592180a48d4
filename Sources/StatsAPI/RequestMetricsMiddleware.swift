import Hummingbird
import Metrics
import StatsCore

/// `txstats_http_requests_total{route,status}` and `txstats_http_request_seconds{route}`, the
/// route being the matched pattern (e.g. `/api/v1/stats/provider/{id}`), so labels stay few.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(context, status: response.status.code, since: started)
            return response
        } catch let error as HTTPResponseError {
            record(context, status: error.status.code, since: started)
            throw error
        } catch {
            record(context, status: 500, since: started)
            throw error
        }
    }

    func record(_ context: Context, status: Int, since started: ContinuousClock.Instant) {
        // Hummingbird names a request no route matched "NotFound"; route patterns start with "/".
        let route =
            context.endpointPath.flatMap { $0.hasPrefix("/") ? $0.replacingOccurrences(of: ":id", with: "{id}") : nil } ?? "unmatched"
        Counter(label: "txstats_http_requests_total", dimensions: [("route", route), ("status", String(status))]).increment()
        Metrics.Timer(label: "txstats_http_request_seconds", dimensions: [("route", route)]).recordInterval(since: started)
    }
}
