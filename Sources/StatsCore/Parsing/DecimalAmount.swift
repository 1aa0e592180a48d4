/// Exact conversion between decimal text and integer minor units (cents for scale 2).
///
/// Money never goes through `Double`/`Decimal`: the text is parsed digit by digit into an `Int64`
/// with overflow checks, and formatted back the same way. Both directions are allocation-free
/// except for the resulting `String` (and small strings are stored inline).
public enum DecimalAmount {
    /// Largest supported scale: 10^18 is the largest power of ten that fits in an `Int64`.
    public static let maxScale = 18

    /// Parses non-negative decimal text such as `12.34`, `+1.5`, `.5`, `5.` or ` 007 ` into minor
    /// units at `scale` (scale 2: `"12.3"` -> 1230).
    ///
    /// Surrounding ASCII spaces and tabs are ignored. Rejected with `RejectReason.badAmount`: empty
    /// text, a minus sign, anything that is not `[+]digits[.digits]`, exponent notation, thousands
    /// separators, more fraction digits than `scale` (never rounded), values beyond `Int64.max`
    /// minor units, and a scale outside `0...18`.
    public static func parseMinor(_ bytes: UnsafeRawBufferPointer, scale: Int) -> Result<Int64, RejectReason> {
        guard scale >= 0 && scale <= maxScale else {
            return .failure(.badAmount("scale \(scale) is outside 0...\(maxScale)"))
        }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            return .failure(.badAmount("amount is empty"))
        }
        var lo = 0
        var hi = bytes.count
        while lo < hi && (base[lo] == 0x20 || base[lo] == 0x09) { lo += 1 }
        while hi > lo && (base[hi - 1] == 0x20 || base[hi - 1] == 0x09) { hi -= 1 }
        if lo == hi { return .failure(.badAmount("amount is empty")) }

        var i = lo
        if base[i] == UInt8(ascii: "-") {
            return .failure(.badAmount("negative amount \"\(shown(base, lo, hi))\""))
        }
        if base[i] == UInt8(ascii: "+") { i += 1 }

        var value: Int64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenDot = false
        while i < hi {
            let b = base[i]
            let d = b &- 0x30
            if d < 10 {
                if seenDot {
                    fractionDigits += 1
                    if fractionDigits > scale {
                        return fail(base, lo, hi, "has more than \(scale) fraction digits")
                    }
                }
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(d))
                if o1 || o2 { return overflow(base, lo, hi, scale) }
                value = a
                digits += 1
            } else if b == UInt8(ascii: ".") && !seenDot {
                seenDot = true
            } else {
                return fail(base, lo, hi, problem(of: b, afterDigits: digits > 0))
            }
            i += 1
        }
        if digits == 0 { return fail(base, lo, hi, "is not a number") }

        // Shift the digits read so far up to `scale` fraction digits ("12.3" -> 1230 at scale 2).
        var missing = scale - fractionDigits
        while missing > 0 {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { return overflow(base, lo, hi, scale) }
            value = m
            missing -= 1
        }
        return .success(value)
    }

    /// Convenience over `parseMinor(_:scale:)` for a `String`.
    public static func parseMinor(_ text: String, scale: Int) -> Result<Int64, RejectReason> {
        var text = text
        return text.withUTF8 { parseMinor(UnsafeRawBufferPointer($0), scale: scale) }
    }

    /// Shortest exact decimal text for JSON: 1234 -> `12.34`, 1230 -> `12.3`, 1200 -> `12`,
    /// 5 -> `0.05`, 0 -> `0`, -5 -> `-0.05` (at scale 2). Traps if `scale` is outside `0...18`.
    public static func format(minor: Int64, scale: Int) -> String {
        render(minor: minor, scale: scale, trimZeros: true)
    }

    /// Like `format(minor:scale:)` but always writes `scale` fraction digits: 1230 -> `12.30`.
    public static func formatFixed(minor: Int64, scale: Int) -> String {
        render(minor: minor, scale: scale, trimZeros: false)
    }

    // MARK: - Private

    private static func render(minor: Int64, scale: Int, trimZeros: Bool) -> String {
        precondition(scale >= 0 && scale <= maxScale, "scale \(scale) is outside 0...\(maxScale)")
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor &*= 10 }
        // `magnitude` keeps Int64.min representable.
        let magnitude = minor.magnitude
        var whole = magnitude / divisor
        var fraction = magnitude % divisor
        var fractionDigits = scale
        if trimZeros {
            if fraction == 0 {
                fractionDigits = 0
            } else {
                while fraction % 10 == 0 {
                    fraction /= 10
                    fractionDigits -= 1
                }
            }
        }
        // Longest output: "-" + 19 digits + "." ~ 21 bytes; or "-0." + 18 digits = 21 bytes.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var i = buffer.count
            if fractionDigits > 0 {
                for _ in 0..<fractionDigits {
                    i -= 1
                    buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: fraction % 10)
                    fraction /= 10
                }
                i -= 1
                buffer[i] = UInt8(ascii: ".")
            }
            repeat {
                i -= 1
                buffer[i] = 0x30 &+ UInt8(truncatingIfNeeded: whole % 10)
                whole /= 10
            } while whole > 0
            if minor < 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[i...]), as: UTF8.self)
        }
    }

    /// Names the most likely mistake for an unexpected byte, for a helpful reject message.
    private static func problem(of byte: UInt8, afterDigits: Bool) -> String {
        switch byte {
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            return afterDigits ? "uses exponent notation" : "is not a number"
        case UInt8(ascii: ","), UInt8(ascii: "_"), UInt8(ascii: "'"):
            return "contains a thousands separator or decimal comma"
        default:
            return "is not a number"
        }
    }

    private static func overflow(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ scale: Int) -> Result<Int64, RejectReason> {
        fail(base, lo, hi, "is too large (more than \(Int64.max) minor units at scale \(scale))")
    }

    // Error path only: building the message is the one place we allocate.
    private static func fail(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int, _ what: String) -> Result<Int64, RejectReason> {
        .failure(.badAmount("amount \"\(shown(base, lo, hi))\" \(what)"))
    }

    /// The offending text for a message, cut short so a garbage field cannot bloat logs.
    private static func shown(_ base: UnsafePointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        let limit = 64
        let text = String(decoding: UnsafeBufferPointer(start: base + lo, count: min(hi - lo, limit)), as: UTF8.self)
        return hi - lo > limit ? text + "…" : text
    }
}
