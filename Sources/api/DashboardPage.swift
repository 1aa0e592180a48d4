/// The dashboard page (placeholder until the real one lands).
enum DashboardPage {
    static let html = "<!doctype html><title>txstats</title><p>txstats</p>"
}
