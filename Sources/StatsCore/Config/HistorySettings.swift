import ArgumentParser
import Foundation

/// Where history lives and when days move there: shared by the dumper and the api.
public struct HistorySettings: Sendable {
    public var mongoURI: String
    public var database: String
    /// Days before today (in the business zone) minus this many are served from MongoDB and
    /// removed from Redis once MongoDB holds them.
    public var cutoffDays: Int
    /// Fixed "today", for tests and reproducible demos; nil means the clock.
    public var today: CivilDay?

    public static let collection = "DailyAggregates"

    public init(mongoURI: String = "mongodb://127.0.0.1:27017", database: String = "TransactionsDb", cutoffDays: Int = 7, today: CivilDay? = nil) {
        self.mongoURI = mongoURI
        self.database = database
        self.cutoffDays = cutoffDays
        self.today = today
    }

    /// Today in the business zone, or the fixed day.
    public func today(calendar: inout BusinessCalendar) -> CivilDay {
        today ?? calendar.bucket(epochSeconds: Int64(Date().timeIntervalSince1970)).day
    }

    /// The first day still served from Redis.
    public func cutoffDay(calendar: inout BusinessCalendar) -> CivilDay {
        today(calendar: &calendar).adding(days: -cutoffDays)
    }
}

public struct HistoryOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("mongodb-uri"), help: "MongoDB connection string; auth and options as usual (env MONGODB_URI, default mongodb://127.0.0.1:27017).")
    public var mongoURI: String?

    @Option(name: .customLong("mongodb-database"), help: "Database name (env MONGODB_DATABASE, default TransactionsDb).")
    public var database: String?

    @Option(name: .customLong("cutoff-days"), help: "Days kept in Redis before they are served from MongoDB (env TXSTATS_CUTOFF_DAYS, default 7).")
    public var cutoffDays: String?

    @Option(name: .customLong("today"), help: "Pretend today is this date, YYYY-MM-DD (env TXSTATS_TODAY; for tests and demos).")
    public var today: String?

    public init() {}

    public func resolve(environment: [String: String] = ProcessEnvironment.current) throws -> HistorySettings {
        HistorySettings(
            mongoURI: try Setting<String>(flag: "mongodb-uri", variable: "MONGODB_URI", expectation: "a mongodb:// or mongodb+srv:// URI") {
                $0.hasPrefix("mongodb://") || $0.hasPrefix("mongodb+srv://") ? $0 : nil
            }.resolve(flag: mongoURI, default: "mongodb://127.0.0.1:27017", environment: environment),
            database: try Setting<String>.text(flag: "mongodb-database", variable: "MONGODB_DATABASE")
                .resolve(flag: database, default: "TransactionsDb", environment: environment),
            cutoffDays: try Setting<Int>.integer(flag: "cutoff-days", variable: "TXSTATS_CUTOFF_DAYS", range: 0...36_600)
                .resolve(flag: cutoffDays, default: 7, environment: environment),
            today: try Setting<CivilDay?>(flag: "today", variable: "TXSTATS_TODAY", expectation: "a date YYYY-MM-DD") {
                CivilDay.parse($0)
            }.resolve(flag: today, default: nil, environment: environment))
    }
}
