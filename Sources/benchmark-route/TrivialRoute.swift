import Foundation
import Hummingbird

/// The benchmark's reference server: Hummingbird with one route that answers every GET with the
/// bytes of a file (the api's own answer, captured by the benchmark), same backlog, nothing else.
/// The api's figures divided by this one's show what txstats adds to the framework's own cost.
///
///     txstats-bench-route <port> <body-file>
@main
struct TrivialRoute {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let port = Int(arguments[1]), (1...65_535).contains(port),
            let body = FileManager.default.contents(atPath: arguments[2])
        else {
            FileHandle.standardError.write(Data("usage: txstats-bench-route <port> <body-file>\n".utf8))
            exit(2)
        }
        let buffer = ByteBuffer(bytes: body)
        let router = Router()
        router.get("**") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), backlog: 4096))
        try await app.runService()
    }
}
