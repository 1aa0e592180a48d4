import Hummingbird
import Synchronization

/// Answers by key and data version, bounded in bytes, least recently used out first.
///
/// A key is a route and the normalised values of the parameters it knows (see the callers), so
/// unknown query parameters and other spellings of the same query share one entry. An answer is
/// exact: any commit that changes the aggregates moves the version, and an entry whose version
/// is no longer current is dropped when it is next looked up. An entry costs its key, version
/// and body storage plus a fixed overhead; an answer larger than a quarter of the capacity is
/// not kept, and a capacity of 0 keeps nothing.
final class ResponseCache: Sendable {
    /// What one entry costs beyond its bytes (slot, dictionary entry, string headers).
    static let entryOverhead = 128

    let capacityBytes: Int
    private let state: Mutex<State>

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
        state = Mutex(State())
    }

    /// The body cached for `key` at `version`, if any; marks it most recently used.
    func get(_ key: String, version: String) -> ByteBuffer? {
        state.withLock { s in
            guard let i = s.index[key], let entry = s.slots[i] else { return nil }
            guard entry.version == version else {
                s.remove(i)
                return nil
            }
            s.moveToFront(i)
            return entry.body
        }
    }

    func put(_ key: String, version: String, body: ByteBuffer) {
        let cost = Self.cost(key: key, version: version, body: body)
        guard cost <= capacityBytes / 4 else { return }
        state.withLock { s in
            if let i = s.index[key] { s.remove(i) }
            while s.bytes + cost > capacityBytes, s.tail >= 0 { s.remove(s.tail) }
            s.insertAtFront(Entry(key: key, version: version, body: body, cost: cost))
        }
    }

    /// Entries held and the bytes they are counted as.
    var usage: (entries: Int, bytes: Int) { state.withLock { ($0.index.count, $0.bytes) } }

    static func cost(key: String, version: String, body: ByteBuffer) -> Int {
        key.utf8.count + version.utf8.count + body.capacity + entryOverhead
    }

    struct Entry {
        let key: String
        let version: String
        let body: ByteBuffer
        let cost: Int
        var newer = -1
        var older = -1
    }

    /// A doubly linked list over an array of slots, most recent at `head`.
    struct State {
        var slots: [Entry?] = []
        var free: [Int] = []
        var index: [String: Int] = [:]
        var head = -1
        var tail = -1
        var bytes = 0

        mutating func insertAtFront(_ entry: Entry) {
            var entry = entry
            entry.older = head
            entry.newer = -1
            let i: Int
            if let f = free.popLast() {
                i = f
                slots[i] = entry
            } else {
                i = slots.count
                slots.append(entry)
            }
            if head >= 0 { slots[head]!.newer = i }
            head = i
            if tail < 0 { tail = i }
            index[entry.key] = i
            bytes += entry.cost
        }

        mutating func unlink(_ i: Int) {
            let e = slots[i]!
            if e.newer >= 0 { slots[e.newer]!.older = e.older } else { head = e.older }
            if e.older >= 0 { slots[e.older]!.newer = e.newer } else { tail = e.newer }
        }

        mutating func remove(_ i: Int) {
            unlink(i)
            let e = slots[i]!
            index[e.key] = nil
            bytes -= e.cost
            slots[i] = nil
            free.append(i)
        }

        mutating func moveToFront(_ i: Int) {
            guard head != i else { return }
            unlink(i)
            slots[i]!.older = head
            slots[i]!.newer = -1
            if head >= 0 { slots[head]!.newer = i }
            head = i
            if tail < 0 { tail = i }
        }
    }
}
