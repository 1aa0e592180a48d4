import Foundation
import TestSupport
import Testing

@testable import StatsAPI

/// The resources are files read at start-up; a missing or broken one fails start-up with an
/// error that names it.
@Suite("StatsAPI resources")
struct AssetTests {
    /// A copy of Sources/StatsAPI/Resources to break.
    static func copy() throws -> URL {
        let dir = URL(fileURLWithPath: try TemporaryDirectory.create(prefix: "txstats-assets"))
        let target = dir.appendingPathComponent("Resources")
        try FileManager.default.copyItem(at: SourceTree.resources, to: target)
        return target
    }

    static func error(_ body: () throws -> Assets) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("the bundle beside the test binary holds the files as written in the source tree")
    func bundled() throws {
        let dir = try Assets.resourceDirectory()
        for file in ["openapi.json", "dashboard/index.html", "dashboard/dashboard.css", "dashboard/dashboard.js"] {
            let bundled = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(bundled == (try SourceTree.text(file)), "\(file) in \(dir.path) is stale: rebuild")
        }
        let assets = try Assets.load()
        #expect(String(buffer: assets.openAPI) == (try SourceTree.text("openapi.json")))
    }

    @Test(
        "a missing file is an error naming it",
        arguments: ["openapi.json", "dashboard/index.html", "dashboard/dashboard.css", "dashboard/dashboard.js"])
    func missing(_ file: String) throws {
        let dir = try Self.copy()
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent(file))
        let message = try #require(Self.error { try Assets.load(directory: dir) })
        #expect(message.contains("resource \(file) not found at \(dir.appendingPathComponent(file).path)"), "\(message)")
    }

    @Test(
        "a broken file is an error saying what is wrong",
        arguments: [
            ("openapi.json", "{\"openapi\": \"3.0.3\", ", "openapi.json is not valid JSON"),
            ("openapi.json", "{\"swagger\": \"2.0\", \"paths\": {}}", "openapi.json is not an OpenAPI 3 document"),
            (
                "dashboard/index.html", "<!doctype html><html><body></body></html>",
                "dashboard/index.html must contain <link rel=\"stylesheet\" href=\"dashboard.css\"> exactly once (found 0)"
            ),
            ("dashboard/dashboard.js", "console.log('</script>');\n", "dashboard/dashboard.js contains \"</script\": it cannot be inlined"),
            ("dashboard/dashboard.css", "a { } </STYLE>\n", "dashboard/dashboard.css contains \"</style\": it cannot be inlined"),
        ])
    func broken(_ file: String, _ text: String, _ expected: String) throws {
        let dir = try Self.copy()
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        try text.write(to: dir.appendingPathComponent(file), atomically: true, encoding: .utf8)
        let message = try #require(Self.error { try Assets.load(directory: dir) })
        #expect(message.contains(expected), "\(message)")
    }

    @Test("the page is index.html with the stylesheet and the script inlined, its last newline dropped")
    func inlining() throws {
        let page = try Assets.dashboardPage(
            html: "<head><link rel=\"stylesheet\" href=\"dashboard.css\"></head><body><script src=\"dashboard.js\"></script></body>\n",
            css: "b { }\n", js: "go();\n")
        #expect(page == "<head><style>\nb { }\n</style></head><body><script>\ngo();\n</script></body>")
        #expect(throws: Assets.AssetError.self) {
            try Assets.dashboardPage(
                html:
                    "<script src=\"dashboard.js\"></script><script src=\"dashboard.js\"></script><link rel=\"stylesheet\" href=\"dashboard.css\">",
                css: "", js: "")
        }
    }
}
