import Foundation
import Hummingbird

/// The api's static files, read once at start-up from `Resources/` in the target's resource
/// bundle (`txstats_StatsAPI.resources`, which SwiftPM puts beside the executable):
///
/// - `dashboard/index.html`, `dashboard.css`, `dashboard.js`: the page at `GET /`. The HTML
///   links the two others (so it also opens from disk); here the link and the script tag are
///   replaced by the files' text, so the page served is one self-contained answer (inline CSS and
///   JavaScript, nothing fetched from elsewhere, works offline).
/// - `openapi.json`: the OpenAPI 3 document, served as is.
///
/// A file that is missing or wrong fails start-up with an ``AssetError`` naming it.
struct Assets: Sendable {
    let dashboard: ByteBuffer
    let openAPI: ByteBuffer

    /// What a missing or malformed asset says.
    struct AssetError: Error, CustomStringConvertible {
        let description: String
    }

    /// The stylesheet and script links of `index.html` that are replaced by the files' text.
    static let stylesheetLink = #"<link rel="stylesheet" href="dashboard.css">"#
    static let scriptTag = #"<script src="dashboard.js"></script>"#

    /// The assets from the resource bundle.
    static func load() throws -> Assets {
        try load(directory: try resourceDirectory())
    }

    /// The assets from `directory` (the bundle's `Resources`, or a test's own folder).
    static func load(directory: URL) throws -> Assets {
        let page = try dashboardPage(
            html: try text(directory, "dashboard/index.html"), css: try text(directory, "dashboard/dashboard.css"),
            js: try text(directory, "dashboard/dashboard.js"))
        let openAPI = try text(directory, "openapi.json")
        try checkOpenAPI(openAPI)
        return Assets(dashboard: ByteBuffer(string: page), openAPI: ByteBuffer(string: openAPI))
    }

    /// `index.html` with its stylesheet link and script tag replaced by `<style>`/`<script>`
    /// elements holding the files' text. The file's final newline is dropped.
    static func dashboardPage(html: String, css: String, js: String) throws -> String {
        guard !css.lowercased().contains("</style") else {
            throw AssetError(description: "dashboard/dashboard.css contains \"</style\": it cannot be inlined")
        }
        guard !js.lowercased().contains("</script") else {
            throw AssetError(description: "dashboard/dashboard.js contains \"</script\": it cannot be inlined")
        }
        var page = html.hasSuffix("\n") ? String(html.dropLast()) : html
        page = try replacingOnce(page, stylesheetLink, with: "<style>\n\(css)</style>")
        page = try replacingOnce(page, scriptTag, with: "<script>\n\(js)</script>")
        return page
    }

    /// Valid JSON, an object whose `openapi` is a 3.x version, with `paths`.
    static func checkOpenAPI(_ text: String) throws {
        let doc: Any
        do { doc = try JSONSerialization.jsonObject(with: Data(text.utf8)) } catch {
            throw AssetError(description: "openapi.json is not valid JSON: \(error)")
        }
        guard let object = doc as? [String: Any], let version = object["openapi"] as? String, version.hasPrefix("3."),
            object["paths"] is [String: Any]
        else {
            throw AssetError(description: "openapi.json is not an OpenAPI 3 document (no \"openapi\": \"3.x\" or no \"paths\")")
        }
    }

    private static func replacingOnce(_ page: String, _ tag: String, with replacement: String) throws -> String {
        let parts = page.components(separatedBy: tag)
        guard parts.count == 2 else {
            throw AssetError(description: "dashboard/index.html must contain \(tag) exactly once (found \(parts.count - 1))")
        }
        return parts[0] + replacement + parts[1]
    }

    private static func text(_ directory: URL, _ name: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AssetError(description: "resource \(name) not found at \(url.path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw AssetError(description: "resource \(name) at \(url.path) is not UTF-8")
        }
        return text
    }

    /// The bundle's `Resources` folder. `Bundle.module` looks beside the executable first, then in
    /// the build directory it was compiled in, and calls `fatalError` if neither exists; so it is
    /// used only once its bundle is known to be beside the executable, and otherwise start-up
    /// fails with an error that says where the bundle should be (a binary copied without it).
    static func resourceDirectory() throws -> URL {
        #if os(Linux) || os(Android) || os(Windows)
            let bundleName = "txstats_StatsAPI.resources"
            let beside = Bundle.main.bundleURL.appendingPathComponent(bundleName)
            guard FileManager.default.fileExists(atPath: beside.path) else {
                throw AssetError(
                    description: """
                        resource bundle \(bundleName) not found beside the executable (\(beside.path)); \
                        copy it from the build directory (swift build --show-bin-path) next to the binary
                        """)
            }
        #endif
        guard let url = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw AssetError(description: "resource folder Resources not found in \(Bundle.module.bundlePath)")
        }
        return url
    }
}
