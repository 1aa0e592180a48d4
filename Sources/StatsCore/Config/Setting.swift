#if canImport(Glibc)
import Glibc
#endif

/// Resolves one setting: the command-line flag wins, then the environment variable, then the
/// default. Parsing failures name both the flag and the variable.
public struct Setting<Value: Sendable>: Sendable {
    public let flag: String
    public let variable: String
    public let parse: @Sendable (String) -> Value?
    public let expectation: String

    public init(flag: String, variable: String, expectation: String, parse: @escaping @Sendable (String) -> Value?) {
        self.flag = flag
        self.variable = variable
        self.expectation = expectation
        self.parse = parse
    }

    public var name: String { "\(variable) (--\(flag))" }

    public func resolve(flag flagValue: String?, default defaultValue: Value,
                        environment: [String: String] = ProcessEnvironment.current) throws -> Value {
        let (raw, from): (String?, String) =
            if let flagValue { (flagValue, "--\(flag)") }
            else if let env = environment[variable], !env.isEmpty { (env, variable) }
            else { (nil, "") }
        guard let raw else { return defaultValue }
        guard let value = parse(raw) else {
            throw ConfigError(setting: name, problem: "\(from) is \"\(Self.redactIfURL(raw))\"; expected \(expectation)")
        }
        return value
    }

    private static func redactIfURL(_ s: String) -> String {
        LogRedaction.redact(s)
    }
}

extension Setting where Value == Int {
    public static func integer(flag: String, variable: String, range: ClosedRange<Int>) -> Self {
        Setting(flag: flag, variable: variable, expectation: "a whole number in \(range.lowerBound)...\(range.upperBound)") {
            guard let v = Int($0.trimmingSpaces), range.contains(v) else { return nil }
            return v
        }
    }
}

extension Setting where Value == Double {
    public static func seconds(flag: String, variable: String, range: ClosedRange<Double>) -> Self {
        Setting(flag: flag, variable: variable, expectation: "seconds in \(range.lowerBound)...\(range.upperBound)") {
            guard let v = Double($0.trimmingSpaces), range.contains(v) else { return nil }
            return v
        }
    }
}

extension Setting where Value == String {
    public static func text(flag: String, variable: String, expectation: String = "a non-empty name without spaces or braces") -> Self {
        Setting(flag: flag, variable: variable, expectation: expectation) {
            let t = $0.trimmingSpaces
            let forbidden: Set<Character> = [" ", "\t", "{", "}", "\n", "\r"]
            return t.isEmpty || t.contains(where: forbidden.contains) ? nil : t
        }
    }
}

/// The process environment as a dictionary, read once.
public enum ProcessEnvironment {
    public static let current: [String: String] = {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                result[String(s[..<eq])] = String(s[s.index(after: eq)...])
            }
            p += 1
        }
        return result
    }()
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
