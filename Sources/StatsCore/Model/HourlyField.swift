/// A parsed hourly field name `method|status|HH|n` or `…|a`.
public struct HourlyField: Sendable, Hashable {
    public var method: String
    public var status: TransactionStatus
    public var hour: Int
    public var isCount: Bool

    public init?(_ text: String) {
        let p = text.split(separator: "|", omittingEmptySubsequences: false)
        guard p.count == 4, let status = TransactionStatus(text: p[1]), let hour = Int(p[2]),
            p[3] == "n" || p[3] == "a"
        else { return nil }
        method = String(p[0])
        self.status = status
        self.hour = hour
        isCount = p[3] == "n"
    }
}
