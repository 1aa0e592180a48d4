import Hummingbird
import StatsCore

/// Every error answer is JSON `{"detail": "..."}` with the status that fits, plus any header the
/// status calls for (`Allow` with a 405, `WWW-Authenticate` with a 401).
struct ApiError: HTTPResponseError {
    let status: HTTPResponse.Status
    let detail: String
    var headers: HTTPFields = [:]

    static func badRequest(_ detail: String) -> ApiError { ApiError(status: .badRequest, detail: detail) }
    static func notFound(_ detail: String) -> ApiError { ApiError(status: .notFound, detail: detail) }
    static func unavailable(_ detail: String) -> ApiError { ApiError(status: .serviceUnavailable, detail: detail) }
    static var unauthorized: ApiError {
        ApiError(status: .unauthorized, detail: "missing or wrong bearer token", headers: [.wwwAuthenticate: #"Bearer realm="txstats""#])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(Self.body(detail), status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// `{"detail": "…"}`.
    static func body(_ detail: String) -> String { "{\"detail\":\(JSONText.quote(detail))}" }
}
