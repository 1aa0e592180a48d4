import Hummingbird
import StatsCore

/// JSON text built by hand: amounts must print exactly from minor units (a JSON encoder would
/// go through Double), and keys in a stable order.
enum JSONBody {
    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        response(ByteBuffer(string: text), status: status)
    }

    static func response(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// `{"data": {"YYYY-MM-DD": {"deposits": {"method": 123.45, …}, …}, …}}`; empty days and
    /// types are left out, as in the original.
    static func stats(_ days: [CivilDay: [TransactionType: [String: Int64]]], scale: Int) -> String {
        let data: [(String, JSONValue)] = days.keys.sorted().compactMap { day in
            let types: [(String, JSONValue)] = TransactionType.allCases.compactMap { type in
                guard let methods = days[day]?[type], !methods.isEmpty else { return nil }
                return (type.plural, .object(methods.keys.sorted().map { ($0, .amount(methods[$0]!)) }))
            }
            return types.isEmpty ? nil : (day.description, .object(types))
        }
        return JSONValue.object([("data", .object(data))]).render(scale: scale)
    }
}
