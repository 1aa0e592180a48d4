import StatsCore

/// Where history lives and when days move there (dumper and api), each declared once.
public enum HistorySetting {
    public static let mongoURI = Setting<String>(
        flag: "mongodb-uri", variable: "MONGODB_URI", default: "mongodb://127.0.0.1:27017",
        defaultText: "mongodb://127.0.0.1:27017",
        summary: "MongoDB connection string; credentials and options in the URI as usual",
        expectation: "a mongodb:// or mongodb+srv:// URI"
    ) { $0.hasPrefix("mongodb://") || $0.hasPrefix("mongodb+srv://") ? $0 : nil }

    public static let database = Setting<String>.name(
        flag: "mongodb-database", variable: "MONGODB_DATABASE", default: "TransactionsDb",
        summary: "Database of DailyAggregates")

    public static let cutoffDays = Setting<Int>.integer(
        flag: "cutoff-days", variable: "TXSTATS_CUTOFF_DAYS", default: 7, range: 0...36_600,
        summary: "Days kept in Redis before they are served from MongoDB")

    public static let today = Setting<CivilDay?>(
        flag: "today", variable: "TXSTATS_TODAY", default: nil, defaultText: "the clock",
        summary: "Pretend today is this date, YYYY-MM-DD (tests and demos)",
        expectation: "a date YYYY-MM-DD"
    ) { CivilDay.parse($0) }
}
