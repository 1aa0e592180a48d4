/// Decodes a queue item of either format into parsed rows; rejects go to `reject` with the raw
/// text of the offending row (or of the whole item when it cannot be read at all).
public protocol QueueItemSink {
    mutating func row(_ row: TransactionParser.Row)
    mutating func reject(_ reason: RejectReason, raw: String)
}
