import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Headless Chromium, run as a child process: the DOM after the page's scripts ran, and
/// screenshots. Found as `TXSTATS_TEST_CHROMIUM`, else `chromium` or `chromium-browser` on PATH
/// (Debian: `apt-get install -y chromium`). Each run gets a throw-away profile directory, so runs
/// neither share state nor lock each other out.
struct HeadlessBrowser {
    let path: String

    /// Fails (rather than skipping the test) when there is no Chromium: CI installs it.
    static func find() throws -> HeadlessBrowser {
        HeadlessBrowser(
            path: try Executables.locate(
                "chromium", "chromium-browser", overrideVariable: "TXSTATS_TEST_CHROMIUM",
                hint: "the dashboard tests need a headless browser; install it with `apt-get install -y chromium` (CI does, in .ci/run)"))
    }

    /// Flags for every run. `--virtual-time-budget` lets the page's timers and fetches finish
    /// (virtual time waits for the network) before the DOM is dumped or the screenshot taken.
    static let flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=10000",
        "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio",
        "--password-store=basic", "--use-mock-keychain",
    ]

    /// The serialised DOM of `url` after its scripts ran (`--dump-dom`).
    func dumpDOM(_ url: String, windowSize: (Int, Int)? = nil) throws -> String {
        let size = windowSize.map { ["--window-size=\($0.0),\($0.1)"] } ?? []
        let (out, err) = try run(size + ["--dump-dom", url])
        guard out.contains("<html") else {
            throw TestFailure("chromium --dump-dom \(url) printed no DOM; stderr:\n\(err.suffix(2000))")
        }
        return out
    }

    /// A PNG of the window (`--screenshot`), `width`×`height` CSS pixels, written to `path`.
    func screenshot(_ url: String, to path: String, width: Int, height: Int) throws {
        try? FileManager.default.removeItem(atPath: path)
        let (_, err) = try run(["--window-size=\(width),\(height)", "--screenshot=\(path)", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw TestFailure("chromium --screenshot wrote no \(path); stderr:\n\(err.suffix(2000))")
        }
    }

    /// Runs Chromium with the common flags and `arguments`; stdout and stderr as text.
    func run(_ arguments: [String], timeout: Double = 120) throws -> (stdout: String, stderr: String) {
        let tmp = try TemporaryDirectory.create(prefix: "txstats-chromium")
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        // HOME: caches and crash reports stay in the throw-away directory.
        let child = try ChildProcess(
            path, arguments: Self.flags + ["--user-data-dir=\(tmp)/profile"] + arguments,
            environment: ["HOME": tmp], name: "chromium", stdout: .capture, stderr: .capture)
        let exit: ExitStatus
        do { exit = try child.wait(timeout: .seconds(timeout)) } catch {
            throw TestFailure(
                "chromium did not finish within \(Int(timeout)) s (\(arguments.joined(separator: " "))); stderr:\n\(child.standardError.suffix(2000))"
            )
        }
        guard exit.succeeded else {
            throw TestFailure("chromium \(exit) (\(arguments.joined(separator: " "))); stderr:\n\(child.standardError.suffix(2000))")
        }
        return (child.standardOutput, child.standardError)
    }
}

/// Just enough of an HTML reader for a dumped DOM: start tags and their attributes.
enum DOM {
    struct Element {
        let name: String
        let attributes: [String: String]
        subscript(_ key: String) -> String? { attributes[key] }
    }

    /// Every start tag in `html`, in document order.
    static func elements(_ html: Substring) -> [Element] {
        var out: [Element] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            let nameStart = html.index(after: open)
            guard nameStart < html.endIndex, html[nameStart].isLetter else {
                i = nameStart
                continue
            }
            // Attribute values are quoted and a dumped DOM escapes < and > inside them.
            guard let close = html[nameStart...].firstIndex(of: ">") else { break }
            let tag = html[nameStart..<close]
            let name = tag.prefix { !$0.isWhitespace && $0 != "/" }.lowercased()
            out.append(Element(name: name, attributes: attributes(tag.dropFirst(name.count))))
            if name == "script" || name == "style" {
                // Their text is not markup.
                let end = "</\(name)>"
                i = html[close...].range(of: end)?.upperBound ?? html.endIndex
            } else {
                i = html.index(after: close)
            }
        }
        return out
    }

    /// `name="value"` pairs (a dumped DOM always quotes with "); bare names get "".
    static func attributes(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var rest = text[...]
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "/" }
            guard !rest.isEmpty else { break }
            let name = rest.prefix { !$0.isWhitespace && $0 != "=" && $0 != "/" }
            guard !name.isEmpty else { break }
            rest = rest.dropFirst(name.count)
            if rest.first == "=" {
                rest = rest.dropFirst()
                if rest.first == "\"" {
                    rest = rest.dropFirst()
                    let value = rest.prefix { $0 != "\"" }
                    out[name.lowercased()] = unescape(value)
                    rest = rest.dropFirst(value.count + 1)
                } else {
                    let value = rest.prefix { !$0.isWhitespace }
                    out[name.lowercased()] = unescape(value)
                    rest = rest.dropFirst(value.count)
                }
            } else {
                out[name.lowercased()] = ""
            }
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&nbsp;", with: "\u{a0}")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The `<svg data-chart="name">…</svg>` part of the DOM.
    static func chart(_ name: String, in html: String) -> Substring? {
        guard let marker = html.range(of: "data-chart=\"\(name)\""),
            let start = html[..<marker.lowerBound].range(of: "<svg", options: .backwards),
            let end = html[marker.upperBound...].range(of: "</svg>")
        else { return nil }
        return html[start.lowerBound..<end.upperBound]
    }

    /// The text of an HTML fragment without its tags (and without scripts and styles).
    static func text(_ html: String) -> String {
        var out = ""
        var inTag = false
        var skipUntil: String?
        var i = html.startIndex
        while i < html.endIndex {
            if let end = skipUntil {
                guard let r = html[i...].range(of: end) else { break }
                i = r.upperBound
                skipUntil = nil
                continue
            }
            let c = html[i]
            if c == "<" {
                let ahead = html[i...].prefix(8).lowercased()
                if ahead.hasPrefix("<script") { skipUntil = "</script>" } else if ahead.hasPrefix("<style") { skipUntil = "</style>" }
                inTag = true
            } else if c == ">" {
                inTag = false
                out.append(" ")
            } else if !inTag {
                out.append(c)
            }
            i = html.index(after: i)
        }
        return unescape(out[...])
    }
}

/// A PNG file's signature and its IHDR width and height.
struct PNGInfo {
    let width: Int
    let height: Int
    let bytes: Int

    init(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard data.count > 24, Array(data.prefix(8)) == signature, Array(data[12..<16]) == Array("IHDR".utf8) else {
            throw TestFailure("\(path) is not a PNG (\(data.count) bytes)")
        }
        func be32(_ at: Int) -> Int { data[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        width = be32(16)
        height = be32(20)
        bytes = data.count
    }
}
