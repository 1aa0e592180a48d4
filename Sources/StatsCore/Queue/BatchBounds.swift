/// When the aggregator's open batch is committed, and how many queue items it asks for next.
///
/// A batch closes at whichever bound it reaches first: rows (what a commit's cost follows),
/// queue items, or age since its first item was taken. A queue item holds one transaction (a
/// producer's JSON) or hundreds (an importer batch), so a take asks for about the rows still
/// missing divided by the rows per item seen so far: one commit carries thousands of JSON
/// transactions as it carries a few importer batches.
public struct BatchBounds: Sendable {
    public let rows: Int
    public let items: Int
    public let age: Duration
    /// Recent rows per queue item; the first guess is an importer batch's size, so that the
    /// first take of a worker is small whatever the queue holds.
    public private(set) var rowsPerItem: Double = 512

    public init(rows: Int, items: Int, age: Duration) {
        precondition(rows >= 1 && items >= 1)
        self.rows = rows
        self.items = items
        self.age = age
    }

    /// Folds in what a take held (a moving average: producers change, the estimate follows).
    public mutating func observe(items taken: Int, rows parsed: Int) {
        guard taken > 0 else { return }
        let seen = max(1, Double(parsed) / Double(taken))
        rowsPerItem = rowsPerItem * 0.5 + seen * 0.5
    }

    /// Items to ask for, given the open batch (rows parsed, items taken) and the items taken
    /// but not parsed yet. When those will fill the open batch, the take is the next batch's.
    public func takeCount(openRows: Int, openItems: Int, unparsedItems: Int) -> Int {
        let expectedRows = Double(openRows) + Double(unparsedItems) * rowsPerItem
        let itemsHeld = openItems + unparsedItems
        var wantRows = Double(rows)
        var itemRoom = items
        if expectedRows < Double(rows) && itemsHeld < items {
            wantRows -= expectedRows
            itemRoom -= itemsHeld
        }
        let n = (wantRows / rowsPerItem).rounded(.up)
        return max(1, min(itemRoom, n >= Double(items) ? items : Int(n)))
    }

    /// True when a batch of `rowsHeld` rows in `itemsHeld` items, open since `openedAt`, is due.
    public func isDue(rows rowsHeld: Int, items itemsHeld: Int, openedAt: ContinuousClock.Instant, now: ContinuousClock.Instant) -> Bool {
        rowsHeld >= rows || itemsHeld >= items || now - openedAt >= age
    }
}
