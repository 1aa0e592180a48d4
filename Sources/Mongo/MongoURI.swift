import CMongoc
import Foundation

/// MongoDB connection strings: parsing for ``MongoClient`` (with this package's defaults) and
/// redaction for logs.
public enum MongoURI {
    /// Used when the URI sets no `serverSelectionTimeoutMS`: a down server fails an operation
    /// in seconds instead of libmongoc's 30 s.
    public static let defaultServerSelectionTimeoutMS: Int32 = 3_000
    /// How long a majority-journaled write may wait for its acknowledgement (the default write concern).
    public static let defaultWriteTimeoutMS: Int32 = 10_000
    /// Used when the URI sets no `connectTimeoutMS` (libmongoc's default is 10 s).
    public static let defaultConnectTimeoutMS: Int32 = 2_000

    /// The URI with its password (if any) replaced by `***`: safe for logs, even if the URI
    /// does not parse.
    public static func redact(_ text: String) -> String {
        guard let range = passwordRange(text) else { return text }
        return text.replacingCharacters(in: range, with: "***")
    }

    /// Parses `text` with libmongoc and applies the defaults above and the app name (set only
    /// here, on the URI, unless the URI already names one: setting it twice makes libmongoc
    /// log an error). The caller owns the result: `mongoc_uri_destroy` it.
    static func parse(_ text: String, appName: String) throws(MongoError) -> OpaquePointer {
        guard !text.utf8.contains(0) else { throw .invalid("the MongoDB URI contains a NUL byte") }
        var error = bson_error_t()
        guard let uri = mongoc_uri_new_with_error(text, &error) else {
            var e = MongoError(error)
            e.message = "invalid MongoDB URI \(redact(text)): \(scrub(e.message, uri: text))"
            throw e
        }
        if !mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS) {
            _ = mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, defaultServerSelectionTimeoutMS)
        }
        if !mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS) {
            _ = mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, defaultConnectTimeoutMS)
        }
        // Durable before acknowledged: the dumper deletes from Redis what MongoDB acknowledged,
        // so unless the URI names its own write concern (`w=`, `journal=`, `wtimeoutMS=`),
        // writes wait for a majority and the journal. A w:1 acknowledgement can precede the
        // journal flush (~100 ms on mongod), and a crash in that window would lose the day.
        if !mongoc_uri_has_option(uri, MONGOC_URI_W) && !mongoc_uri_has_option(uri, MONGOC_URI_JOURNAL)
            && !mongoc_uri_has_option(uri, MONGOC_URI_WTIMEOUTMS)
        {
            let concern = mongoc_write_concern_new()
            mongoc_write_concern_set_wmajority(concern, defaultWriteTimeoutMS)
            mongoc_write_concern_set_journal(concern, true)
            mongoc_uri_set_write_concern(uri, concern)
            mongoc_write_concern_destroy(concern)
        }
        if mongoc_uri_get_appname(uri) == nil && !appName.isEmpty {
            guard !appName.utf8.contains(0), mongoc_uri_set_appname(uri, appName) else {
                mongoc_uri_destroy(uri)
                throw .invalid("invalid MongoDB app name \(appName.debugDescription) (at most 128 bytes)")
            }
        }
        return uri
    }

    /// Removes the URI's password (as written and percent-decoded) from a libmongoc message.
    static func scrub(_ message: String, uri: String) -> String {
        guard let range = passwordRange(uri) else { return message }
        let raw = String(uri[range])
        var out = message
        for secret in [raw, raw.removingPercentEncoding ?? raw] where !secret.isEmpty {
            out = out.replacingOccurrences(of: secret, with: "***")
        }
        return out
    }

    /// Where the password is in `scheme://user:password@hosts/...`, if there is one.
    private static func passwordRange(_ text: String) -> Range<String.Index>? {
        guard let scheme = text.range(of: "://") else { return nil }
        let rest = text[scheme.upperBound...]
        // The user info ends at the last '@' before the options; a password's own '@' must be
        // percent-encoded, but a stray one must not leak either.
        let beforeOptions = rest[..<(rest.firstIndex(of: "?") ?? rest.endIndex)]
        guard let at = beforeOptions.lastIndex(of: "@") else { return nil }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        return userInfo.index(after: colon)..<at
    }
}
