/// Decodes a queue item of either format into parsed rows; rejects go to `reject` with the raw
/// text of the offending row (or of the whole item when it cannot be read at all).
public protocol QueueItemSink {
    /// A parsed row; `span` is where its text lies in the queue item (the whole item for a JSON
    /// object, the row's line in a TXB batch), for a dead letter the ledger may still write.
    mutating func row(_ row: TransactionParser.Row, span: Range<Int>)
    mutating func reject(_ reason: RejectReason, raw: String)
}
