import CMongoc

/// An error from libmongoc or the server (error API version 2: server errors carry the server's
/// own code, e.g. 11000 duplicate key, 121 document failed validation, 48 namespace exists).
///
/// Messages never contain a URI password.
public struct MongoError: Error, Sendable, CustomStringConvertible {
    /// libmongoc's error domain (`MONGOC_ERROR_*`: 17 server, 15 server selection, 2 stream, ...).
    public var domain: UInt32
    /// The server's error code for server errors, else libmongoc's code within `domain`.
    public var code: UInt32
    public var message: String
    /// The server's reply when one came with the error (e.g. a bulk write's `writeErrors` and
    /// the counts of the operations that did succeed).
    public var reply: BSONDocument?

    public init(domain: UInt32, code: UInt32, message: String, reply: BSONDocument? = nil) {
        self.domain = domain
        self.code = code
        self.message = message
        self.reply = reply
    }

    /// A unique index rejected the write.
    public var isDuplicateKey: Bool { code == 11000 }

    /// No server could be reached (selection timed out) or the connection broke: worth a retry
    /// later, unlike a rejected command.
    public var isConnectionFailure: Bool {
        domain == MONGOC_ERROR_SERVER_SELECTION.rawValue || domain == MONGOC_ERROR_STREAM.rawValue
            || (domain == MONGOC_ERROR_CLIENT.rawValue && code == MONGOC_ERROR_CLIENT_NOT_READY.rawValue)
    }

    public var description: String { "MongoDB error \(domain).\(code): \(message)" }

    /// Copies a `bson_error_t`.
    init(_ error: bson_error_t, reply: BSONDocument? = nil) {
        var error = error
        let text = withUnsafeBytes(of: &error.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.init(domain: error.domain, code: error.code, message: text, reply: reply)
    }

    /// An error raised by this layer itself (bad argument, value BSON cannot hold).
    static func invalid(_ message: String) -> MongoError {
        MongoError(domain: MONGOC_ERROR_COMMAND.rawValue, code: MONGOC_ERROR_COMMAND_INVALID_ARG.rawValue, message: message)
    }

    static func bson(_ message: String) -> MongoError {
        MongoError(domain: MONGOC_ERROR_BSON.rawValue, code: MONGOC_ERROR_BSON_INVALID.rawValue, message: message)
    }
}
