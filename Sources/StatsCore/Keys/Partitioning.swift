/// How the fleet's work is split into partitions (`TXSTATS_PARTITIONS`): independent queues,
/// each with its own hash tag, so that on a Redis Cluster each partition's keys live in one
/// slot wherever the cluster puts it, and partitions spread over the masters.
///
/// Partition 0 is the queue named by `TXSTATS_QUEUE` itself (`TransactionQueue`): with one
/// partition the key layout is exactly the single-queue one. Partition k > 0 is the queue
/// `TransactionQueue:k` (hash tag `{TransactionQueue:k}`).
///
/// Items with an id go to the partition of their id, so that every event of a transaction meets
/// its own ledger entry: FNV-1a 64 of the id's UTF-8 bytes, modulo the number of partitions
/// (README "Partitions" has the test vectors producers check against). Items without an id may
/// go to any partition.
public enum Partitioning {
    /// Partitions a fleet may have: more than the 16,384 slots of a cluster would not spread further.
    public static let range = 1...1024

    /// The queue name of partition `index`.
    public static func queue(_ base: String, partition index: Int) -> String {
        index == 0 ? base : "\(base):\(index)"
    }

    /// The key layouts of every partition, partition 0 first.
    public static func layouts(queue base: String, count: Int) -> [KeyLayout] {
        (0..<max(1, count)).map { KeyLayout(queue: queue(base, partition: $0)) }
    }

    /// The partition of a transaction id.
    @inlinable public static func partition(ofId id: UnsafeRawBufferPointer, count: Int) -> Int {
        guard count > 1 else { return 0 }
        var h = FNV1a64()
        h.combine(id)
        return Int(h.value % UInt64(count))
    }

    public static func partition(ofId id: String, count: Int) -> Int {
        var id = id
        return id.withUTF8 { partition(ofId: UnsafeRawBufferPointer($0), count: count) }
    }
}
