import Foundation
import StatsCore

/// A seeded, realistic stream of payment events for the ledger tests: every payment is created
/// `pending` and settled `success` or `failed`; some successes are corrected later (another
/// amount, a later updated_at); ~15% of events are sent again exactly; events arrive out of order
/// within a window, so that settled-before-pending (stale) happens; four currencies with
/// exponents 0, 2, 2, 3; several methods, both types, timestamps over several days.
///
/// Payments come in three kinds: every event with `updated_at`, none (arrival order decides),
/// and mixed (the pending event without, the settlement and correction with).
///
/// A few conflicting events are made as well: a known id with another payment method, and a
/// known id's latest event with the other settled status and the same `updated_at`. They come
/// after all the events of their payment (inline, or as a separate list).
struct LedgerStream {
    struct Options {
        var payments = 3_000
        var seed: UInt64 = 1
        /// First day (days since 1970, UTC) and how many days the timestamps cover.
        var firstDay: Int64
        var days = 5
        /// Share of payments whose events all carry updated_at, and of those with none; the
        /// rest is mixed. 1, 0 makes the stream order-independent except for its conflicts.
        var allUpdated = 0.6
        var noneUpdated = 0.25
        var resendShare = 0.15
        var correctionShare = 0.12
        var failedShare = 0.2
        var methodConflicts = 6
        var equalUpdatedConflicts = 4
        /// Conflicting events inside the stream (true) or only in ``conflicts`` (false).
        var inlineConflicts = true
        var idPrefix = "pay"
    }

    static let currencies: [(code: String, exponent: Int)] = [("JPY", 0), ("USD", 2), ("EUR", 2), ("KWD", 3)]
    static let methods = ["visa", "mastercard", "paypal", "crypto", "wire", "apple_pay"]

    /// The events in queue order (the order producers push them, oldest first).
    private(set) var events: [PaymentEvent] = []
    /// The conflicting events (also in ``events`` when inline).
    private(set) var conflicts: [PaymentEvent] = []
    /// Events that repeat an earlier event of the stream exactly.
    private(set) var exactResends = 0
    /// Of those, the ones that repeat the latest earlier event of their id (nothing else of
    /// that id came in between).
    private(set) var resendsOfLatest = 0
    let options: Options

    init(_ options: Options) {
        self.options = options
        var rng = SplitMix64(seed: options.seed)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        func int(_ r: ClosedRange<Int64>) -> Int64 { r.lowerBound + Int64(rng.next() % UInt64(r.upperBound - r.lowerBound + 1)) }

        var keyed: [(key: Double, seq: Int, event: PaymentEvent)] = []
        var conflictKeyed: [(key: Double, seq: Int, event: PaymentEvent)] = []
        var seq = 0
        func put(_ key: Double, _ e: PaymentEvent, conflict: Bool = false) {
            seq += 1
            if conflict { conflictKeyed.append((key, seq, e)) } else { keyed.append((key, seq, e)) }
        }
        var payments: [(events: [(Double, PaymentEvent)], kind: Int)] = []
        for i in 0..<options.payments {
            let cur = Self.currencies[Int(rng.next() % 4)]
            let ts = options.firstDay * 86_400 + int(0...Int64(options.days) * 86_400 - 1)
            let amount: Int64
            if rng.next() % 100 == 0 {
                amount = int(1_000_000_000...900_000_000_000) // beyond 10^9: the script's two halves
            } else {
                amount = cur.exponent == 0 ? int(100...500_000) : cur.exponent == 2 ? int(100...500_000) : int(100...2_000_000)
            }
            let r = unit()
            let kind = r < options.allUpdated ? 0 : r < options.allUpdated + options.noneUpdated ? 1 : 2
            let created = ts * 1000 + int(0...999)
            let u0 = created
            let u1 = u0 + int(500...600_000)
            let u2 = u1 + int(1_000...3_600_000)
            let base = PaymentEvent(
                id: "\(options.idPrefix)-\(options.seed)-\(i)", epochSeconds: ts, deposit: rng.next() % 3 != 0,
                method: Self.methods[Int(rng.next() % UInt64(Self.methods.count))], currency: cur.code, exponent: cur.exponent,
                status: "pending", amountMinor: amount, updatedMillis: kind == 0 ? u0 : nil)
            var settled = base
            settled.status = unit() < options.failedShare ? "failed" : "success"
            settled.updatedMillis = kind == 1 ? nil : u1
            let nominal = Double(i)
            var evs: [(Double, PaymentEvent)] = [(nominal + unit() * 40, base)]
            let gap = 1 + unit() * 30
            evs.append((nominal + gap + unit() * 40, settled))
            if settled.status == "success" && unit() < options.correctionShare {
                var corrected = settled
                corrected.amountMinor = max(1, amount + int(-amount / 2...amount / 2))
                if corrected.amountMinor == amount { corrected.amountMinor += 1 }
                corrected.updatedMillis = kind == 1 ? nil : u2
                evs.append((nominal + gap + 5 + unit() * 60, corrected))
            }
            payments.append((evs, kind))
        }
        // Exact resends: a copy of one event, a little later.
        var resends: [(Double, PaymentEvent)] = []
        let total = payments.reduce(0) { $0 + $1.events.count }
        let wanted = Int(Double(total) * options.resendShare / (1 - options.resendShare))
        for _ in 0..<wanted {
            let p = payments[Int(rng.next() % UInt64(payments.count))]
            let (k, e) = p.events[Int(rng.next() % UInt64(p.events.count))]
            resends.append((k + 1 + unit() * 80, e))
        }
        for p in payments { for (k, e) in p.events { put(k, e) } }
        for (k, e) in resends { put(k, e) }
        // Conflicts, after every event (resends included) of their payment.
        var used = Set<Int>()
        func pick(kind: Int?) -> Int {
            while true {
                let i = Int(rng.next() % UInt64(payments.count))
                if !used.contains(i) && (kind == nil || payments[i].kind == kind!) {
                    used.insert(i)
                    return i
                }
            }
        }
        for _ in 0..<options.methodConflicts {
            let i = pick(kind: nil)
            var e = payments[i].events.last!.1
            e.method = Self.methods[(Self.methods.firstIndex(of: e.method)! + 1) % Self.methods.count]
            if let u = e.updatedMillis { e.updatedMillis = u + 10_000 }
            put(Double(i) + 200 + unit() * 10, e, conflict: true)
        }
        for _ in 0..<options.equalUpdatedConflicts where options.allUpdated > 0 {
            let i = pick(kind: 0)
            var e = payments[i].events.max { $0.1.updatedMillis! < $1.1.updatedMillis! }!.1
            e.status = e.status == "success" ? "failed" : "success"
            put(Double(i) + 200 + unit() * 10, e, conflict: true)
        }
        func ordered(_ list: [(key: Double, seq: Int, event: PaymentEvent)]) -> [PaymentEvent] {
            list.sorted { $0.key != $1.key ? $0.key < $1.key : $0.seq < $1.seq }.map(\.event)
        }
        conflicts = ordered(conflictKeyed)
        events = ordered(options.inlineConflicts ? keyed + conflictKeyed : keyed)
        var seen = Set<PaymentEvent>()
        var latest: [String: PaymentEvent] = [:]
        for e in events {
            if !seen.insert(e).inserted { exactResends += 1 }
            if let id = e.id {
                if latest[id] == e { resendsOfLatest += 1 }
                latest[id] = e
            }
        }
    }

    // MARK: text

    static func amountText(_ minor: Int64, exponent: Int) -> String {
        guard exponent > 0 else { return String(minor) }
        var p: Int64 = 1
        for _ in 0..<exponent { p *= 10 }
        let frac = String(minor % p)
        return "\(minor / p).\(String(repeating: "0", count: exponent - frac.count))\(frac)"
    }

    static func timestampText(_ epochSeconds: Int64) -> String {
        let s = epochSeconds - LedgerModel.day(epochSeconds) * 86_400
        return LedgerModel.dayName(epochSeconds) + String(format: "T%02d:%02d:%02dZ", Int(s / 3600), Int(s % 3600 / 60), Int(s % 60))
    }

    static func updatedText(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let t = timestampText(seconds)
        return String(t.dropLast()) + String(format: ".%03dZ", Int(millis - seconds * 1000))
    }

    /// One JSON queue item; the same event always gives the same text (an exact resend).
    static func json(_ e: PaymentEvent) -> String {
        var fields = [
            "\"timestamp\":\"\(timestampText(e.epochSeconds))\"", "\"type\":\"\(e.deposit ? "deposit" : "withdrawal")\"",
            "\"payment_method\":\"\(e.method)\"", "\"amount\":\"\(amountText(e.amountMinor, exponent: e.exponent))\"",
            "\"status\":\"\(e.status)\"", "\"currency\":\"\(e.currency)\"",
        ]
        if let id = e.id { fields.insert("\"id\":\"\(id)\"", at: 0) }
        if let u = e.updatedMillis { fields.append("\"updated_at\":\"\(updatedText(u))\"") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static let csvHeader = "timestamp,type,payment_method,amount,status,id,updated_at,currency"

    static func csvRow(_ e: PaymentEvent) -> String {
        [
            timestampText(e.epochSeconds), e.deposit ? "deposit" : "withdrawal", e.method, amountText(e.amountMinor, exponent: e.exponent),
            e.status, e.id ?? "", e.updatedMillis.map(updatedText) ?? "", e.currency,
        ].joined(separator: ",")
    }

    static func csv(_ events: [PaymentEvent]) -> String {
        ([csvHeader] + events.map(csvRow)).joined(separator: "\n") + "\n"
    }

    /// Items without id: `count` distinct transactions, some of them sent twice (each item
    /// counts: without an id nothing can tell a resend from a second payment).
    static func withoutId(count: Int, firstDay: Int64, days: Int, seed: UInt64) -> [PaymentEvent] {
        var rng = SplitMix64(seed: seed)
        var out: [PaymentEvent] = []
        for _ in 0..<count {
            let cur = currencies[Int(rng.next() % 4)]
            let e = PaymentEvent(
                id: nil, epochSeconds: firstDay * 86_400 + Int64(rng.next() % UInt64(days * 86_400)), deposit: rng.next() % 2 == 0,
                method: methods[Int(rng.next() % UInt64(methods.count))], currency: cur.code, exponent: cur.exponent,
                status: ["success", "failed", "pending"][Int(rng.next() % 3)], amountMinor: 1 + Int64(rng.next() % 100_000),
                updatedMillis: nil)
            out.append(e)
            if rng.next() % 5 == 0 { out.append(e) }
        }
        return out
    }

    /// Mixes `other` into `events` at seeded positions, keeping both orders.
    static func interleave(_ events: [PaymentEvent], _ other: [PaymentEvent], seed: UInt64) -> [PaymentEvent] {
        var rng = SplitMix64(seed: seed)
        var out: [PaymentEvent] = []
        var i = 0
        var j = 0
        while i < events.count || j < other.count {
            let takeOther = j < other.count && (i == events.count || rng.next() % UInt64(events.count + other.count) < UInt64(other.count))
            if takeOther {
                out.append(other[j])
                j += 1
            } else {
                out.append(events[i])
                i += 1
            }
        }
        return out
    }
}
