import Testing

@testable import StatsCore

@Suite("Partitions: names, the id rule producers follow, and how live aggregators share them")
struct PartitioningTests {
    @Test("partition 0 is the queue itself; the others carry their number in their hash tag")
    func names() {
        let layouts = Partitioning.layouts(queue: "TransactionQueue", count: 3)
        #expect(layouts.map(\.queue) == ["TransactionQueue", "TransactionQueue:1", "TransactionQueue:2"])
        #expect(layouts[2].tag == "{TransactionQueue:2}" && layouts[2].inflight(worker: "w").hasPrefix("{TransactionQueue:2}:"))
        #expect(Partitioning.layouts(queue: "Q", count: 1) == [KeyLayout(queue: "Q")])
    }

    /// The README's test vectors: FNV-1a 64 of the id's UTF-8 bytes, modulo the partition count.
    @Test("an id's partition is FNV-1a 64 of its bytes modulo the count (README test vectors)")
    func idRule() {
        var h = FNV1a64()
        "a".utf8CString.dropLast().withUnsafeBytes { h.combine($0) }
        #expect(h.value == 0xAF63_DC4C_8601_EC8C, "FNV-1a 64 of \"a\"")
        #expect(Partitioning.partition(ofId: "", count: 6) == Int(UInt64(0xCBF2_9CE4_8422_2325) % 6))
        let vectors: [(String, Int, Int)] = [
            ("a", 6, 4), ("a", 16, 12), ("pay-000001", 6, 5), ("pay-000001", 16, 15), ("tx_42", 6, 2), ("tx_42", 16, 8),
            ("order-2026-01-15-0001", 6, 5), ("order-2026-01-15-0001", 16, 11), ("é-7", 6, 3), ("é-7", 16, 9),
        ]
        for (id, n, p) in vectors { #expect(Partitioning.partition(ofId: id, count: n) == p) }
        #expect(Partitioning.partition(ofId: "anything", count: 1) == 0)
        // Spread: 60,000 ids over 6 partitions, each within 5 % of a sixth.
        var counts = [Int](repeating: 0, count: 6)
        for i in 0..<60_000 { counts[Partitioning.partition(ofId: "pay-\(i)", count: 6)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 }, "\(counts)")
    }

    @Test("live aggregators split the partitions between them, each exactly once, whoever asks")
    func assignment() {
        for live in 1...7 {
            let members = (0..<live).map { "agg-\($0)" }
            var seen: [Int] = []
            for m in members { seen += PartitionAssignment.partitions(of: m, live: members.shuffled(), count: 6) }
            #expect(seen.sorted() == Array(0..<6), "\(live) aggregators: \(seen)")
        }
        // One not yet in the roll call counts itself.
        #expect(PartitionAssignment.partitions(of: "b", live: ["a"], count: 4) == [1, 3])
        #expect(PartitionAssignment.parse("0,2,4-5", count: 6) == [0, 2, 4, 5])
        for bad in ["6", "-1", "3-1", "", "x", "0,,9"] { #expect(PartitionAssignment.parse(bad, count: 6) == nil, "\(bad)") }
    }
}
