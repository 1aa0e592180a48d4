import StatsCore

/// Receives decoded rows and rejects of one batch.
struct RowSink: QueueItemSink {
    var batch: BatchAccumulator
    var calendar: BusinessCalendar
    let worker: String

    mutating func row(_ row: TransactionParser.Row) {
        batch.add(row, calendar: &calendar)
    }

    mutating func reject(_ reason: RejectReason, raw: String) {
        batch.deadLetters.append(DeadLetter(stage: "aggregate", reason: reason, raw: raw, worker: worker).json)
    }
}
