/// Removes passwords from every `scheme://userinfo@` in a text: `user:password@` becomes
/// `user:***@`, and for Redis, whose short form `redis://secret@host` is a password alone, the
/// whole user info goes. The user info runs to the last `@` before white space or a quote, so a
/// password containing `/`, `,` or `@` does not escape. Used for every log field and for the
/// URLs in configuration errors.
public enum LogRedaction {
    public static func redact(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            let name = rest[..<scheme.lowerBound].reversed().prefix { $0.isLetter || $0.isNumber || "+.-".contains($0) }
            let isRedis = ["sider", "ssider"].contains(String(name).lowercased()) // reversed "redis", "rediss"
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let end = rest.firstIndex { $0 == " " || $0 == "\"" || $0 == "\n" || $0 == "\t" } ?? rest.endIndex
            guard let at = rest[..<end].lastIndex(of: "@") else { continue }
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                out += userInfo[..<colon] + ":***"
            } else {
                out += isRedis ? "***" : userInfo
            }
            rest = rest[at...]
        }
        return out + rest
    }
}
