#if canImport(Glibc)
    import Glibc
#endif

/// Normalises payment-method names (``PaymentMethodName``) and gives each a small index, so the
/// hot path compares a few bytes instead of allocating a String per row.
public struct MethodTable: Sendable {
    public private(set) var names: [String] = []
    private var rawKeys: [[UInt8]] = [] // as seen in input, trimmed (before lower-casing)
    private var rawIndex: [[UInt8]: Int] = [:] // fallback once there are many spellings
    private var byName: [String: Int] = [:]

    public init() {}

    /// Index of the normalised method for these bytes, or why they are not a valid method.
    public mutating func index(of input: UnsafeRawBufferPointer) -> Result<Int, RejectReason> {
        let raw = input.trimmedASCIISpaces
        // Fast path: an exact spelling seen before (linear scan beats hashing for a handful).
        if rawKeys.count <= 16 {
            for (i, key) in rawKeys.enumerated() where key.count == raw.count {
                if raw.isEmpty || key.withUnsafeBytes({ memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }) {
                    return .success(rawSlot[i])
                }
            }
        } else if let i = rawIndex[Array(raw)] {
            return .success(rawSlot[i])
        }
        return insert(raw)
    }

    private var rawSlot: [Int] = []

    private mutating func insert(_ raw: UnsafeRawBufferPointer) -> Result<Int, RejectReason> {
        let name: String
        switch PaymentMethodName.normalize(trimmed: raw) {
        case .success(let n): name = n
        case .failure(let reason): return .failure(reason)
        }
        let slot: Int
        if let existing = byName[name] {
            slot = existing
        } else {
            slot = names.count
            names.append(name)
            byName[name] = slot
        }
        let key = Array(raw)
        rawIndex[key] = rawKeys.count
        rawKeys.append(key)
        rawSlot.append(slot)
        return .success(slot)
    }

    public mutating func index(of name: String) -> Result<Int, RejectReason> {
        var name = name
        return name.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }
}
