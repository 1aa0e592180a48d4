/// One Redis command's arguments, packed into a single buffer so that hiredis can be handed
/// stable pointers for all of them at once (binary-safe, one allocation per command).
public struct RedisCommand: Sendable {
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var ends: [Int] = []

    public init(_ name: String) {
        bytes.reserveCapacity(64)
        append(name)
    }

    public init(_ args: [String]) {
        for a in args { append(a) }
    }

    public var count: Int { ends.count }

    /// The arguments as text (logs, tests).
    public var arguments: [String] {
        var out: [String] = []
        var start = 0
        for end in ends {
            out.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
        }
        return out
    }

    @inlinable public mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        ends.append(bytes.count)
    }

    /// An integer's decimal digits, written in place (commits carry tens of thousands).
    @inlinable public mutating func append(_ v: Int64) {
        if v < 0 { bytes.append(UInt8(ascii: "-")) }
        var m = v.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        bytes[start...].reverse()
        ends.append(bytes.count)
    }

    @inlinable public mutating func append(_ v: Int) { append(Int64(v)) }

    @inlinable public mutating func append(bytes b: some Sequence<UInt8>) {
        bytes.append(contentsOf: b)
        ends.append(bytes.count)
    }

    @inlinable public mutating func append(raw b: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: b)
        ends.append(bytes.count)
    }

    /// Appends all arguments of another command.
    public mutating func append(contentsOf other: RedisCommand) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        ends.append(contentsOf: other.ends.lazy.map { $0 + base })
    }

    public mutating func reserve(bytes n: Int, arguments: Int) {
        bytes.reserveCapacity(bytes.count + n)
        ends.reserveCapacity(ends.count + arguments)
    }

    /// The command as text, for error messages (arguments cut short).
    public var summary: String {
        var start = 0
        var parts: [String] = []
        for end in ends.prefix(4) {
            parts.append(String(decoding: bytes[start..<min(end, start + 40)], as: UTF8.self))
            start = end
        }
        return parts.joined(separator: " ") + (ends.count > 4 ? " …" : "")
    }
}
