import ArgumentParser
import Logging
import StatsCore

/// Runs a command's body; an error that ends the program is logged (as JSON when logs are JSON)
/// and turned into exit status 1, instead of ArgumentParser's plain "Error:" line. Deliberate
/// exit codes pass through.
public func runLoggingFatalErrors(_ label: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let code as ExitCode {
        throw code
    } catch {
        Logger(label: label).critical("stopped by an error", metadata: ["error": "\(error)"])
        throw ExitCode.failure
    }
}
