import Hummingbird
import StatsCore

/// The methods each route path answers, from the router's own routes, so that a path the
/// router knows asked with another method is a 405 with `Allow` (RFC 9110 §15.5.6) rather than
/// a 404. Paths are matched the way the router's trie matches them: split at `/` with empty
/// components dropped, so `//stats/` is `/stats`. A GET route also answers HEAD (the router
/// generates it), so `Allow` lists HEAD beside GET.
struct RouteMethods: Sendable {
    private let routes: [(path: RouterPath, allow: String)]

    init(_ described: [Router<BasicRequestContext>.RouteDescription]) {
        var byPath: [String: (RouterPath, Set<String>)] = [:]
        for r in described {
            var methods = byPath[r.path.description]?.1 ?? []
            methods.insert(r.method.rawValue)
            if r.method == .get { methods.insert(HTTPRequest.Method.head.rawValue) }
            byPath[r.path.description] = (r.path, methods)
        }
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        routes = byPath.values.map { path, methods in
            (path, methods.sorted { (order.firstIndex(of: $0) ?? 99, $0) < (order.firstIndex(of: $1) ?? 99, $1) }.joined(separator: ", "))
        }
    }

    /// `Allow` for the route `path` resolves to, or nil when no route has that path.
    func allow(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.first { route in
            route.path.components.count == parts.count && zip(route.path.components, parts).allSatisfy { $0 ~= $1 }
        }?.allow
    }
}

/// Wraps the router's "no route" answer only (it is added after every route): a known path with
/// an unknown method is a 405 with `Allow`; anything else stays a 404.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let allow = routes.allow(request.uri.path) {
            throw ApiError(
                status: .methodNotAllowed, detail: "\(request.method) is not allowed on \(request.uri.path); allowed: \(allow)",
                headers: [.allow: allow])
        }
        return try await next(request, context)
    }
}

/// HEAD answers like GET without the body (status, `Content-Type` and `Content-Length` as GET
/// would send them), errors included: a HEAD answer must never carry a body.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        return response.createHeadResponse()
    }
}

/// No route takes a request body: one that announces a body (a non-zero `Content-Length`, or
/// any `Transfer-Encoding`) is refused with 413 before it is read, and the connection is closed
/// after the answer (``HTTPGuardHandler`` closes it), so a body is never drained or waited for.
struct NoBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.headers[.contentLength]
        if request.headers[.transferEncoding] != nil || (length != nil && length != "0") {
            throw ApiError(status: .contentTooLarge, detail: "this api takes no request body", headers: [.connection: "close"])
        }
        return try await next(request, context)
    }
}
