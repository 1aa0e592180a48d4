import StatsCore

/// Receives decoded rows and rejects of one batch.
struct RowSink: QueueItemSink {
    var batch: BatchAccumulator
    var calendar: BusinessCalendar
    let worker: String
    /// Index in the batch (oldest first) of the queue item being decoded.
    var item = 0

    mutating func row(_ row: TransactionParser.Row, span: Range<Int>) {
        batch.add(row, calendar: &calendar, item: item, span: span)
    }

    mutating func reject(_ reason: RejectReason, raw: String) {
        batch.deadLetters.append(DeadLetter(stage: "aggregate", reason: reason, raw: raw, worker: worker).json)
    }
}
