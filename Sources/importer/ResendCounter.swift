import StatsCore

/// Counts rows that repeat an earlier row of the same import exactly (same id, same content),
/// for the summary. It decides nothing: every row is queued and the ledger counts a
/// transaction once. Memory is fixed: one fingerprint per slot, slot chosen by the id, so a
/// repeat is recognised unless another id took its slot since (the figure is a lower bound).
struct ResendCounter {
    static let slots = 1 << 20 // 16 MiB

    private var ids: [UInt64]
    private var contents: [UInt64]
    private(set) var resent = 0

    init() {
        ids = Array(repeating: 0, count: Self.slots)
        contents = Array(repeating: 0, count: Self.slots)
    }

    mutating func note(_ row: TransactionParser.Row, id: String) {
        var idHash = FNV1a64()
        var idText = id
        idText.withUTF8 { idHash.combine(UnsafeRawBufferPointer($0)) }
        var content = idHash
        withUnsafeBytes(of: row.epochSeconds) { content.combine($0) }
        withUnsafeBytes(of: row.amountMinor) { content.combine($0) }
        withUnsafeBytes(of: row.updatedMicros ?? Int64.min) { content.combine($0) }
        let small = [UInt8(row.type.rawValue), UInt8(row.status.rawValue), UInt8(truncatingIfNeeded: row.currency)]
        small.withUnsafeBytes { content.combine($0) }
        withUnsafeBytes(of: row.method) { content.combine($0) }
        let key = idHash.value | 1 // 0 marks an empty slot
        let slot = Int(truncatingIfNeeded: key >> 12) & (Self.slots - 1)
        if ids[slot] == key && contents[slot] == content.value {
            resent += 1
        } else {
            ids[slot] = key
            contents[slot] = content.value
        }
    }
}
