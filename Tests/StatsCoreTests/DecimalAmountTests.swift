import Testing

@testable import StatsCore

@Suite struct DecimalAmountTests {
    private func parse(_ text: String, scale: Int = 2) -> Int64? {
        try? DecimalAmount.parseMinor(text, scale: scale).get()
    }

    private func rejection(_ text: String, scale: Int = 2) -> RejectReason? {
        if case .failure(let reason) = DecimalAmount.parseMinor(text, scale: scale) { return reason }
        return nil
    }

    @Test(arguments: [
        ("12.34", Int64(1234)), ("12", 1200), ("12.3", 1230), ("0.05", 5), ("+1.5", 150),
        (".5", 50), ("5.", 500), ("0", 0), ("0.00", 0), ("007.50", 750), ("000000000000000000000001", 100),
        ("  12.34\t", 1234), ("\t+.01 ", 1), ("1234567.89", 123_456_789),
    ])
    func acceptsScale2(text: String, expected: Int64) {
        #expect(parse(text) == expected)
    }

    @Test(arguments: [
        "", "   ", "\t", "-1.00", "-0", "abc", "1e5", "1E5", "1.5e2", "1,000.00", "1,5", "1_000", "1'000",
        "1.234", "1.230", ".", "+", "+.", "1.2.3", "1 000", "--1", "+-1", "++1", "0x10", "١٢", "NaN", "inf",
        "12a", "$12", "12.34€", "1.-2",
    ])
    func rejectsScale2(text: String) {
        let reason = rejection(text)
        #expect(reason?.code == "bad_amount", "\(text) should be rejected")
    }

    @Test func messagesSayWhatIsWrong() {
        #expect(rejection("1.234")?.message == #"amount "1.234" has more than 2 fraction digits"#)
        #expect(rejection("-1.00")?.message == #"negative amount "-1.00""#)
        #expect(rejection("")?.message == "amount is empty")
        #expect(rejection("  ")?.message == "amount is empty")
        #expect(rejection("1e5")?.message == #"amount "1e5" uses exponent notation"#)
        #expect(rejection("1,000.00")?.message.contains("thousands separator") == true)
        #expect(rejection("12a")?.message == #"amount "12a" is not a number"#)
        #expect(rejection(" 9x ")?.message == #"amount "9x" is not a number"#) // trimmed text is quoted
        #expect(rejection("92233720368547758.08")?.message.contains("too large") == true)
        let long = String(repeating: "9", count: 200) + "x"
        #expect(rejection(long)!.message.count < 160) // long garbage is cut short in the message
    }

    @Test func scaleOutsideRangeIsRejected() {
        #expect(rejection("1", scale: -1)?.message == "scale -1 is outside 0...18")
        #expect(rejection("1", scale: 19)?.code == "bad_amount")
        #expect(parse("1", scale: 18) == 1_000_000_000_000_000_000)
    }

    @Test func int64Boundaries() {
        #expect(parse("92233720368547758.07") == Int64.max)
        #expect(parse("92233720368547758.08") == nil)
        #expect(parse("92233720368547758.1") == nil)
        #expect(parse("92233720368547759") == nil)
        #expect(parse("99999999999999999999999999") == nil)
        #expect(parse("9223372036854775807", scale: 0) == Int64.max)
        #expect(parse("9223372036854775808", scale: 0) == nil)
        #expect(parse("00009223372036854775807", scale: 0) == Int64.max)
        #expect(parse("9.223372036854775807", scale: 18) == Int64.max)
        #expect(parse("9.223372036854775808", scale: 18) == nil)
        #expect(parse("9", scale: 18) == 9_000_000_000_000_000_000)
        #expect(parse("10", scale: 18) == nil)
        #expect(parse("9223372036854775.807", scale: 3) == Int64.max)
        #expect(parse("9223372036854775.808", scale: 3) == nil)
    }

    @Test func scale0() {
        #expect(parse("12", scale: 0) == 12)
        #expect(parse("12.", scale: 0) == 12)
        #expect(parse("+0", scale: 0) == 0)
        #expect(rejection("12.0", scale: 0)?.message == #"amount "12.0" has more than 0 fraction digits"#)
        #expect(parse(".5", scale: 0) == nil)
        #expect(DecimalAmount.format(minor: 12, scale: 0) == "12")
        #expect(DecimalAmount.formatFixed(minor: 12, scale: 0) == "12")
        #expect(DecimalAmount.format(minor: -7, scale: 0) == "-7")
    }

    @Test func scale3() {
        #expect(parse("1.5", scale: 3) == 1500)
        #expect(parse("0.001", scale: 3) == 1)
        #expect(parse("1.234", scale: 3) == 1234)
        #expect(parse("1.2345", scale: 3) == nil)
        #expect(DecimalAmount.format(minor: 1500, scale: 3) == "1.5")
        #expect(DecimalAmount.format(minor: 1, scale: 3) == "0.001")
        #expect(DecimalAmount.formatFixed(minor: 1500, scale: 3) == "1.500")
        #expect(DecimalAmount.formatFixed(minor: -1, scale: 3) == "-0.001")
    }

    @Test func parsesFromAByteSliceWithoutTerminator() throws {
        let bytes: [UInt8] = Array("x,12.34,y".utf8)
        let result = bytes.withUnsafeBytes { all in
            DecimalAmount.parseMinor(UnsafeRawBufferPointer(rebasing: all[2..<7]), scale: 2)
        }
        #expect(try result.get() == 1234)
        let empty = DecimalAmount.parseMinor(UnsafeRawBufferPointer(start: nil, count: 0), scale: 2)
        #expect(throws: RejectReason.self) { try empty.get() }
    }

    @Test(arguments: [
        (Int64(1234), "12.34", "12.34"), (1230, "12.3", "12.30"), (1200, "12", "12.00"), (5, "0.05", "0.05"),
        (0, "0", "0.00"), (-5, "-0.05", "-0.05"), (-1200, "-12", "-12.00"), (50, "0.5", "0.50"),
        (Int64.max, "92233720368547758.07", "92233720368547758.07"),
        (Int64.min, "-92233720368547758.08", "-92233720368547758.08"),
    ])
    func formatsScale2(minor: Int64, short: String, fixed: String) {
        #expect(DecimalAmount.format(minor: minor, scale: 2) == short)
        #expect(DecimalAmount.formatFixed(minor: minor, scale: 2) == fixed)
    }

    @Test func formatsScale18Extremes() {
        #expect(DecimalAmount.format(minor: 1, scale: 18) == "0.000000000000000001")
        #expect(DecimalAmount.format(minor: Int64.min, scale: 18) == "-9.223372036854775808")
        #expect(DecimalAmount.formatFixed(minor: 0, scale: 18) == "0.000000000000000000")
        #expect(DecimalAmount.formatFixed(minor: -1, scale: 18) == "-0.000000000000000001")
    }

    /// format/formatFixed -> parseMinor returns the same value, for every scale and magnitudes of
    /// every size; and format never leaves trailing zeros or a trailing dot.
    @Test func randomizedRoundTrip() {
        var rng = SplitMix64(seed: 0x5EED_CAFE)
        for scale in 0...DecimalAmount.maxScale {
            for _ in 0..<2_000 {
                let bits = Int.random(in: 0...63, using: &rng)
                let value = Int64.random(in: 0...(bits == 63 ? Int64.max : (Int64(1) << bits)), using: &rng)
                let short = DecimalAmount.format(minor: value, scale: scale)
                let fixed = DecimalAmount.formatFixed(minor: value, scale: scale)
                #expect(parse(short, scale: scale) == value, "\(short) at scale \(scale)")
                #expect(parse(fixed, scale: scale) == value, "\(fixed) at scale \(scale)")
                if short.contains(".") {
                    #expect(!short.hasSuffix("0") && !short.hasSuffix("."), "\(short)")
                }
                if scale > 0 {
                    #expect(fixed.split(separator: ".").last?.count == scale, "\(fixed)")
                }
                if value > 0 {
                    #expect(DecimalAmount.format(minor: -value, scale: scale) == "-" + short)
                }
            }
        }
    }

    /// Random digit strings at scale 2 against a String-based reference computation.
    @Test func randomizedDigitStrings() {
        var rng = SplitMix64(seed: 42)
        let digits = Array("0123456789")
        for _ in 0..<5_000 {
            let intLen = Int.random(in: 0...20, using: &rng)
            let fracLen = Int.random(in: 0...3, using: &rng)
            let whole = String((0..<intLen).map { _ in digits.randomElement(using: &rng)! })
            let fraction = String((0..<fracLen).map { _ in digits.randomElement(using: &rng)! })
            let withDot = fracLen > 0 || Bool.random(using: &rng)
            let text = withDot ? whole + "." + fraction : whole
            // Reference: pad the fraction to 2 digits and read the whole thing as one integer.
            var expected: Int64?
            if (intLen > 0 || fracLen > 0) && fracLen <= 2 {
                let all = whole + fraction + String(repeating: "0", count: 2 - fracLen)
                expected = Int64(all) ?? (all.allSatisfy { $0 == "0" } ? 0 : nil)
                if expected == nil, let firstNonZero = all.firstIndex(where: { $0 != "0" }) {
                    expected = Int64(all[firstNonZero...])
                }
            }
            #expect(parse(text) == expected, "\(text)")
        }
    }
}
