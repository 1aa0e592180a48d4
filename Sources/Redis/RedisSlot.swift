/// Redis Cluster's hash slot of a key: CRC16 (XMODEM) of the key, or of its hash tag — the
/// bytes between the first `{` and the first `}` after it, when there are any — modulo 16384.
public enum RedisSlot {
    public static let count = 16384

    public static func of(_ key: some Collection<UInt8>) -> Int {
        if let slot = key.withContiguousStorageIfAvailable({ of(buffer: $0) }) { return slot }
        return of(buffer: Array(key).withUnsafeBufferPointer { UnsafeBufferPointer(start: $0.baseAddress, count: $0.count) })
    }

    public static func of(_ key: String) -> Int {
        var key = key
        return key.withUTF8 { of(buffer: $0) }
    }

    static func of(buffer key: UnsafeBufferPointer<UInt8>) -> Int {
        var bytes = key[...]
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            bytes = key[(open + 1)..<close]
        }
        var crc: UInt16 = 0
        for b in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ b)] }
        return Int(crc) & (count - 1)
    }

    /// CRC16-CCITT (XMODEM), polynomial 0x1021, as in Redis' crc16.c.
    static let table: [UInt16] = (0..<256).map { i in
        var c = UInt16(i) << 8
        for _ in 0..<8 { c = c & 0x8000 != 0 ? (c << 1) ^ 0x1021 : c << 1 }
        return c
    }
}
