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

    public init(mongoURI: String, database: String, cutoffDays: Int, today: CivilDay?) {
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
