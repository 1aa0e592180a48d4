/// Outcome of a transaction. Missing status means success, as in the original CSV format.
public enum TransactionStatus: UInt8, Sendable, CaseIterable, Hashable, Codable {
    case success = 0
    case failed = 1
    case pending = 2

    public var name: String {
        switch self {
        case .success: "success"
        case .failed: "failed"
        case .pending: "pending"
        }
    }

    public var code: UInt8 {
        switch self {
        case .success: UInt8(ascii: "s")
        case .failed: UInt8(ascii: "f")
        case .pending: UInt8(ascii: "p")
        }
    }

    public init?(code: UInt8) {
        switch code {
        case UInt8(ascii: "s"): self = .success
        case UInt8(ascii: "f"): self = .failed
        case UInt8(ascii: "p"): self = .pending
        default: return nil
        }
    }

    /// Case-insensitive, with the synonyms payment providers commonly use.
    public init?(text: some StringProtocol) {
        switch text.lowercased() {
        case "success", "succeeded", "successful", "completed", "complete", "ok", "paid", "settled": self = .success
        case "failed", "failure", "fail", "error", "rejected", "declined", "cancelled", "canceled": self = .failed
        case "pending", "created", "processing", "in_progress", "queued": self = .pending
        default: return nil
        }
    }
}
