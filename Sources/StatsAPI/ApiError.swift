import Hummingbird
import StatsCore

/// Every error answer is JSON `{"detail": "..."}` with the status that fits.
struct ApiError: HTTPResponseError {
    let status: HTTPResponse.Status
    let detail: String

    static func badRequest(_ detail: String) -> ApiError { ApiError(status: .badRequest, detail: detail) }
    static func notFound(_ detail: String) -> ApiError { ApiError(status: .notFound, detail: detail) }
    static func unavailable(_ detail: String) -> ApiError { ApiError(status: .serviceUnavailable, detail: detail) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response("{\"detail\":\(JSONText.quote(detail))}", status: status)
    }
}
