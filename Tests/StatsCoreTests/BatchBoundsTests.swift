import Testing

@testable import StatsCore

@Suite("Batch bounds")
struct BatchBoundsTests {
    @Test("a take asks for the rows still missing, in items of the size seen so far")
    func takeFollowsRowsPerItem() {
        var bounds = BatchBounds(rows: 8192, items: 100_000, age: .milliseconds(50))
        // The first guess is an importer batch: a first take is small whatever the queue holds.
        #expect(bounds.takeCount(openRows: 0, openItems: 0, unparsedItems: 0) == 16)
        // One-transaction JSON items: the estimate converges and a take becomes a batch's worth.
        for _ in 0..<40 { bounds.observe(items: 100, rows: 100) }
        #expect(bounds.rowsPerItem < 1.001)
        #expect(bounds.takeCount(openRows: 0, openItems: 0, unparsedItems: 0) == 8192)
        // Part of the batch is in hand: only the rest is asked for.
        #expect(bounds.takeCount(openRows: 6000, openItems: 6000, unparsedItems: 2000) == 192)
        // What is in hand fills the batch: the take is the next batch's, whole.
        #expect(bounds.takeCount(openRows: 6000, openItems: 6000, unparsedItems: 2192) == 8192)
        // Importer batches of 500 rows.
        for _ in 0..<40 { bounds.observe(items: 4, rows: 2000) }
        #expect(bounds.takeCount(openRows: 0, openItems: 0, unparsedItems: 0) == 17)
    }

    @Test("the item bound caps a take and an empty parse does not move the estimate")
    func itemBound() {
        var bounds = BatchBounds(rows: 100_000, items: 3, age: .seconds(1))
        for _ in 0..<20 { bounds.observe(items: 10, rows: 10) }
        bounds.observe(items: 0, rows: 0)
        #expect(bounds.takeCount(openRows: 0, openItems: 0, unparsedItems: 0) == 3)
        #expect(bounds.takeCount(openRows: 2, openItems: 2, unparsedItems: 0) == 1)
        #expect(bounds.takeCount(openRows: 2, openItems: 2, unparsedItems: 1) == 3)
        // Items that hold no rows (all dead letters) count as one row each.
        bounds.observe(items: 10, rows: 0)
        #expect(bounds.rowsPerItem >= 1)
    }

    @Test("a batch is due at its first bound: rows, items or age")
    func due() {
        let bounds = BatchBounds(rows: 100, items: 10, age: .milliseconds(50))
        let t0 = ContinuousClock.now
        #expect(!bounds.isDue(rows: 99, items: 9, openedAt: t0, now: t0 + .milliseconds(49)))
        #expect(bounds.isDue(rows: 100, items: 1, openedAt: t0, now: t0))
        #expect(bounds.isDue(rows: 1, items: 10, openedAt: t0, now: t0))
        #expect(bounds.isDue(rows: 1, items: 1, openedAt: t0, now: t0 + .milliseconds(50)))
    }
}
