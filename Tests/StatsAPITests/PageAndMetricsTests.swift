import Foundation
import HummingbirdTesting
import Testing

extension Routes {
    @Suite("GET / and /metrics")
    struct PageAndMetrics {
        /// The page as the files under Resources/dashboard/ make it: index.html with its
        /// stylesheet link and script tag replaced by the two files, inline.
        static func expectedPage() throws -> String {
            let html = try SourceTree.text("dashboard/index.html")
            let css = try SourceTree.text("dashboard/dashboard.css")
            let js = try SourceTree.text("dashboard/dashboard.js")
            let link = #"<link rel="stylesheet" href="dashboard.css">"#
            let script = #"<script src="dashboard.js"></script>"#
            #expect(html.components(separatedBy: link).count == 2, "index.html links dashboard.css once (so it also opens from disk)")
            #expect(html.components(separatedBy: script).count == 2, "index.html loads dashboard.js once")
            var page = html
            if page.last == "\n" { page.removeLast() }
            return page.replacingOccurrences(of: link, with: "<style>\n" + css + "</style>")
                .replacingOccurrences(of: script, with: "<script>\n" + js + "</script>")
        }

        @Test("GET /: the dashboard, one self-contained HTML page assembled from Resources/dashboard/")
        func dashboard() async throws {
            let expected = try Self.expectedPage()
            try await API.test { client in
                let a = try await client.call("/")
                #expect(a.status == 200)
                #expect(a.contentType == "text/html; charset=utf-8")
                #expect(a.body == expected, "the page is index.html with dashboard.css and dashboard.js inlined")
                #expect(a.body.hasPrefix("<!doctype html>\n<html lang=\"en\">"))
                #expect(a.body.hasSuffix("</script>\n</body>\n</html>"))
                #expect(a.body.contains("<title>txstats</title>"))
                // Nothing from elsewhere: works offline.
                for outside in ["<script src", "<link rel=\"stylesheet\"", "@import", "@font-face", "https://", "url(http"] {
                    #expect(!a.body.contains(outside), "the page must not load \(outside)…")
                }
                #expect(
                    a.body.components(separatedBy: "http://").count == a.body.components(separatedBy: "http://www.w3.org/2000/svg").count,
                    "the only http:// is the SVG namespace")
                // The charts the browser tests look for, and the endpoints the script reads.
                for marker in ["data-ready=\"0\"", "data-chart", "/api/v1/stats/compare", "/api/v1/stats/hourly", "/stats?from_date="] {
                    #expect(a.body.contains(marker), "\(marker)")
                }
                #expect(try await client.call("/").body == a.body, "the same bytes every time")
                // Only / serves the page: its parts are not routes.
                #expect(try await client.call("/dashboard.js").status == 404)
                #expect(try await client.call("/index.html").status == 404)
            }
        }

        /// The value of the sample `name{labels…}` whose labels include all of `labels`.
        static func sample(_ text: String, _ name: String, _ labels: [String]) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
                let parts = line.split(separator: " ")
                guard parts.count >= 2, labels.allSatisfy({ parts[0].contains($0) }) else { continue }
                return Double(parts[1])
            }
            return nil
        }

        @Test("GET /metrics: Prometheus text; requests are counted per route pattern and status")
        func metrics() async throws {
            try await API.test { client in
                let before = try await client.call("/metrics").body
                for _ in 0..<3 { _ = try await client.call("/api/v1/stats/provider/visa?days=0") } // 400
                _ = try await client.call("/api/v1/stats/provider/crypto") // 200
                _ = try await client.call("/no/such/route") // 404
                let a = try await client.call("/metrics")
                #expect(a.status == 200)
                #expect(a.contentType == "text/plain; version=0.0.4; charset=utf-8")
                let route = #"route="/api/v1/stats/provider/{id}""#
                let was = Self.sample(before, "txstats_http_requests_total", [route, #"status="400""#]) ?? 0
                let now = try #require(
                    Self.sample(a.body, "txstats_http_requests_total", [route, #"status="400""#]), "\(a.body.prefix(2000))")
                #expect(now >= was + 3, "three 400s counted under the route's pattern")
                #expect(Self.sample(a.body, "txstats_http_requests_total", [route, #"status="200""#]) ?? 0 >= 1)
                #expect(Self.sample(a.body, "txstats_http_requests_total", [#"route="unmatched""#, #"status="404""#]) ?? 0 >= 1)
                #expect(Self.sample(a.body, "txstats_http_request_seconds_count", [route]) ?? 0 >= 4)
                #expect(!a.body.contains("/api/v1/stats/provider/visa"), "the route label is the pattern, not the path")
                #expect(a.body.contains("# TYPE txstats_http_requests_total counter"))
            }
        }
    }
}
