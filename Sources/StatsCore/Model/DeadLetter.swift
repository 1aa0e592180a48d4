import Foundation

/// One entry of the dead-letter list: a JSON object with what was rejected, where and why.
///
///     {"at":"2026-11-25T12:00:00Z","stage":"import","reason":"bad_amount",
///      "detail":"amount \"12.345\" has more than 2 fraction digits",
///      "source":"a1b2…","file":"data.csv","line":17,"raw":"2026-01-01T00:00:00,deposit,visa,12.345,0"}
public struct DeadLetter: Sendable, Codable, Equatable {
    public var at: String
    public var stage: String
    public var reason: String
    public var detail: String
    public var source: String?
    public var file: String?
    public var line: Int?
    public var worker: String?
    public var raw: String

    /// Raw text is kept up to this many bytes: enough to see the problem, bounded in Redis.
    public static let maxRawBytes = 8 * 1024

    public init(
        stage: String, reason: RejectReason, raw: String, source: String? = nil, file: String? = nil,
        line: Int? = nil, worker: String? = nil, at: Date = Date()
    ) {
        self.at = DeadLetter.iso(at)
        self.stage = stage
        self.reason = reason.code
        self.detail = reason.message
        self.source = source
        self.file = file
        self.line = line
        self.worker = worker
        self.raw = raw.utf8.count > Self.maxRawBytes ? String(decoding: raw.utf8.prefix(Self.maxRawBytes), as: UTF8.self) + "…" : raw
    }

    public var json: String {
        var s =
            "{\"at\":\(JSONText.quote(at)),\"stage\":\(JSONText.quote(stage)),\"reason\":\(JSONText.quote(reason)),\"detail\":\(JSONText.quote(detail))"
        if let source { s += ",\"source\":\(JSONText.quote(source))" }
        if let file { s += ",\"file\":\(JSONText.quote(file))" }
        if let line { s += ",\"line\":\(line)" }
        if let worker { s += ",\"worker\":\(JSONText.quote(worker))" }
        return s + ",\"raw\":\(JSONText.quote(raw))}"
    }

    public static func decode(_ text: String) throws -> DeadLetter {
        try JSONDecoder().decode(DeadLetter.self, from: Data(text.utf8))
    }

    static func iso(_ date: Date) -> String {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        return UTCTimestamp.iso8601(t)
    }
}
