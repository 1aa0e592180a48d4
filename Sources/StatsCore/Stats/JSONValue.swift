/// A JSON value for API answers. Amounts are kept as integer minor units and printed exactly
/// (`JSONEncoder` would go through Double); object keys keep their order.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    /// Minor units, printed as an exact decimal number of the given scale.
    case amount(Int64)
    /// A number already formatted (e.g. a rounded percentage).
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render(scale: 2) == b.render(scale: 2) }

    public func render(scale: Int) -> String {
        var out = ""
        write(to: &out, scale: scale)
        return out
    }

    public func write(to out: inout String, scale: Int) {
        switch self {
        case .object(let pairs):
            out += "{"
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { out += "," }
                out += JSONText.quote(k)
                out += ":"
                v.write(to: &out, scale: scale)
            }
            out += "}"
        case .array(let items):
            out += "["
            for (i, v) in items.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out, scale: scale)
            }
            out += "]"
        case .string(let s): out += JSONText.quote(s)
        case .int(let v): out += String(v)
        case .amount(let v): out += DecimalAmount.format(minor: v, scale: scale)
        case .number(let s): out += s
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }
}
