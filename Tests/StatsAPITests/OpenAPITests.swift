import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@testable import StatsAPI

extension Routes {
    /// `/openapi.json` is the file in Resources, and it lists exactly the routes the router has.
    @Suite("/openapi.json")
    struct OpenAPI {
        static let methods = ["get", "put", "post", "delete", "patch", "head", "options"]

        /// Every (method, path) the document describes.
        static func operations(_ doc: JSON) -> [(method: String, path: String, operation: JSON)] {
            (doc["paths"]?.keys ?? []).flatMap { path in
                (doc["paths"]?[path]?.keys ?? []).filter { methods.contains($0) }.map { ($0, path, doc["paths"]![path]![$0]!) }
            }
        }

        /// Follows a local `$ref` (`#/components/…`).
        static func resolve(_ value: JSON, in doc: JSON) -> JSON? {
            guard let ref = value["$ref"]?.string else { return value }
            guard ref.hasPrefix("#/") else { return nil }
            var node: JSON? = doc
            for part in ref.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
            return node
        }

        @Test("GET /openapi.json serves Resources/openapi.json as is: an OpenAPI 3 document whose references all resolve")
        func servedAsIs() async throws {
            let file = try SourceTree.text("openapi.json")
            try await API.test { client in
                let a = try await client.call("/openapi.json")
                #expect(a.status == 200)
                #expect(a.contentType == "application/json")
                #expect(a.body == file)
                let doc = try JSON.parse(a.body)
                #expect(doc["openapi"]?.string?.hasPrefix("3.") == true)
                #expect(doc["info"]?["title"] == .string("txstats"))
                var refs: [String] = []
                func walk(_ v: JSON) {
                    switch v {
                    case .object(let fields):
                        for (k, x) in fields { if k == "$ref", let r = x.string { refs.append(r) } else { walk(x) } }
                    case .array(let items): items.forEach(walk)
                    default: break
                    }
                }
                walk(doc)
                #expect(refs.count > 20)
                for r in refs { #expect(Self.resolve(.object([("$ref", .string(r))]), in: doc) != nil, "\(r) does not resolve") }
            }
        }

        @Test("every route the router registers is in the document with its method, and every documented operation is a route")
        func sameRoutes() async throws {
            let doc = try JSON.parse(try SourceTree.text("openapi.json"))
            let documented = Set(Self.operations(doc).map { "\($0.method.uppercased()) \($0.path)" })
            // The router as buildApplication makes it, with the admin routes' token set.
            let (app, threads) = try makeStatsApp(settings: try API.settings(adminToken: "t"), assets: try Assets.load())
            let registered = Set(app.router().routes.map { "\($0.method) \($0.path)" })
            try await threads.shutdownGracefully()
            #expect(registered.count >= 16)
            #expect(
                registered.subtracting(documented).isEmpty, "registered but not documented: \(registered.subtracting(documented).sorted())")
            #expect(
                documented.subtracting(registered).isEmpty, "documented but not registered: \(documented.subtracting(registered).sorted())")
        }

        /// A value for each parameter the tests fill in.
        static let examples = [
            "from_date": "2026-01-10", "to_date": "2026-01-20", "date": "2026-01-15", "startDate": "2026-01-01",
            "endDate": "2026-01-20", "month": "2026-01", "week": "2026-W03", "days": "7", "id": "visa",
        ]

        /// Operations whose parameters are all optional but not all omittable.
        static let oneOf = ["/api/v1/stats/weekly": "week=2026-W03"]

        @Test("every documented operation, called with its required parameters, answers its documented success status and content type")
        func operationsAnswer() async throws {
            let doc = try JSON.parse(try SourceTree.text("openapi.json"))
            let operations = Self.operations(doc)
            #expect(operations.count == 17) // 16, and GET /api/v1/currencies
            let token = "doc-token"
            // The read token too (the same value), so that the read operations' security is in
            // force: they declare it, optional in general, required when configured.
            try await API.test(adminToken: token, readToken: token) { client in
                for (method, path, op) in operations {
                    let parameters = (op["parameters"]?.items ?? []).compactMap { Self.resolve($0, in: doc) }
                    var uri = path
                    var query: [String] = []
                    for p in parameters {
                        let name = try #require(p["name"]?.string)
                        let inPath = p["in"] == .string("path")
                        guard inPath || p["required"] == .bool(true) else { continue }
                        let example = try #require(Self.examples[name], "no example value for \(name)")
                        if inPath {
                            uri = uri.replacingOccurrences(of: "{\(name)}", with: example)
                        } else {
                            query.append("\(name)=\(example)")
                        }
                    }
                    // weekly wants week, or startDate and endDate: each optional, one of them needed.
                    if let alternative = Self.oneOf[path] { query.append(alternative) }
                    if !query.isEmpty { uri += "?" + query.joined(separator: "&") }
                    let secured = op["security"] != nil
                    let a = try await client.call(
                        uri, method: .init(method.uppercased())!, headers: secured ? [.authorization: "Bearer \(token)"] : [:])
                    let responses = op["responses"]?.keys ?? []
                    let success = try #require(responses.first { $0.hasPrefix("2") }, "\(method) \(path) documents no success")
                    #expect(String(a.status) == success, "\(method) \(uri): \(a.status) \(a.body.prefix(200))")
                    let content = Self.resolve(op["responses"]![success]!, in: doc)?["content"]?.keys ?? []
                    #expect(
                        content.contains { a.contentType?.hasPrefix($0) == true },
                        "\(method) \(path): \(a.contentType ?? "no type") not in \(content)")
                    // Error answers the route can give are documented too.
                    if secured {
                        let denied = try await client.call(uri, method: .init(method.uppercased())!)
                        #expect(denied.status == 401 && responses.contains("401"), "\(method) \(path)")
                    }
                    if !query.isEmpty {
                        let bare = try await client.call(
                            path.replacingOccurrences(of: "{id}", with: "visa"), method: .init(method.uppercased())!,
                            headers: secured ? [.authorization: "Bearer \(token)"] : [:])
                        #expect(bare.status == 400 && responses.contains("400"), "\(method) \(path) without its required parameters")
                    }
                }
            }
        }
    }
}
