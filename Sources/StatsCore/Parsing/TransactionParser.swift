/// Turns the text fields of one transaction (a CSV row or a JSON queue item) into a validated
/// ``Row``, or the reason it is rejected. One parser per worker: it caches time-zone
/// days and payment-method spellings.
public struct TransactionParser: Sendable {
    /// Largest accepted amount, in minor units: far above any real payment, and low enough
    /// that sums of millions of them cannot overflow a Redis 64-bit counter.
    public static let maxAmountMinor: Int64 = 1_000_000_000_000_000

    /// Longest accepted transaction id, in bytes.
    public static let maxIdBytes = 128

    public var calendar: BusinessCalendar
    public var methods = MethodTable()
    /// The currency of a transaction that names none.
    public let currency: Currency
    /// The last currency code looked up (packed) and its index: rows mostly repeat it.
    var lastCurrency: (key: UInt32, index: Int) = (0, 0)

    public init(calendar: BusinessCalendar, currency: Currency) {
        self.calendar = calendar
        self.currency = currency
    }

    /// The fields of one transaction as raw bytes; optional ones may be absent.
    public struct Fields {
        public var timestamp: UnsafeRawBufferPointer
        public var type: UnsafeRawBufferPointer
        public var method: UnsafeRawBufferPointer
        public var amount: UnsafeRawBufferPointer
        public var status: UnsafeRawBufferPointer?
        public var sleepMs: UnsafeRawBufferPointer?
        public var currency: UnsafeRawBufferPointer?
        public var id: UnsafeRawBufferPointer?
        public var updatedAt: UnsafeRawBufferPointer?

        public init(
            timestamp: UnsafeRawBufferPointer, type: UnsafeRawBufferPointer, method: UnsafeRawBufferPointer,
            amount: UnsafeRawBufferPointer, status: UnsafeRawBufferPointer? = nil, sleepMs: UnsafeRawBufferPointer? = nil,
            currency: UnsafeRawBufferPointer? = nil, id: UnsafeRawBufferPointer? = nil, updatedAt: UnsafeRawBufferPointer? = nil
        ) {
            self.timestamp = timestamp
            self.type = type
            self.method = method
            self.amount = amount
            self.status = status
            self.sleepMs = sleepMs
            self.currency = currency
            self.id = id
            self.updatedAt = updatedAt
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
        /// Position in ``Currency/all``; amounts are in its minor units.
        public var currency: Int
        /// The producer's transaction id: rows that carry one go through the ledger.
        public var id: String?
        /// `updated_at` in microseconds since 1970, if the row has one.
        public var updatedMicros: Int64?

        public init(
            epochSeconds: Int64, type: TransactionType, method: Int, status: TransactionStatus, amountMinor: Int64,
            sleepMs: Int = 0, currency: Int, id: String? = nil, updatedMicros: Int64? = nil
        ) {
            self.epochSeconds = epochSeconds
            self.type = type
            self.method = method
            self.status = status
            self.amountMinor = amountMinor
            self.sleepMs = sleepMs
            self.currency = currency
            self.id = id
            self.updatedMicros = updatedMicros
        }
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
        var currency = self.currency
        if let c = f.currency, !c.trimmedASCIISpaces.isEmpty {
            guard let v = Currency.lookup(c) else {
                return .failure(
                    .badCurrency(
                        "currency \"\(String(decoding: c, as: UTF8.self).escapedForMessage)\" is not an ISO 4217 code with a minor unit"))
            }
            currency = v
        }
        let amount: Int64
        switch DecimalAmount.parseMinor(f.amount, scale: currency.exponent) {
        case .success(let v): amount = v
        case .failure(let e): return .failure(e)
        }
        if amount > Self.maxAmountMinor {
            return .failure(
                .badAmount(
                    "amount \"\(String(decoding: f.amount.trimmedASCIISpaces, as: UTF8.self))\" exceeds the limit of \(DecimalAmount.format(minor: Self.maxAmountMinor, scale: currency.exponent)) \(currency.code)"
                ))
        }
        var id: String?
        if let raw = f.id {
            switch Self.parseId(raw) {
            case .success(let v): id = v
            case .failure(let e): return .failure(e)
            }
        }
        var updated: Int64?
        if let u = f.updatedAt, !u.trimmedASCIISpaces.isEmpty {
            switch TimestampParser.parseMicros(u, calendar: &calendar) {
            case .success(let v):
                if calendar.rejectOutOfRange(epochSeconds: v / 1_000_000) != nil {
                    return .failure(.badTimestamp("updated_at is outside the years 0001-9999"))
                }
                updated = v
            case .failure(let e): return .failure(.badTimestamp("updated_at \(e.message)"))
            }
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
        return .success(
            Row(
                epochSeconds: epoch, type: type, method: method, status: status, amountMinor: amount, sleepMs: sleep,
                currency: currency.index, id: id, updatedMicros: updated))
    }

    /// An id after trimming ASCII spaces: nil when empty (the row has none), else 1 to
    /// ``maxIdBytes`` bytes of UTF-8 without control characters (ids are hash fields and
    /// TXB2 fields, separated by tabs and line breaks).
    static func parseId(_ raw: UnsafeRawBufferPointer) -> Result<String?, RejectReason> {
        let t = raw.trimmedASCIISpaces
        if t.isEmpty { return .success(nil) }
        guard t.count <= maxIdBytes else {
            return .failure(.badId("id is \(t.count) bytes, more than the limit of \(maxIdBytes)"))
        }
        for b in t where b < 0x20 || b == 0x7F {
            return .failure(.badId("id contains the control character 0x\(String(b, radix: 16))"))
        }
        guard let s = String(validating: t, as: UTF8.self) else {
            return .failure(.badUTF8("id is not valid UTF-8"))
        }
        for scalar in s.unicodeScalars where scalar.value >= 0x80 && scalar.value <= 0x9F {
            return .failure(.badId("id contains the control character U+\(String(scalar.value, radix: 16, uppercase: true))"))
        }
        return .success(s)
    }

    /// ``Currency/index`` of a TXB row's code, through a one-entry cache (no hashing per row).
    @inline(__always)
    mutating func currencyIndex(_ raw: UnsafeRawBufferPointer) -> Int? {
        guard let key = Currency.packed(raw) else { return nil }
        if key == lastCurrency.key { return lastCurrency.index }
        guard let i = Currency.index(packed: key) else { return nil }
        lastCurrency = (key, i)
        return i
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
