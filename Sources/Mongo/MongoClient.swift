import CMongoc

/// A MongoDB client for one database: a libmongoc client pool behind a small blocking API.
///
/// Every method blocks (network round trips): call them from a thread pool, never from an
/// event loop or the cooperative pool. Each call borrows one `mongoc_client_t` from the pool for
/// its duration, so calls from many threads run in parallel, up to the pool's size (100 by
/// default, `maxPoolSize=` in the URI); beyond that a call waits for a free client.
///
/// Thread safety (why `@unchecked Sendable` is sound): the only state is two immutable `let`s,
/// a `String` and the pool pointer. libmongoc documents `mongoc_client_pool_t` as thread-safe:
/// `mongoc_client_pool_pop`/`push` lock the pool's own mutex. The pool is only ever used through
/// pop and push (its one-time configuration, `set_error_api`, runs in `init` before `self`
/// exists for anyone else). Each popped `mongoc_client_t`, which is not thread-safe, is used by
/// the calling thread alone inside ``withClient(_:)`` (a synchronous, non-escaping closure) and
/// pushed back before it returns, with every collection, cursor and bulk operation made from it
/// destroyed first. `deinit` destroys the pool only when no other reference to `self` exists,
/// so no call is in flight and every client has been pushed back.
///
/// Blocking: every call waits on the server. Run it on a dedicated thread or a thread pool,
/// never on the cooperative pool or an event loop.
public final class MongoClient: @unchecked Sendable {
    /// The database every method works on.
    public let database: String
    private let pool: OpaquePointer

    /// Parses `uri` (`mongodb://[user:password@]host[:port][,...][/authDB][?options]`) and
    /// creates the pool. Connecting happens lazily, on the first call; a wrong host therefore
    /// shows on the first call, as an error with ``MongoError/isConnectionFailure``.
    ///
    /// Unless the URI says otherwise, `serverSelectionTimeoutMS=3000` and `connectTimeoutMS=2000`
    /// (see ``MongoURI``) and the app name is `appName`. Errors never contain the password.
    public init(uri: String, database: String, appName: String) throws(MongoError) {
        MongocRuntime.ensureInitialized()
        try Self.checkName(database, what: "database")
        let parsed = try MongoURI.parse(uri, appName: appName)
        defer { mongoc_uri_destroy(parsed) } // the pool keeps its own copy
        var error = bson_error_t()
        guard let pool = mongoc_client_pool_new_with_error(parsed, &error) else {
            var e = MongoError(error)
            e.message = "cannot use MongoDB URI \(MongoURI.redact(uri)): \(MongoURI.scrub(e.message, uri: uri))"
            throw e
        }
        // Version 2: server errors carry the server's own code (11000, 121, 48, ...).
        mongoc_client_pool_set_error_api(pool, Int32(MONGOC_ERROR_API_VERSION_2))
        self.database = database
        self.pool = pool
    }

    /// Destroys the pool. If the client used sessions (any operation on a server that has
    /// them), libmongoc first sends `endSessions`: with the server unreachable, that blocks for
    /// the server selection timeout (3 s by default) and logs a warning.
    deinit { mongoc_client_pool_destroy(pool) }

    // MARK: commands

    /// Checks that the server answers (selecting it first: a down server fails within the
    /// server selection timeout).
    public func ping() throws(MongoError) {
        _ = try runCommand(["ping": 1])
    }

    /// Runs a command on the database and returns the server's reply (which has `ok: 1`;
    /// `ok: 0` replies are thrown, with the server's code and message).
    @discardableResult
    public func runCommand(_ command: BSONDocument) throws(MongoError) -> BSONDocument {
        try BSONConversion.withBSON(command) { cmd throws(MongoError) in
            try withClient { client throws(MongoError) in
                try Self.withReply { reply, error in
                    mongoc_client_command_simple(client, database, cmd, nil, reply, &error)
                }
            }
        }
    }

    /// Creates the collection with a strict validator (e.g. `["$jsonSchema": ...]`) or, if it
    /// exists already, replaces its validator with `collMod`. Idempotent.
    public func ensureCollection(_ name: String, validator: BSONDocument) throws(MongoError) {
        try Self.checkName(name, what: "collection")
        do throws(MongoError) {
            try runCommand(["create": .string(name), "validator": .document(validator), "validationLevel": "strict"])
        } catch  where error.code == 48 { // NamespaceExists
            try runCommand(["collMod": .string(name), "validator": .document(validator), "validationLevel": "strict"])
        }
    }

    /// Creates indexes (each `["key": [...], "name": ..., "unique": true, ...]`; a missing name
    /// is derived from the keys the way MongoDB's drivers do, e.g. `day_1_method_1`).
    /// Creating an index that exists with the same options is a no-op.
    public func createIndexes(_ collection: String, indexes: [BSONDocument]) throws(MongoError) {
        try Self.checkName(collection, what: "collection")
        guard !indexes.isEmpty else { return }
        var specs: [BSONValue] = []
        for var index in indexes {
            guard let key = index["key"]?.document, !key.isEmpty else { throw .invalid("an index needs a non-empty \"key\" document") }
            if index["name"] == nil {
                index["name"] = .string(key.map { "\($0.key)_\(Self.indexDirection($0.value))" }.joined(separator: "_"))
            }
            specs.append(.document(index))
        }
        try runCommand(["createIndexes": .string(collection), "indexes": .array(specs)])
    }

    /// Drops the index called `name`; returns false if the collection has no such index
    /// (IndexNotFound, code 27), so dropping one that is already gone is a no-op.
    @discardableResult
    public func dropIndex(_ collection: String, name: String) throws(MongoError) -> Bool {
        try Self.checkName(collection, what: "collection")
        do throws(MongoError) {
            try runCommand(["dropIndexes": .string(collection), "index": .string(name)])
            return true
        } catch  where error.code == 27 || error.code == 26 { // IndexNotFound, NamespaceNotFound
            return false
        }
    }

    /// The names of the collection's indexes (`listIndexes`; empty if it does not exist).
    public func indexNames(_ collection: String) throws(MongoError) -> [String] {
        try Self.checkName(collection, what: "collection")
        do throws(MongoError) {
            let reply = try runCommand(["listIndexes": .string(collection)])
            let batch = reply["cursor"]?.document?["firstBatch"]?.array ?? []
            return batch.compactMap { $0.document?["name"]?.string }
        } catch  where error.code == 26 { // NamespaceNotFound
            return []
        }
    }

    // MARK: writes

    /// Replaces the first document matching `filter`; with `upsert`, inserts `replacement` if
    /// none matches.
    @discardableResult
    public func replaceOne(
        _ collection: String, filter: BSONDocument, replacement: BSONDocument,
        upsert: Bool
    ) throws(MongoError) -> (matched: Int, modified: Int, upserted: Bool) {
        let reply = try write(collection, filter, replacement, upsert: upsert, mongoc_collection_replace_one)
        return (Self.count(reply["matchedCount"]), Self.count(reply["modifiedCount"]), Self.upserted(reply))
    }

    /// Applies update operators (`$set`, `$inc`, ...) to the first document matching `filter`.
    @discardableResult
    public func updateOne(
        _ collection: String, filter: BSONDocument, update: BSONDocument,
        upsert: Bool
    ) throws(MongoError) -> (matched: Int, modified: Int, upserted: Bool) {
        let reply = try write(collection, filter, update, upsert: upsert, mongoc_collection_update_one)
        return (Self.count(reply["matchedCount"]), Self.count(reply["modifiedCount"]), Self.upserted(reply))
    }

    /// Applies update operators to every document matching `filter`; returns how many matched
    /// and how many changed.
    @discardableResult
    public func updateMany(
        _ collection: String, filter: BSONDocument, update: BSONDocument
    ) throws(MongoError) -> (matched: Int, modified: Int) {
        let reply = try write(collection, filter, update, upsert: false, mongoc_collection_update_many)
        return (Self.count(reply["matchedCount"]), Self.count(reply["modifiedCount"]))
    }

    /// Sends many writes in as few round trips as libmongoc can (batches of up to 100,000
    /// operations or 48 MB). Unordered, the server carries on after a failed operation; the
    /// thrown error's `reply` then has the `writeErrors` and the counts of what succeeded.
    @discardableResult
    public func bulkWrite(_ collection: String, operations: [MongoWriteOperation], ordered: Bool) throws(MongoError) -> MongoBulkResult {
        try Self.checkName(collection, what: "collection")
        guard !operations.isEmpty else { return MongoBulkResult() }
        let options: BSONDocument = ["ordered": .bool(ordered)]
        return try BSONConversion.withBSON(options) { opts throws(MongoError) in
            try BSONConversion.withBSON(["upsert": true]) { upsertOpts throws(MongoError) in
                try withCollection(collection) { coll throws(MongoError) in
                    guard let bulk = mongoc_collection_create_bulk_operation_with_opts(coll, opts) else {
                        throw .invalid("cannot create a bulk operation")
                    }
                    defer { mongoc_bulk_operation_destroy(bulk) }
                    for operation in operations {
                        // libmongoc copies each document into the bulk's own buffer.
                        var error = bson_error_t()
                        let ok: Bool
                        switch operation {
                        case .replaceOne(let filter, let replacement, let upsert):
                            ok = try BSONConversion.withBSON(filter) { f throws(MongoError) in
                                try BSONConversion.withBSON(replacement) { r in
                                    mongoc_bulk_operation_replace_one_with_opts(bulk, f, r, upsert ? upsertOpts : nil, &error)
                                }
                            }
                        case .updateOne(let filter, let update, let upsert):
                            ok = try BSONConversion.withBSON(filter) { f throws(MongoError) in
                                try BSONConversion.withBSON(update) { u in
                                    mongoc_bulk_operation_update_one_with_opts(bulk, f, u, upsert ? upsertOpts : nil, &error)
                                }
                            }
                        case .deleteOne(let filter):
                            ok = try BSONConversion.withBSON(filter) { f in
                                mongoc_bulk_operation_remove_one_with_opts(bulk, f, nil, &error)
                            }
                        }
                        if !ok { throw MongoError(error) }
                    }
                    let reply = try Self.withReply { reply, error in
                        mongoc_bulk_operation_execute(bulk, reply, &error) != 0
                    }
                    return MongoBulkResult(
                        matched: Self.count(reply["nMatched"]), modified: Self.count(reply["nModified"]),
                        upserted: Self.count(reply["nUpserted"]), deleted: Self.count(reply["nRemoved"]))
                }
            }
        }
    }

    /// Deletes every document matching `filter`; returns how many.
    @discardableResult
    public func deleteMany(_ collection: String, filter: BSONDocument) throws(MongoError) -> Int {
        try Self.checkName(collection, what: "collection")
        let reply = try BSONConversion.withBSON(filter) { f throws(MongoError) in
            try withCollection(collection) { coll throws(MongoError) in
                try Self.withReply { reply, error in
                    mongoc_collection_delete_many(coll, f, nil, reply, &error)
                }
            }
        }
        return Self.count(reply["deletedCount"])
    }

    // MARK: reads

    /// The documents matching `filter`, all read into memory. `projection` is MongoDB's
    /// (`["field": 1, "_id": 0]`), `sort` e.g. `["day": 1]`; a `limit` of 0 means none.
    public func find(
        _ collection: String, filter: BSONDocument, projection: BSONDocument? = nil,
        sort: BSONDocument? = nil, limit: Int? = nil
    ) throws(MongoError) -> [BSONDocument] {
        try Self.checkName(collection, what: "collection")
        var options = BSONDocument()
        if let projection { options.append("projection", .document(projection)) }
        if let sort { options.append("sort", .document(sort)) }
        if let limit {
            guard limit >= 0 else { throw .invalid("find: limit must be >= 0 (got \(limit))") }
            options.append("limit", .int64(Int64(limit)))
        }
        return try BSONConversion.withBSON(filter) { f throws(MongoError) in
            try BSONConversion.withBSON(options) { opts throws(MongoError) in
                try withCollection(collection) { coll throws(MongoError) in
                    guard let cursor = mongoc_collection_find_with_opts(coll, f, opts, nil) else {
                        throw .invalid("cannot create a cursor")
                    }
                    defer { mongoc_cursor_destroy(cursor) }
                    var documents: [BSONDocument] = []
                    var current: OpaquePointer?
                    let keys = BSONConversion.KeyCache()
                    while mongoc_cursor_next(cursor, &current) {
                        // `current` belongs to the cursor and is valid until the next call.
                        guard let current else { break }
                        documents.append(try BSONConversion.document(from: current, keys: keys))
                    }
                    var error = bson_error_t()
                    var errorReply: OpaquePointer?
                    if mongoc_cursor_error_document(cursor, &error, &errorReply) {
                        throw MongoError(error, reply: errorReply.flatMap { try? BSONConversion.document(from: $0) })
                    }
                    return documents
                }
            }
        }
    }

    /// The distinct values of `key` among the documents matching `filter` (the `distinct`
    /// command), in the server's order.
    public func distinct(_ collection: String, key: String, filter: BSONDocument = [:]) throws(MongoError) -> [BSONValue] {
        try Self.checkName(collection, what: "collection")
        let reply = try runCommand(["distinct": .string(collection), "key": .string(key), "query": .document(filter)])
        return reply["values"]?.array ?? []
    }

    /// How many documents match `filter` (an aggregation on the server, so exact).
    public func count(_ collection: String, filter: BSONDocument) throws(MongoError) -> Int {
        try Self.checkName(collection, what: "collection")
        return try BSONConversion.withBSON(filter) { f throws(MongoError) in
            try withCollection(collection) { coll throws(MongoError) in
                var n: Int64 = -1
                _ = try Self.withReply { reply, error in
                    n = mongoc_collection_count_documents(coll, f, nil, nil, reply, &error)
                    return n >= 0
                }
                return Int(n)
            }
        }
    }

    // MARK: plumbing

    /// Borrows a client from the pool for the duration of `body` (on this thread only).
    private func withClient<R>(_ body: (OpaquePointer) throws(MongoError) -> R) throws(MongoError) -> R {
        guard let client = mongoc_client_pool_pop(pool) else { throw .invalid("cannot get a client from the pool") }
        defer { mongoc_client_pool_push(pool, client) }
        return try body(client)
    }

    private func withCollection<R>(_ name: String, _ body: (OpaquePointer) throws(MongoError) -> R) throws(MongoError) -> R {
        try withClient { client throws(MongoError) in
            guard let coll = mongoc_client_get_collection(client, database, name) else {
                throw .invalid("cannot open collection \(name.debugDescription)")
            }
            defer { mongoc_collection_destroy(coll) }
            return try body(coll)
        }
    }

    /// Calls a libmongoc function that fills a reply `bson_t` and a `bson_error_t` and returns
    /// success; returns the reply, or throws the error (with the reply attached).
    private static func withReply(_ call: (OpaquePointer, inout bson_error_t) -> Bool) throws(MongoError) -> BSONDocument {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: BSONConversion.bsonSize, alignment: BSONConversion.bsonAlignment)
        let reply = OpaquePointer(storage)
        bson_init(reply) // so that destroying it is safe even if `call` never touched it
        defer {
            bson_destroy(reply)
            storage.deallocate()
        }
        var error = bson_error_t()
        let ok = call(reply, &error)
        let document = try? BSONConversion.document(from: reply)
        guard ok else { throw MongoError(error, reply: document?.isEmpty == false ? document : nil) }
        guard let document else { throw .bson("the server sent an invalid BSON reply") }
        return document
    }

    private typealias WriteFunction = (
        OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?, OpaquePointer?,
        UnsafeMutablePointer<bson_error_t>?
    ) -> Bool

    private func write(
        _ collection: String, _ filter: BSONDocument, _ document: BSONDocument, upsert: Bool,
        _ function: WriteFunction
    ) throws(MongoError) -> BSONDocument {
        try Self.checkName(collection, what: "collection")
        return try BSONConversion.withBSON(filter) { f throws(MongoError) in
            try BSONConversion.withBSON(document) { d throws(MongoError) in
                try BSONConversion.withBSON(["upsert": .bool(upsert)]) { opts throws(MongoError) in
                    try withCollection(collection) { coll throws(MongoError) in
                        try Self.withReply { reply, error in function(coll, f, d, opts, reply, &error) }
                    }
                }
            }
        }
    }

    private static func checkName(_ name: String, what: String) throws(MongoError) {
        guard !name.isEmpty, !name.utf8.contains(0) else { throw .invalid("invalid \(what) name \(name.debugDescription)") }
    }

    private static func count(_ value: BSONValue?) -> Int {
        switch value {
        case .int32(let v): Int(v)
        case .int64(let v): Int(v)
        case .double(let v) where v.isFinite && abs(v) < 9e15: Int(v)
        default: 0
        }
    }

    private static func upserted(_ reply: BSONDocument) -> Bool {
        count(reply["upsertedCount"]) > 0 || reply["upsertedId"] != nil
    }

    private static func indexDirection(_ value: BSONValue) -> String {
        switch value {
        case .int32(let v): String(v)
        case .int64(let v): String(v)
        case .string(let s): s
        case .double(let d) where d == d.rounded(): String(Int64(d))
        default: "1"
        }
    }
}
