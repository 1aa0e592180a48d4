import CMongoc

#if canImport(Glibc)
    import Glibc
#endif

/// Converts between ``BSONDocument`` and libbson's `bson_t`, directly with `bson_append_*` and
/// `bson_iter_*` (no JSON in between: reading large documents is on a hot path).
///
/// `bson_t` and `bson_iter_t` are over-aligned, so Swift sees pointers to them as `OpaquePointer`
/// and cannot lay them out itself: temporary ones live in raw storage of C's real size and
/// alignment, reported by the shim.
enum BSONConversion {
    static let bsonSize = txstats_sizeof_bson_t()
    static let bsonAlignment = txstats_alignof_bson_t()
    static let iterSize = txstats_sizeof_bson_iter_t()
    static let iterAlignment = txstats_alignof_bson_iter_t()

    // MARK: Swift -> bson_t

    /// A new heap `bson_t` holding `document`. The caller owns it: `bson_destroy` it.
    static func makeBSON(_ document: BSONDocument) throws(MongoError) -> OpaquePointer {
        guard let bson = bson_new() else { throw .bson("bson_new failed") }
        if let error = append(document, to: bson) {
            bson_destroy(bson)
            throw error
        }
        return bson
    }

    /// Runs `body` with a temporary `bson_t` holding `document` (destroyed afterwards).
    static func withBSON<R>(_ document: BSONDocument, _ body: (OpaquePointer) throws(MongoError) -> R) throws(MongoError) -> R {
        let bson = try makeBSON(document)
        defer { bson_destroy(bson) }
        return try body(bson)
    }

    /// Like ``withBSON(_:_:)``, passing nil through (for optional C arguments).
    static func withOptionalBSON<R>(_ document: BSONDocument?, _ body: (OpaquePointer?) throws(MongoError) -> R) throws(MongoError) -> R {
        guard let document else { return try body(nil) }
        let bson = try makeBSON(document)
        defer { bson_destroy(bson) }
        return try body(bson)
    }

    /// Appends every pair; returns the first failure (a key with a NUL byte, an invalid
    /// ObjectId or Decimal128 string, a document over libbson's size limit).
    static func append(_ document: BSONDocument, to bson: OpaquePointer) -> MongoError? {
        for (key, value) in document.pairs {
            if let error = append(key, value, to: bson) { return error }
        }
        return nil
    }

    static func append(_ key: String, _ value: BSONValue, to bson: OpaquePointer) -> MongoError? {
        var key = key
        return key.withUTF8 { utf8 -> MongoError? in
            // BSON keys are C strings: a NUL byte would silently cut the key short.
            if utf8.contains(0) {
                return .bson("BSON keys cannot contain a NUL byte: \(String(decoding: utf8, as: UTF8.self).debugDescription)")
            }
            guard utf8.count < Int32.max else { return .bson("BSON key too long") }
            let k = charPointer(utf8)
            let n = Int32(utf8.count)
            let ok: Bool
            switch value {
            case .int64(let v): ok = bson_append_int64(bson, k, n, v)
            case .int32(let v): ok = bson_append_int32(bson, k, n, v)
            case .double(let v): ok = bson_append_double(bson, k, n, v)
            case .bool(let v): ok = bson_append_bool(bson, k, n, v)
            case .null: ok = bson_append_null(bson, k, n)
            case .date(let ms): ok = bson_append_date_time(bson, k, n, ms)
            case .string(let s):
                var s = s
                ok = s.withUTF8 { v in
                    v.count < Int32.max && bson_append_utf8(bson, k, n, charPointer(v), Int32(v.count))
                }
            case .objectId(let hex):
                guard hex.utf8.count == 24, bson_oid_is_valid(hex, 24) else {
                    return .bson(
                        "invalid ObjectId \(hex.debugDescription) under key \(String(decoding: utf8, as: UTF8.self).debugDescription): want 24 hex digits"
                    )
                }
                var oid = bson_oid_t()
                bson_oid_init_from_string(&oid, hex)
                ok = bson_append_oid(bson, k, n, &oid)
            case .decimal128(let text):
                var dec = bson_decimal128_t()
                var text = text
                let parsed = text.withUTF8 { v in
                    v.count < Int32.max && bson_decimal128_from_string_w_len(charPointer(v), Int32(v.count), &dec)
                }
                // libbson turns unparsable text into NaN and returns false.
                guard parsed else { return .bson("invalid Decimal128 \(text.debugDescription)") }
                ok = bson_append_decimal128(bson, k, n, &dec)
            case .document(let doc):
                return withChild { child -> MongoError? in
                    guard bson_append_document_begin(bson, k, n, child) else { return tooLarge(utf8) }
                    let error = append(doc, to: child)
                    // A begun child must always be ended, even after a failure.
                    let ended = bson_append_document_end(bson, child)
                    return error ?? (ended ? nil : tooLarge(utf8))
                }
            case .array(let items):
                return withChild { child -> MongoError? in
                    guard bson_append_array_begin(bson, k, n, child) else { return tooLarge(utf8) }
                    var error: MongoError?
                    for (i, item) in items.enumerated() {
                        error = append(String(i), item, to: child)
                        if error != nil { break }
                    }
                    let ended = bson_append_array_end(bson, child)
                    return error ?? (ended ? nil : tooLarge(utf8))
                }
            }
            return ok ? nil : tooLarge(utf8)
        }
    }

    private static func tooLarge(_ key: UnsafeBufferPointer<UInt8>) -> MongoError {
        .bson("cannot append \(String(decoding: key, as: UTF8.self).debugDescription): document too large")
    }

    private static func withChild(_ body: (OpaquePointer) -> MongoError?) -> MongoError? {
        withUnsafeTemporaryAllocation(byteCount: bsonSize, alignment: bsonAlignment) { raw in
            body(OpaquePointer(raw.baseAddress!))
        }
    }

    private static let empty: StaticString = ""

    /// A C pointer to the bytes; an empty buffer may have no base address.
    private static func charPointer(_ utf8: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar> {
        let base = UnsafeRawPointer(utf8.baseAddress ?? empty.utf8Start)
        return base.assumingMemoryBound(to: CChar.self)
    }

    // MARK: bson_t -> Swift

    /// Copies a `const bson_t *` into a ``BSONDocument``. Invalid BSON gives an error.
    ///
    /// Pass the same `keys` cache for a series of documents (a cursor's results): documents of
    /// the same shape then share their key strings instead of allocating new ones.
    static func document(from bson: OpaquePointer, keys: KeyCache = KeyCache()) throws(MongoError) -> BSONDocument {
        let result: BSONDocument? = withUnsafeTemporaryAllocation(byteCount: iterSize, alignment: iterAlignment) { raw in
            let iter = OpaquePointer(raw.baseAddress!)
            guard bson_iter_init(iter, bson) else { return nil }
            return readDocument(iter, keys)
        }
        guard let result else { throw .bson("the server sent an invalid BSON document") }
        return result
    }

    /// The keys of the documents read last at one place in a document tree, by position.
    ///
    /// Reading many documents of one shape (730 documents of 1,000 fields), allocating a
    /// `String` per key costs more than all the rest; comparing the key's bytes with the key
    /// at the same position in the previous document, and reusing that string when equal,
    /// costs a `memcmp`. Not thread-safe: one cache per reading call.
    final class KeyCache {
        var keys: [String] = []
        /// Caches of subdocuments and arrays, by the position of their field. An array's
        /// elements all share its cache's child 0.
        private var children: [KeyCache?] = []

        init() {}

        func child(_ position: Int) -> KeyCache {
            if position < children.count, let c = children[position] { return c }
            let c = KeyCache()
            if position >= children.count { children.append(contentsOf: repeatElement(nil, count: position + 1 - children.count)) }
            children[position] = c
            return c
        }

        /// The key at `position`: the cached string if its bytes are the same, else a new one
        /// (which replaces it). `keys` is the cache's array, moved out of the object for the
        /// duration of one document so that no access needs a dynamic exclusivity check.
        static func key(_ keys: inout [String], at position: Int, _ bytes: UnsafePointer<CChar>, _ count: Int) -> String {
            if position < keys.count {
                let same = keys[position].utf8.withContiguousStorageIfAvailable { utf8 in
                    utf8.count == count && (count == 0 || memcmp(utf8.baseAddress!, bytes, count) == 0)
                }
                if same == true { return keys[position] }
                let key = String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
                keys[position] = key
                return key
            }
            let key = String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
            keys.append(key)
            return key
        }
    }

    /// Reads the remaining elements of `iter` (positioned before its first element).
    ///
    /// `bson_iter_next` checks each element's bounds before it returns true, so once the type
    /// is known the inline `_unsafe` accessors (which only skip the type check) are safe.
    private static func readDocument(_ iter: OpaquePointer, _ cache: KeyCache) -> BSONDocument {
        var keys = cache.keys
        cache.keys = [] // now uniquely referenced here: updated in place
        defer { cache.keys = keys }
        var doc = BSONDocument(reservingCapacity: keys.count)
        var position = 0
        while bson_iter_next(iter) {
            let key = KeyCache.key(&keys, at: position, bson_iter_key_unsafe(iter), Int(bson_iter_key_len(iter)))
            doc.append(key, readValue(iter, position, cache))
            position += 1
        }
        return doc
    }

    private static func readArray(_ iter: OpaquePointer, _ cache: KeyCache) -> [BSONValue] {
        var items: [BSONValue] = []
        while bson_iter_next(iter) { items.append(readValue(iter, 0, cache)) }
        return items
    }

    /// The current value of `iter`, at `position` in a document whose keys `cache` tracks.
    private static func readValue(_ iter: OpaquePointer, _ position: Int, _ cache: KeyCache) -> BSONValue {
        switch bson_iter_type_unsafe(iter) {
        case BSON_TYPE_INT64: return .int64(bson_iter_int64_unsafe(iter))
        case BSON_TYPE_INT32: return .int32(bson_iter_int32_unsafe(iter))
        case BSON_TYPE_DOUBLE: return .double(bson_iter_double_unsafe(iter))
        case BSON_TYPE_BOOL: return .bool(bson_iter_bool_unsafe(iter))
        case BSON_TYPE_DATE_TIME: return .date(bson_iter_date_time(iter))
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            let p = bson_iter_utf8(iter, &length)
            return .string(String(decoding: UnsafeRawBufferPointer(start: p, count: Int(length)), as: UTF8.self))
        case BSON_TYPE_SYMBOL:
            var length: UInt32 = 0
            let p = bson_iter_symbol(iter, &length)
            return .string(String(decoding: UnsafeRawBufferPointer(start: p, count: Int(length)), as: UTF8.self))
        case BSON_TYPE_OID:
            guard let oid = bson_iter_oid(iter) else { return .null }
            return .objectId(cString(capacity: 25) { bson_oid_to_string(oid, $0) })
        case BSON_TYPE_DECIMAL128:
            var dec = bson_decimal128_t()
            guard bson_iter_decimal128(iter, &dec) else { return .null }
            return .decimal128(cString(capacity: Int(BSON_DECIMAL128_STRING)) { bson_decimal128_to_string(&dec, $0) })
        case BSON_TYPE_DOCUMENT:
            return withUnsafeTemporaryAllocation(byteCount: iterSize, alignment: iterAlignment) { raw in
                let child = OpaquePointer(raw.baseAddress!)
                guard bson_iter_recurse(iter, child) else { return .null }
                return .document(readDocument(child, cache.child(position)))
            }
        case BSON_TYPE_ARRAY:
            return withUnsafeTemporaryAllocation(byteCount: iterSize, alignment: iterAlignment) { raw in
                let child = OpaquePointer(raw.baseAddress!)
                guard bson_iter_recurse(iter, child) else { return .null }
                return .array(readArray(child, cache.child(position)))
            }
        default:
            // null, undefined, and types this layer does not model (binary, timestamp, regex,
            // min/max key, code, DBPointer).
            return .null
        }
    }

    private static func cString(capacity: Int, _ fill: (UnsafeMutablePointer<CChar>) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buf in
            buf.initialize(repeating: 0)
            fill(buf.baseAddress!)
            return String(cString: buf.baseAddress!)
        }
    }
}

extension BSONDocument {
    /// The document encoded as BSON.
    public func bsonBytes() throws(MongoError) -> [UInt8] {
        try BSONConversion.withBSON(self) { bson in
            let data = bson_get_data(bson)!
            // A BSON document starts with its total length, little-endian.
            let length = Int(UInt32(data[0]) | UInt32(data[1]) << 8 | UInt32(data[2]) << 16 | UInt32(data[3]) << 24)
            return Array(UnsafeBufferPointer(start: data, count: length))
        }
    }

    /// Decodes BSON bytes (one whole document).
    public init(bsonBytes bytes: [UInt8]) throws(MongoError) {
        let bson = bytes.withUnsafeBufferPointer { buf in
            buf.isEmpty ? nil : bson_new_from_data(buf.baseAddress, buf.count)
        }
        guard let bson else { throw .bson("not a valid BSON document (\(bytes.count) bytes)") }
        defer { bson_destroy(bson) }
        self = try BSONConversion.document(from: bson)
    }
}
