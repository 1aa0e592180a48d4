/// How far an import source has been queued: stored in the `{queue}:imports` hash and moved
/// forward in the same atomic step as each batch it covers.
///
/// `line` is the start line of the last row consumed (queued or dead-lettered); `hash` is a
/// fingerprint of every record up to it, so a re-run can tell that the file it skips is the
/// file that was imported; `generation` grows with every deliberate `--restart`.
public struct ImportMarker: Sendable, Equatable, CustomStringConvertible {
    public var generation: Int
    public var line: Int
    public var queued: Int
    public var rejected: Int
    public var hash: String

    public init(generation: Int = 0, line: Int = 0, queued: Int = 0, rejected: Int = 0, hash: String = "") {
        self.generation = generation
        self.line = line
        self.queued = queued
        self.rejected = rejected
        self.hash = hash
    }

    public var description: String { "g=\(generation);line=\(line);queued=\(queued);rejected=\(rejected);hash=\(hash)" }

    public init?(parsing text: String) {
        var values: [Substring: Substring] = [:]
        for part in text.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { values[kv[0]] = kv[1] }
        }
        guard let g = values["g"].flatMap({ Int($0) }), let l = values["line"].flatMap({ Int($0) }),
            let q = values["queued"].flatMap({ Int($0) }), let r = values["rejected"].flatMap({ Int($0) }),
            let h = values["hash"]
        else { return nil }
        self.init(generation: g, line: l, queued: q, rejected: r, hash: String(h))
    }
}
