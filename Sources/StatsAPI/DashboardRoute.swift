import Hummingbird
import StatsCore

/// `GET /`: the dashboard, one self-contained HTML page (inline CSS, vanilla JS drawing inline
/// SVG; no CDN, script, stylesheet or web font from elsewhere, so it works offline), assembled at
/// start-up from `Resources/dashboard/` (see ``Assets``).
///
/// It reads the api's own JSON endpoints on the same origin, every statistics read with the
/// chosen `currency=`:
/// - `GET /api/v1/currencies` first, for the currency picker (each code with its exponent, the
///   decimals amounts are shown with; the server's default preselected);
/// - `GET /api/v1/stats/compare?period=1d`, for "today" as the server sees it
///   (`current.endDate`; the server may run with a fixed `TXSTATS_TODAY`);
/// - `GET /stats`, `/api/v1/stats/weekly` and `/api/v1/stats/range` for the chosen range: daily
///   successful amounts stacked by payment method, per-day and range totals;
/// - `GET /api/v1/stats/providers` for the list of payment methods (stable colours);
/// - `GET /api/v1/stats/hourly` and `/api/v1/stats/daily` for one day's hourly profile by status;
/// - `GET /api/v1/stats/compare?period=Nd` for current against previous period.
///
/// Numbers are parsed keeping their decimal text (`JSON.parse` with the source-text reviver) and
/// formatted from it, so amounts shown are exactly the API's; the page adds up money only for the
/// height of a stacked bar. Totals shown come from the API's `total` blocks.
///
/// For tests: `body[data-ready="1"]` once all three charts have rendered, `body[data-errors]`
/// counts script errors (`window.onerror`, unhandled rejections, `console.error`),
/// `body[data-overflow-x]` is "1" if the page is wider than the window; each chart's SVG has
/// `data-chart` (`daily`, `hourly`, `compare`) and each drawn bar segment `data-value` (the
/// API's exact decimal text) with `data-day`/`data-method`/`data-type`, `data-hour`/`data-status`,
/// or `data-method`/`data-period`. The state is in the query string
/// (`?from=&to=&day=&period=&type=&measure=&currency=`), so a view can be linked.
extension StatsApp {
    func addDashboardRoute(to router: Router<BasicRequestContext>) {
        let page = assets.dashboard
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: page))
        }
    }
}
