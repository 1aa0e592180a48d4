/// Which transactions a view counts: `type=`, `method=`, `status=` query filters.
public struct StatsFilter: Sendable, Equatable {
    public var type: TransactionType?
    public var method: String?
    public var status: TransactionStatus?

    public init(type: TransactionType? = nil, method: String? = nil, status: TransactionStatus? = nil) {
        self.type = type
        self.method = method
        self.status = status
    }

    public var types: [TransactionType] { type.map { [$0] } ?? TransactionType.allCases }

    func admits(method m: Substring, status s: TransactionStatus) -> Bool {
        (method == nil || method! == m) && (status == nil || status! == s)
    }
}
