import StatsCore
import Hummingbird

/// `GET /`: the dashboard, one self-contained HTML page (no CDN, no web font).
extension StatsApp {
    func addDashboardRoute(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
    }
}
