/// An instant as `YYYY-MM-DDTHH:MM:SSZ`: dead letters, logs, alerts.
public enum UTCTimestamp {
    public static func iso8601(_ epoch: Int64) -> String {
        let days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400
        let secs = Int(epoch - days * 86400)
        let day = CivilDay(daysSinceEpoch: Int32(clamping: days))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(day)T\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60))Z"
    }
}
