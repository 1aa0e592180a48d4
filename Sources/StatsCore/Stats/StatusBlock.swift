/// Counts and amounts per status for one type, plus the total: the block every view reports.
public struct StatusBlock: Sendable, Equatable {
    public struct Tally: Sendable, Equatable {
        public var count: Int64 = 0
        public var amount: Int64 = 0
        public static func + (a: Tally, b: Tally) -> Tally { Tally(count: a.count + b.count, amount: a.amount + b.amount) }
        public static func - (a: Tally, b: Tally) -> Tally { Tally(count: a.count - b.count, amount: a.amount - b.amount) }
    }

    public var success = Tally()
    public var failed = Tally()
    public var pending = Tally()

    public init() {}

    public var total: Tally { success + failed + pending }

    public subscript(status: TransactionStatus) -> Tally {
        get {
            switch status {
            case .success: success
            case .failed: failed
            case .pending: pending
            }
        }
        set {
            switch status {
            case .success: success = newValue
            case .failed: failed = newValue
            case .pending: pending = newValue
            }
        }
    }

    public static func + (a: StatusBlock, b: StatusBlock) -> StatusBlock {
        var r = a
        for s in TransactionStatus.allCases { r[s] = a[s] + b[s] }
        return r
    }

    public var json: JSONValue {
        func t(_ x: Tally) -> JSONValue { .object([("count", .int(x.count)), ("amount", .amount(x.amount))]) }
        return .object([("success", t(success)), ("failed", t(failed)), ("pending", t(pending)), ("total", t(total))])
    }
}
