import ArgumentParser
import Configuration
import Redis
import StatsCore

/// One setting, declared once: its flag, its environment variable, its default, how its text is
/// validated, and its help line. Executables bind the flag with
/// `@Option(name: S.argumentName, help: S.help) var x: String?` and resolve it with
/// ``resolve(flag:environment:)``; nothing about a setting is written twice.
///
/// Values are looked up through swift-configuration: the flag (an in-memory provider) wins over
/// the environment (`EnvironmentVariablesProvider`, whose key encoding maps the key
/// `txstats.batch.rows` to `TXSTATS_BATCH_ROWS`), then the default applies. An empty variable
/// counts as unset. A value that does not parse names the setting and where it came from.
public struct Setting<Value: Sendable>: Sendable {
    /// nil for settings read from the environment only (secrets, operations knobs).
    public let flag: String?
    public let variable: String
    public let defaultValue: Value
    /// The default as the help shows it.
    public let defaultText: String
    public let summary: String
    /// What a valid value looks like, for error messages.
    public let expectation: String
    /// Secrets are redacted by swift-configuration's access reporting and never echoed.
    public let isSecret: Bool
    let parse: @Sendable (String) -> Value?

    public init(
        flag: String?, variable: String, default defaultValue: Value, defaultText: String,
        summary: String, expectation: String, isSecret: Bool = false,
        parse: @escaping @Sendable (String) -> Value?
    ) {
        self.flag = flag
        self.variable = variable
        self.defaultValue = defaultValue
        self.defaultText = defaultText
        self.summary = summary
        self.expectation = expectation
        self.isSecret = isSecret
        self.parse = parse
    }

    /// How error messages name the setting.
    public var name: String { flag.map { "\(variable) (--\($0))" } ?? variable }

    /// The flag's name for `@Option(name:)`; only settings that have a flag are bound.
    public var argumentName: NameSpecification { .customLong(flag ?? variable.lowercased()) }

    public var help: ArgumentHelp { ArgumentHelp("\(summary) (env \(variable), default \(defaultText)).") }

    /// The swift-configuration key whose environment encoding is ``variable``.
    var configKey: ConfigKey { ConfigKey(variable.lowercased().split(separator: "_").map(String.init)) }

    /// The flag's value if given, else the environment's, else the default.
    public func resolve(flag flagValue: String?, environment: [String: String] = ProcessEnvironment.current) throws
        -> Value
    {
        let key = configKey
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let flagValue { flags[AbsoluteConfigKey(key)] = ConfigValue(.string(flagValue), isSecret: isSecret) }
        let reader = ConfigReader(providers: [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(environmentVariables: environment.filter { !$0.value.isEmpty }),
        ])
        guard let raw = reader.string(forKey: key, isSecret: isSecret) else { return defaultValue }
        guard let value = parse(raw) else {
            let source = flagValue != nil ? "--\(flag ?? variable)" : variable
            let shown = isSecret ? "(secret)" : "\"\(LogRedaction.redact(raw))\""
            throw ConfigError(setting: name, problem: "\(source) is \(shown); expected \(expectation)")
        }
        return value
    }
}

extension Setting where Value == Int {
    /// A whole number within `range`.
    public static func integer(
        flag: String?, variable: String, default defaultValue: Int, range: ClosedRange<Int>, summary: String,
        defaultText: String? = nil
    ) -> Self {
        Setting(
            flag: flag, variable: variable, default: defaultValue, defaultText: defaultText ?? "\(defaultValue)",
            summary: summary, expectation: "a whole number in \(range.lowerBound)...\(range.upperBound)"
        ) {
            guard let v = Int($0.trimmingASCIISpaces), range.contains(v) else { return nil }
            return v
        }
    }
}

extension Setting where Value == Double {
    /// A number of seconds within `range`.
    public static func seconds(
        flag: String?, variable: String, default defaultValue: Double, range: ClosedRange<Double>, summary: String
    ) -> Self {
        Setting(
            flag: flag, variable: variable, default: defaultValue, defaultText: "\(defaultValue.formattedSetting)",
            summary: summary, expectation: "seconds in \(range.lowerBound.formattedSetting)...\(range.upperBound.formattedSetting)"
        ) {
            guard let v = Double($0.trimmingASCIISpaces), v.isFinite, range.contains(v) else { return nil }
            return v
        }
    }
}

extension Setting where Value == String {
    /// A non-empty name without spaces or braces (queue names, worker ids, zones).
    public static func name(
        flag: String?, variable: String, default defaultValue: String, summary: String,
        expectation: String = "a non-empty name without spaces or braces", defaultText: String? = nil
    ) -> Self {
        Setting(
            flag: flag, variable: variable, default: defaultValue, defaultText: defaultText ?? defaultValue,
            summary: summary, expectation: expectation
        ) { plainName($0) }
    }

    /// A name usable in a key or a hash tag: trimmed, non-empty, no spaces or braces.
    public static func plainName(_ text: String) -> String? {
        let t = text.trimmingASCIISpaces
        let forbidden: Set<Character> = [" ", "\t", "{", "}", "\n", "\r"]
        return t.isEmpty || t.contains(where: forbidden.contains) ? nil : t
    }
}

extension Double {
    /// `15` rather than `15.0` in help and messages.
    fileprivate var formattedSetting: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
