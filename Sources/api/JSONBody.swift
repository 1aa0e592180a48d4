import Hummingbird
import StatsCore

/// JSON text built by hand: amounts must print exactly from minor units (a JSON encoder would
/// go through Double), and keys in a stable order.
enum JSONBody {
    static func response(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"data": {"YYYY-MM-DD": {"deposits": {"method": 123.45, …}, …}, …}}`; empty days and
    /// types are left out, as in the original.
    static func stats(_ days: [CivilDay: [TransactionType: [String: Int64]]], scale: Int) -> String {
        var out = "{\"data\":{"
        var firstDay = true
        for day in days.keys.sorted() {
            let types = days[day]!.filter { !$0.value.isEmpty }
            if types.isEmpty { continue }
            out += (firstDay ? "" : ",") + "\"\(day)\":{"
            firstDay = false
            var firstType = true
            for type in TransactionType.allCases {
                guard let methods = types[type] else { continue }
                out += (firstType ? "" : ",") + "\"\(type.plural)\":{"
                firstType = false
                var firstMethod = true
                for method in methods.keys.sorted() {
                    out += (firstMethod ? "" : ",") + JSONText.quote(method) + ":" + DecimalAmount.format(minor: methods[method]!, scale: scale)
                    firstMethod = false
                }
                out += "}"
            }
            out += "}"
        }
        return out + "}}"
    }
}
