/// An ISO 4217 currency with its minor-unit exponent (JPY 0, USD 2, KWD 3). Amounts are kept
/// in minor units of their own currency and never added across currencies.
///
/// `index` is the code's position in ``all`` (sorted by code). Workers pack it into in-memory
/// cell keys only; it is never stored or sent, so the table may grow between versions.
public struct Currency: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let code: String
    public let exponent: Int
    public let index: Int

    public var description: String { code }

    public static func < (a: Currency, b: Currency) -> Bool { a.code < b.code }

    /// Every code the built-in table knows, sorted by code.
    public static let all: [Currency] = {
        var out: [Currency] = []
        for (i, entry) in iso4217.sorted(by: { $0.0 < $1.0 }).enumerated() {
            out.append(Currency(code: entry.0, exponent: entry.1, index: i))
        }
        return out
    }()

    private init(code: String, exponent: Int, index: Int) {
        self.code = code
        self.exponent = exponent
        self.index = index
    }

    /// Each code's three ASCII bytes by ``index``, for writers that append them per row.
    public static let codeBytes: [(UInt8, UInt8, UInt8)] = all.map { c in
        let b = Array(c.code.utf8)
        return (b[0], b[1], b[2])
    }

    /// The currency at a table position (as packed in a cell key).
    public static func at(index: Int) -> Currency? { index >= 0 && index < all.count ? all[index] : nil }

    /// A code in any case, surrounded by ASCII spaces or not; nil for anything the table lacks.
    public init?(code text: some StringProtocol) {
        let trimmed = String(text).trimmingASCIISpaces.uppercased()
        guard let c = Self.byCode[trimmed] else { return nil }
        self = c
    }

    /// The same from raw UTF-8 bytes, without building a String for known three-letter codes.
    public static func lookup(_ raw: UnsafeRawBufferPointer) -> Currency? {
        packed(raw.trimmedASCIISpaces).flatMap { byPacked[$0] }
    }

    /// A code's three letters (any case) packed as upper-case ASCII in a UInt32, or nil.
    @inline(__always)
    public static func packed(_ raw: UnsafeRawBufferPointer) -> UInt32? {
        guard raw.count == 3 else { return nil }
        var key: UInt32 = 0
        for b in raw {
            let u = b >= 0x61 && b <= 0x7A ? b - 0x20 : b
            guard u >= 0x41 && u <= 0x5A else { return nil }
            key = key << 8 | UInt32(u)
        }
        return key
    }

    /// ``index`` of the currency with this packed code, or nil.
    public static func index(packed key: UInt32) -> Int? { byPacked[key]?.index }

    private static let byCode: [String: Currency] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    private static let byPacked: [UInt32: Currency] = Dictionary(
        uniqueKeysWithValues: all.map { c in (c.code.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }, c) })

    /// ISO 4217 active codes and their minor units (list one, 2024 edition). Codes without a
    /// minor unit (precious metals, XDR, testing codes, funds without one) are left out: an
    /// amount in them has no exact minor unit, so it is refused as `bad_currency`.
    static let iso4217: [(String, Int)] = [
        ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2), ("AUD", 2), ("AWG", 2), ("AZN", 2),
        ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BOV", 2),
        ("BRL", 2), ("BSD", 2), ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHE", 2), ("CHF", 2),
        ("CHW", 2), ("CLF", 4), ("CLP", 0), ("CNY", 2), ("COP", 2), ("COU", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2),
        ("CZK", 2), ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2), ("EUR", 2), ("FJD", 2),
        ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2), ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2),
        ("HNL", 2), ("HTG", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0), ("JMD", 2),
        ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0), ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2),
        ("KZT", 2), ("LAK", 2), ("LBP", 2), ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2),
        ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2), ("MWK", 2), ("MXN", 2), ("MXV", 2),
        ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2), ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2),
        ("PEN", 2), ("PGK", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2), ("RUB", 2),
        ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2), ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SOS", 2),
        ("SRD", 2), ("SSP", 2), ("STN", 2), ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3),
        ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("USN", 2), ("UYI", 0),
        ("UYU", 2), ("UYW", 4), ("UZS", 2), ("VED", 2), ("VES", 2), ("VND", 0), ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2),
        ("XOF", 0), ("XPF", 0), ("YER", 2), ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
    ]
}
