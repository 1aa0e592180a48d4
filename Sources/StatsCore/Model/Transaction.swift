/// One validated payment transaction, ready to aggregate.
///
/// `epochSeconds` is the absolute instant (UTC seconds); day and hour buckets are derived from it
/// in the business time zone by ``BusinessCalendar``. `amountMinor` is in minor units of the
/// configured scale (cents for scale 2): money never passes through floating point.
public struct Transaction: Sendable, Hashable {
    public var epochSeconds: Int64
    public var type: TransactionType
    public var paymentMethod: String
    public var amountMinor: Int64
    public var status: TransactionStatus
    public var id: String?
    public var sleepMs: Int?

    public init(epochSeconds: Int64, type: TransactionType, paymentMethod: String, amountMinor: Int64,
                status: TransactionStatus = .success, id: String? = nil, sleepMs: Int? = nil) {
        self.epochSeconds = epochSeconds
        self.type = type
        self.paymentMethod = paymentMethod
        self.amountMinor = amountMinor
        self.status = status
        self.id = id
        self.sleepMs = sleepMs
    }
}
