#if canImport(Glibc)
    import Glibc
#endif

/// Writes a deterministic sample CSV in the original's format
/// (`timestamp,type,payment_method,amount,sleep_ms`, optionally `status`), rows in time order
/// spread evenly over `days` days from `start`, local time of the business zone (no offset).
public struct SampleGenerator: Sendable {
    public var rows: Int
    public var days: Int
    public var start: CivilDay
    public var seed: UInt64
    public var withStatus: Bool
    /// Largest sleep_ms written (rows get 0...maxSleepMs).
    public var maxSleepMs: Int

    public static let methods = ["paypal", "visa", "mastercard", "crypto", "wire", "apple_pay"]
    static let methodWeights = [30, 25, 15, 12, 10, 8]

    public init(
        rows: Int, days: Int = 30, start: CivilDay = CivilDay(year: 2026, month: 1, day: 1)!, seed: UInt64 = 42,
        withStatus: Bool = false, maxSleepMs: Int = 2
    ) {
        self.rows = rows
        self.days = days
        self.start = start
        self.seed = seed
        self.withStatus = withStatus
        self.maxSleepMs = maxSleepMs
    }

    /// Writes to a file descriptor in large chunks.
    public func write(to fd: Int32) throws {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        out.append(
            contentsOf: (withStatus
                ? "timestamp,type,payment_method,amount,sleep_ms,status\n" : "timestamp,type,payment_method,amount,sleep_ms\n").utf8)
        var rng = SplitMix64(seed: seed)
        let span = Int64(days) * 86400
        let startSeconds = Int64(start.daysSinceEpoch) * 86400
        let weightTotal = Self.methodWeights.reduce(0, +)
        for i in 0..<rows {
            let base = span * Int64(i) / Int64(max(rows, 1))
            let next = span * Int64(i + 1) / Int64(max(rows, 1))
            let t = startSeconds + base + Int64(rng.next() % UInt64(max(next - base, 1)))
            let type = rng.next() % 100 < 55 ? "deposit" : "withdrawal"
            var pick = Int(rng.next() % UInt64(weightTotal))
            var method = Self.methods[0]
            for (m, w) in zip(Self.methods, Self.methodWeights) {
                if pick < w {
                    method = m
                    break
                }
                pick -= w
            }
            let minor = 100 + Int64(rng.next() % 499_901) // 1.00 ... 5000.00
            let sleep = maxSleepMs > 0 ? Int(rng.next() % UInt64(maxSleepMs + 1)) : 0
            appendTimestamp(t, to: &out)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: type.utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: method.utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: DecimalAmount.formatFixed(minor: minor, scale: 2).utf8)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: String(sleep).utf8)
            if withStatus {
                let r = rng.next() % 100
                let status = r < 88 ? "success" : r < 90 ? "Completed" : r < 96 ? "failed" : r < 97 ? "rejected" : "pending"
                out.append(UInt8(ascii: ","))
                out.append(contentsOf: status.utf8)
            }
            out.append(0x0A)
            if out.count > (1 << 20) - 256 {
                try Self.writeAll(fd, out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try Self.writeAll(fd, out)
    }

    private func appendTimestamp(_ t: Int64, to out: inout [UInt8]) {
        let day = CivilDay(daysSinceEpoch: Int32(t / 86400))
        out.append(contentsOf: day.description.utf8)
        let s = Int(t % 86400)
        out.append(UInt8(ascii: "T"))
        for (v, sep) in [(s / 3600, true), (s / 60 % 60, true), (s % 60, false)] {
            out.append(UInt8(48 + v / 10))
            out.append(UInt8(48 + v % 10))
            if sep { out.append(UInt8(ascii: ":")) }
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(description: "write failed: \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
    }
}
