import Crypto
import Hummingbird

/// A configured bearer token (`TXSTATS_ADMIN_TOKEN`, `TXSTATS_READ_TOKEN`), kept only as its
/// SHA-256 digest. A request's token is hashed too and the two 32-byte digests are compared in
/// full whatever the first difference, so neither the time taken nor the loop length depends on
/// the configured token: not its bytes, not its length (a longer or a NUL-padded token is
/// simply a different digest).
struct BearerToken: Sendable {
    private let expected: [UInt8]

    init(_ token: String) { expected = Self.digest(token) }

    /// SHA-256 (swift-crypto) of the text's UTF-8 bytes.
    static func digest(_ text: some StringProtocol) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

    /// Whether an `Authorization` header value carries this token (RFC 9110 §11: the scheme is
    /// case-insensitive, one or more spaces separate it from the credentials, and optional
    /// whitespace around the field value is not part of it).
    func accepts(authorization header: String?) -> Bool {
        guard let header, let given = Self.bearerCredentials(header) else { return false }
        return Self.equal(Self.digest(given), expected)
    }

    /// The token68 of a `Bearer` credential, or nil for another scheme, no token, or a value
    /// that is not a single token.
    static func bearerCredentials(_ header: String) -> Substring? {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let value = Substring(header).drop(while: isSpace)
        guard let gap = value.firstIndex(where: isSpace) else { return nil }
        guard value[..<gap].lowercased() == "bearer" else { return nil }
        var token = value[gap...].drop(while: isSpace)
        while let last = token.last, isSpace(last) { token = token.dropLast() }
        guard !token.isEmpty, !token.contains(where: isSpace) else { return nil }
        return token
    }

    /// Two 32-byte digests, every byte compared.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == 32, b.count == 32 else { return false }
        var diff: UInt8 = 0
        for i in 0..<32 { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// The token check of a router group: every route added to the group after it wants the token,
/// whatever path spelling the router resolved to that route (`//stats`, `/stats/`, …). With
/// `TXSTATS_READ_TOKEN` the read routes are in such a group, and the admin routes always are.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.accepts(authorization: request.headers[.authorization]) else { throw ApiError.unauthorized }
        return try await next(request, context)
    }
}
