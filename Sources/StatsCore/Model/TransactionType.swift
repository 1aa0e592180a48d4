/// Deposit or withdrawal. Parsed case-insensitively; `plural` is the name used in keys and JSON,
/// as in the original design (`agg:…:deposits`).
public enum TransactionType: UInt8, Sendable, CaseIterable, Hashable, Codable {
    case deposit = 0
    case withdrawal = 1

    public var name: String { self == .deposit ? "deposit" : "withdrawal" }
    public var plural: String { self == .deposit ? "deposits" : "withdrawals" }
    /// One byte in the importer's compact queue format.
    public var code: UInt8 { self == .deposit ? UInt8(ascii: "d") : UInt8(ascii: "w") }

    public init?(code: UInt8) {
        switch code {
        case UInt8(ascii: "d"): self = .deposit
        case UInt8(ascii: "w"): self = .withdrawal
        default: return nil
        }
    }

    /// Accepts `deposit`, `withdrawal` and their plurals, in any case.
    public init?(text: some StringProtocol) {
        switch text.lowercased() {
        case "deposit", "deposits": self = .deposit
        case "withdrawal", "withdrawals", "withdraw": self = .withdrawal
        default: return nil
        }
    }
}
