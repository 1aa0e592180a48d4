/// Redis Cluster's key slot: which of the 16384 slots (and so which master) owns a key.
///
/// CRC16-XMODEM (poly 0x1021, init 0, as Redis's crc16.c) of the key, or of the content of its
/// hash tag — the bytes between the first `{` and the first `}` after it, when there are any —
/// mod 16384. Keys that share a tag share a slot, which is what lets one script or MULTI touch
/// them together in a cluster.
public enum RedisSlot {
    public static let count = 16384

    public static func of(_ key: some Collection<UInt8>) -> Int {
        // Arrays, UTF8Views of native strings, slices of them: hashed in place, no copy.
        if let slot = key.withContiguousStorageIfAvailable({ of(buffer: $0) }) { return slot }
        return ofNonContiguous(key)
    }

    /// The slot of the key's UTF-8 bytes, as a client sends them.
    public static func of(_ key: String) -> Int { of(key.utf8) }

    private static func of(buffer key: UnsafeBufferPointer<UInt8>) -> Int {
        var start = 0
        var end = key.count
        if let open = key.firstIndex(of: UInt8(ascii: "{")),
            let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1
        {
            start = open + 1
            end = close
        }
        return Int(crc16(key[start..<end])) & (count - 1)
    }

    // The same rules over any collection's indices, for a key that is not contiguous (a
    // bridged string's UTF-8, say).
    private static func ofNonContiguous(_ key: some Collection<UInt8>) -> Int {
        var start = key.startIndex
        var end = key.endIndex
        if let open = key.firstIndex(of: UInt8(ascii: "{")) {
            let afterOpen = key.index(after: open)
            if let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen {
                start = afterOpen
                end = close
            }
        }
        return Int(crc16(key[start..<end])) & (count - 1)
    }

    /// CRC16-XMODEM of every byte value, computed once: a lookup per key byte instead of eight
    /// shifts.
    private static let table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }

    /// The raw CRC16 of `bytes`, no hash tag rules: for tests against Redis's published vector.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        table.withUnsafeBufferPointer { table in
            var crc: UInt16 = 0
            for byte in bytes { crc = (crc << 8) ^ table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)] }
            return crc
        }
    }
}
