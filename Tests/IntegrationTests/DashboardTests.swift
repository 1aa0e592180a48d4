import Foundation
import StatsCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The dashboard at `GET /`, loaded by headless Chromium from a real api over a real fleet:
/// what its scripts drew (read from the dumped DOM) must be the API's exact numbers, with no
/// script error; and two screenshots are kept for people to look at.
@Suite("Dashboard: the page at GET / in headless Chromium", .serialized)
struct DashboardTests {
    /// `TXSTATS_ARTIFACTS`, or `artifacts/` at the package root (found from this file's path).
    static var artifacts: URL {
        if let dir = ProcessInfo.processInfo.environment["TXSTATS_ARTIFACTS"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent("artifacts", isDirectory: true)
    }

    func cents(_ text: String?) -> Int64? {
        guard let text, case .success(let c) = DecimalAmount.parseMinor(text, scale: 2) else { return nil }
        return c
    }

    @Test(
        "renders the three charts over a range across the cut-off, exact to the cent and without script errors; screenshots at 1280×800 and phone width"
    )
    func rendersExactCharts() throws {
        let browser = try HeadlessBrowser.find() // no Chromium: a failure that says how to get it
        let fleet = try Fleet(today: "2026-01-20", cutoffDays: 7) // Redis keeps 2026-01-13 on
        defer { fleet.stop() }
        let csv = try sampleCSV(rows: 20_000, days: 20, seed: 2026, withStatus: true, start: "2026-01-01")
        try fleet.importAndAggregate(csv)
        try fleet.dumpOnce()
        let redis = fleet.redis.connection()
        #expect(try redis.run("SCARD", "{TransactionQueue}:archived").int == 12, "days before the cut-off live in MongoDB only")
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }
        let url = "http://127.0.0.1:\(port)/"

        // One self-contained page: nothing fetched from elsewhere.
        let page = try LoopbackHTTP.get(port: port, "/")
        #expect(page.status == 200)
        #expect(page.body.contains("<title>txstats</title>"))
        for outside in ["<script src", "<link rel=\"stylesheet\"", "@import", "@font-face", "https://", "url(http"] {
            #expect(!page.body.contains(outside), "the page must not load \(outside)…")
        }
        #expect(
            page.body.components(separatedBy: "http://").count - 1 == page.body.components(separatedBy: "http://www.w3.org/2000/svg").count
                - 1,
            "the only http:// is the SVG namespace")

        // The DOM after the scripts ran (the default range: the 14 days ending at the server's today).
        let dom = try browser.dumpDOM(url, windowSize: (1280, 800))
        let body = try #require(DOM.elements(dom[...]).first { $0.name == "body" }, "no <body> in the dumped DOM")
        #expect(body["data-errors"] == "0", "script errors on the page")
        // The currency picker lists what /api/v1/currencies reports; the URL keeps the choice.
        let options = DOM.elements(dom[...]).filter { $0.name == "option" }.compactMap { $0["value"] }
        #expect(options.contains("USD"), "the currency picker offers USD: \(options)")
        try #require(body["data-ready"] == "1", "the charts did not all render: \(DOM.text(dom).prefix(1500))")
        #expect(body["data-overflow-x"] == "0")

        var drawn: [String: [DOM.Element]] = [:]
        for name in ["daily", "hourly", "compare"] {
            let svg = try #require(DOM.chart(name, in: dom), "no <svg data-chart=\"\(name)\">")
            let bars = DOM.elements(svg).filter { $0["data-value"] != nil }
            #expect(!bars.isEmpty, "\(name): nothing drawn")
            #expect(bars.contains { (cents($0["data-value"]) ?? 0) > 0 }, "\(name): no non-zero value drawn")
            #expect(bars.allSatisfy { cents($0["data-value"]) != nil }, "\(name): every data-value is an exact amount or count")
            drawn[name] = bars
        }

        // Daily chart: for each day of 2026-01-07…2026-01-20 and each method, the drawn deposit
        // amount is /stats's, digit for digit; the first six days come from MongoDB.
        let statsBody = try LoopbackHTTP.get(port: port, "/stats?from_date=2026-01-07&to_date=2026-01-20")
        #expect(statsBody.status == 200)
        let stats = try statsCents(statsBody.body)
        #expect(stats == (try expectedStats([csv])).filter { $0.key >= "2026-01-07" }, "the API itself is exact")
        var daily: [String: [String: Int64]] = [:]
        for bar in drawn["daily"] ?? [] {
            let day = try #require(bar["data-day"])
            let method = try #require(bar["data-method"])
            #expect(bar["data-type"] == "deposits", "deposits are shown first")
            #expect(daily[day]?[method] == nil, "\(day) \(method) drawn twice")
            daily[day, default: [:]][method] = cents(bar["data-value"])
        }
        let expectedDaily = stats.compactMapValues { $0["deposits"]?.filter { $0.value != 0 } }.filter { !$0.value.isEmpty }
        #expect(daily.keys.sorted() == (0..<14).map { "2026-01-\(String(format: "%02d", 7 + $0))" })
        #expect(daily == expectedDaily)
        for day in ["2026-01-08", "2026-01-20"] { // one from MongoDB, one from Redis
            let visa = try #require(stats[day]?["deposits"]?["visa"], "no visa deposits on \(day)")
            #expect(daily[day]?["visa"] == visa, "\(day) visa: drawn \(daily[day]?["visa"] ?? -1), /stats \(visa)")
        }

        // Hourly chart: the last day, deposit counts by status; they add up to the day's total.
        let hourly = drawn["hourly"] ?? []
        #expect(Set(hourly.compactMap { $0["data-status"] }).isSubset(of: ["success", "failed", "pending"]))
        #expect(hourly.allSatisfy { $0["data-measure"] == "count" && $0["data-type"] == "deposits" })
        let dayAnswer = try LoopbackHTTP.get(port: port, "/api/v1/stats/daily?date=2026-01-20")
        let dayJSON = try #require(dayAnswer.json as? [String: Any])
        let dayCount = try #require(((dayJSON["transactions"] as? [String: Any])?["total"] as? [String: Any])?["count"] as? Int)
        #expect(hourly.reduce(0) { $0 + (Int($1["data-value"] ?? "") ?? 0) } == dayCount)

        // Compare chart: every method, current and previous period.
        let compare = drawn["compare"] ?? []
        let methods = Set(SampleGenerator.methods)
        #expect(Set(compare.filter { $0["data-period"] == "current" }.compactMap { $0["data-method"] }) == methods)
        #expect(Set(compare.filter { $0["data-period"] == "previous" }.compactMap { $0["data-method"] }) == methods)

        // Narrow: no horizontal scrolling. (Headless Chromium lays a window out no narrower than
        // 500 px; the 390 px screenshot below is taken after the page re-laid itself out.)
        let narrow = try browser.dumpDOM(url, windowSize: (390, 844))
        let narrowBody = try #require(DOM.elements(narrow[...]).first { $0.name == "body" })
        #expect(narrowBody["data-ready"] == "1")
        #expect(narrowBody["data-errors"] == "0")
        #expect(narrowBody["data-overflow-x"] == "0", "wider than a \(narrowBody["data-viewport"] ?? "?") px window")

        // Screenshots, for people.
        let dir = Self.artifacts
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, width, height) in [("dashboard-1280x800.png", 1280, 800), ("dashboard-phone.png", 390, 844)] {
            let path = dir.appendingPathComponent(file).path
            try browser.screenshot(url, to: path, width: width, height: height)
            let png = try PNGInfo(path: path)
            #expect(png.bytes > 10_000, "\(path): \(png.bytes) bytes is too small for a rendered dashboard")
            #expect(png.width == width && png.height == height, "\(path): \(png.width)×\(png.height)")
        }
    }

    @Test("an API error is shown with its detail, not as a script error")
    func showsAPIErrors() throws {
        let browser = try HeadlessBrowser.find()
        let fleet = try Fleet(today: "2026-01-20")
        defer { fleet.stop() }
        let (api, port) = try fleet.startAPI()
        defer { api.signal(SIGTERM) }

        // A range that ends before it starts: the api answers 400 with a detail.
        let dom = try browser.dumpDOM("http://127.0.0.1:\(port)/?from=2026-01-20&to=2026-01-01", windowSize: (1280, 800))
        let body = try #require(DOM.elements(dom[...]).first { $0.name == "body" })
        #expect(body["data-errors"] == "0", "a failed request is not a script error")
        #expect(body["data-ready"] == "0", "not ready while a chart failed")
        let alerts = DOM.elements(dom[...]).filter { $0["role"] == "alert" }
        #expect(!alerts.isEmpty)
        let text = DOM.text(dom)
        #expect(text.contains("is after"), "the API's detail is shown: \(text.prefix(1500))")

        // The other two charts do not depend on the range and still render (empty).
        #expect(DOM.chart("hourly", in: dom) != nil)
        #expect(DOM.chart("compare", in: dom) != nil)
        #expect(text.contains("No deposits on this day"))
    }
}
