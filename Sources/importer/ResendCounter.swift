import StatsCore

/// Counts rows that repeat an earlier row of the same import exactly (same id, same content),
/// for the summary. It decides nothing: every row is queued and the ledger counts a
/// transaction once. Memory is fixed: one 64-bit fingerprint of (id, content) per slot, the
/// slot chosen by that fingerprint's well-mixed high bits, so a repeat of any earlier row is
/// recognised unless another row took its slot since (the figure is a lower bound once a file
/// has more distinct rows than slots).
struct ResendCounter {
    static let slots = 1 << 21 // 16 MiB

    private var fingerprints: [UInt64]
    private(set) var resent = 0

    init() {
        fingerprints = Array(repeating: 0, count: Self.slots)
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
        let key = content.value | 1 // 0 marks an empty slot
        // FNV-1a's high bits barely move for ids that differ at the end: mix before slotting.
        let slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 43) & (Self.slots - 1)
        if fingerprints[slot] == key {
            resent += 1
        } else {
            fingerprints[slot] = key
        }
    }
}
