@testable import StatsCore

extension Currency {
    static let usd = Currency(code: "USD")!
    static let jpy = Currency(code: "JPY")!
    static let kwd = Currency(code: "KWD")!
}
