/// Turns the text fields of one transaction (a CSV row or a JSON queue item) into a validated
/// ``Row``, or the reason it is rejected. One parser per worker: it caches time-zone
/// days and payment-method spellings.
public struct TransactionParser: Sendable {
    /// Largest accepted amount, in minor units: far above any real payment, and low enough
    /// that sums of millions of them cannot overflow a Redis 64-bit counter.
    public static let maxAmountMinor: Int64 = 1_000_000_000_000_000

    public var calendar: BusinessCalendar
    public var methods = MethodTable()
    public let scale: Int

    public init(calendar: BusinessCalendar, scale: Int) {
        self.calendar = calendar
        self.scale = scale
    }

    /// The fields of one transaction as raw bytes; optional ones may be absent.
    public struct Fields {
        public var timestamp: UnsafeRawBufferPointer
        public var type: UnsafeRawBufferPointer
        public var method: UnsafeRawBufferPointer
        public var amount: UnsafeRawBufferPointer
        public var status: UnsafeRawBufferPointer?
        public var sleepMs: UnsafeRawBufferPointer?

        public init(
            timestamp: UnsafeRawBufferPointer, type: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer,
            amount: UnsafeRawBufferPointer, status: UnsafeRawBufferPointer? = nil, sleepMs: UnsafeRawBufferPointer? = nil
        ) {
            self.timestamp = timestamp
            self.type = type
            self.method = method
            self.amount = amount
            self.status = status
            self.sleepMs = sleepMs
        }
    }

    /// A parsed row: the method as an index into ``methods`` (no String on the hot path).
    public struct Row: Sendable, Equatable {
        public var epochSeconds: Int64
        public var type: TransactionType
        public var method: Int
        public var status: TransactionStatus
        public var amountMinor: Int64
        public var sleepMs: Int
    }

    public mutating func parse(_ f: Fields) -> Result<Row, RejectReason> {
        let epoch: Int64
        switch TimestampParser.parse(f.timestamp, calendar: &calendar) {
        case .success(let v): epoch = v
        case .failure(let e): return .failure(e)
        }
        if let e = calendar.rejectOutOfRange(epochSeconds: epoch) { return .failure(e) }
        guard let type = Self.parseType(f.type) else {
            return .failure(.badType("type \"\(String(decoding: f.type, as: UTF8.self).escapedForMessage)\" is not deposit or withdrawal"))
        }
        let method: Int
        switch methods.index(of: f.method) {
        case .success(let v): method = v
        case .failure(let e): return .failure(e)
        }
        let amount: Int64
        switch DecimalAmount.parseMinor(f.amount, scale: scale) {
        case .success(let v): amount = v
        case .failure(let e): return .failure(e)
        }
        if amount > Self.maxAmountMinor {
            return .failure(
                .badAmount(
                    "amount \"\(String(decoding: f.amount.trimmedASCIISpaces, as: UTF8.self))\" exceeds the limit of \(DecimalAmount.format(minor: Self.maxAmountMinor, scale: scale))"
                ))
        }
        var status = TransactionStatus.success
        if let s = f.status, !s.trimmedASCIISpaces.isEmpty {
            guard let v = Self.parseStatus(s) else {
                return .failure(
                    .badStatus(
                        "status \"\(String(decoding: s, as: UTF8.self).escapedForMessage)\" is not success, failed or pending (or a known synonym)"
                    ))
            }
            status = v
        }
        var sleep = 0
        if let s = f.sleepMs, !s.trimmedASCIISpaces.isEmpty {
            guard let v = Self.parseSmallInt(s.trimmedASCIISpaces), v <= 3_600_000 else {
                return .failure(
                    .badSleep(
                        "sleep_ms \"\(String(decoding: s, as: UTF8.self).escapedForMessage)\" is not a whole number of milliseconds (0-3600000)"
                    ))
            }
            sleep = v
        }
        return .success(Row(epochSeconds: epoch, type: type, method: method, status: status, amountMinor: amount, sleepMs: sleep))
    }

    static func parseType(_ raw: UnsafeRawBufferPointer) -> TransactionType? {
        let t = raw.trimmedASCIISpaces
        if t.equalsASCIILowercased("deposit") { return .deposit }
        if t.equalsASCIILowercased("withdrawal") { return .withdrawal }
        return TransactionType(text: String(decoding: t, as: UTF8.self))
    }

    static func parseStatus(_ raw: UnsafeRawBufferPointer) -> TransactionStatus? {
        let t = raw.trimmedASCIISpaces
        if t.equalsASCIILowercased("success") { return .success }
        return TransactionStatus(text: String(decoding: t, as: UTF8.self))
    }

    static func parseSmallInt(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard !raw.isEmpty, raw.count <= 9 else { return nil }
        var v = 0
        for b in raw {
            guard b >= 0x30, b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }
}
