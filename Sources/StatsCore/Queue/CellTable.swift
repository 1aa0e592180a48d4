/// A small open-addressing hash table from packed cell keys to tallies. The aggregator adds one
/// row at a time; Swift's Dictionary (SipHash) showed up in profiles, a multiplicative hash
/// with linear probing does not. Key 0 marks an empty slot, so stored keys are offset by 1.
public struct CellTable: Sendable {
    public struct Tally: Sendable, Equatable {
        public var count: Int64 = 0
        public var amount: Int64 = 0
    }

    private var keys: [UInt64]
    private var values: [Tally]
    private var used: [Int] = [] // slots in use, for iteration and cheap reset
    private var mask: Int

    public init(capacity: Int = 4096) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        values = Array(repeating: Tally(), count: size)
        mask = size - 1
    }

    public var count: Int { used.count }
    public var isEmpty: Bool { used.isEmpty }

    @inline(__always)
    public mutating func add(_ key: UInt64, count: Int64, amount: Int64) {
        let k = key &+ 1
        var i = Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
        while true {
            let slot = keys[i]
            if slot == k {
                values[i].count += count
                values[i].amount += amount // traps rather than wrap: wrong money is worse than a crash
                return
            }
            if slot == 0 {
                keys[i] = k
                values[i] = Tally(count: count, amount: amount)
                used.append(i)
                if used.count * 2 > mask { grow() }
                return
            }
            i = (i + 1) & mask
        }
    }

    public func forEach(_ body: (UInt64, Tally) -> Void) {
        for i in used { body(keys[i] &- 1, values[i]) }
    }

    public mutating func removeAll() {
        for i in used { keys[i] = 0 }
        used.removeAll(keepingCapacity: true)
    }

    private mutating func grow() {
        var bigger = CellTable(capacity: keys.count)
        forEach { bigger.add($0, count: $1.count, amount: $1.amount) }
        self = bigger
    }
}
