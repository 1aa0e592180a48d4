/// FNV-1a, 64 bit: cheap content fingerprints for import sources (not for security).
public struct FNV1a64: Sendable {
    public var value: UInt64 = 0xCBF2_9CE4_8422_2325
    public init() {}
    @inlinable public mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        value = h
    }
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
