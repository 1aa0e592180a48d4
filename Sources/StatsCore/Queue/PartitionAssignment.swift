/// Which partitions an aggregator works when every live aggregator shares them: the live ids
/// are sorted, and the i-th of M takes the partitions p with p mod M == i. Every aggregator
/// computes the same answer from the same roll call, so no lease is needed; while the roll call
/// changes, two aggregators may work one partition for a moment, which the queue allows (each
/// has its own in-flight list, and the ledger check refuses a commit decided from stale entries).
public enum PartitionAssignment {
    public static func partitions(of member: String, live: [String], count: Int) -> [Int] {
        let members = Set(live + [member]).sorted()
        let i = members.firstIndex(of: member)!
        return (0..<count).filter { $0 % members.count == i }
    }

    /// `0,2,5-7` → [0, 2, 5, 6, 7]; nil if a part is not a partition of `count`.
    public static func parse(_ text: String, count: Int) -> [Int]? {
        var out = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { Int($0.filter { $0 != " " }) }
            guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, low <= high, low >= 0, high < count,
                high - low < Partitioning.range.upperBound
            else { return nil }
            out.formUnion(low...high)
        }
        return out.isEmpty ? nil : out.sorted()
    }
}
