import API
import Foundation
import HTTPCore
import Testing
import TestSupport

/// The web front as the server serves it: its files, their security headers and caching, and
/// that the API beside it is unchanged. What a person sees is tested in a real browser
/// (Tests/Browser, run by .ci/run).
@Suite struct WebFrontTests {
    static let webFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("web")

    @Test func indexIsServedAtTheRootWithItsSecurityHeaders() throws {
        let live = try LiveServer(web: WebFront())
        let client = try live.client()
        let response = try client.request("GET", "/")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/html; charset=utf-8")
        #expect(response.text.contains(#"<script type="module" src="js/app.js"></script>"#))
        let csp = try #require(response.header("content-security-policy"))
        #expect(csp.contains("script-src 'self'"))
        #expect(csp.contains("style-src 'self'"))
        #expect(csp.contains("connect-src 'self';"))
        #expect(csp.contains("frame-ancestors 'none'"))
        #expect(!csp.contains("unsafe-inline"))
        #expect(!csp.contains("unsafe-eval"))
        #expect(response.header("x-content-type-options") == "nosniff")
        #expect(response.header("referrer-policy") == "no-referrer")
        #expect(response.header("cache-control") == "no-cache")
        // /index.html is the same document.
        let named = try client.request("GET", "/index.html")
        #expect(named.status == 200 && named.body == response.body)
    }

    @Test func etagsGive304AndGzipHasItsOwnTag() throws {
        let live = try LiveServer(web: WebFront())
        let client = try live.client()
        let plain = try client.request("GET", "/js/api.js")
        #expect(plain.status == 200)
        #expect(plain.header("content-type") == "text/javascript; charset=utf-8")
        let etag = try #require(plain.header("etag"))
        let again = try client.request("GET", "/js/api.js", headers: [("If-None-Match", etag)])
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        #expect(again.header("etag") == etag)
        let gzipped = try client.request("GET", "/js/api.js", headers: [("Accept-Encoding", "gzip")])
        #expect(gzipped.status == 200)
        #expect(gzipped.header("content-encoding") == "gzip")
        #expect(gzipped.header("etag") == String(etag.dropLast()) + "-gzip\"")
        #expect(Gzip.decompress(gzipped.body) == plain.body)
        // A cache holding either representation revalidates with its own tag.
        let gzip304 = try client.request("GET", "/js/api.js", headers: [("Accept-Encoding", "gzip"), ("If-None-Match", gzipped.header("etag") ?? "")])
        #expect(gzip304.status == 304)
        let stale = try client.request("GET", "/js/api.js", headers: [("If-None-Match", "\"w0000000000000000\"")])
        #expect(stale.status == 200)
        let head = try client.request("HEAD", "/js/api.js")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.header("content-length") == String(plain.body.count))
    }

    @Test func unknownFilesAndTheAPIAreAsBefore() throws {
        let live = try LiveServer(web: WebFront())
        let client = try live.client()
        let missing = try client.request("GET", "/js/nothing.js")
        #expect(missing.status == 404)
        #expect(missing.header("content-type") == "application/problem+json")
        #expect(try client.request("GET", "/.git/HEAD").status == 404)
        #expect(try client.request("GET", "/js/../index.html").status == 404)
        #expect(try client.request("POST", "/index.html").status == 404)
        // API paths keep their answers: JSON, and 401 without a token, no front headers.
        let health = try client.request("GET", "/health")
        #expect(health.status == 200 && health.header("content-security-policy") == nil)
        let contacts = try client.request("GET", "/contacts")
        #expect(contacts.status == 401)
        #expect(contacts.code == "unauthorized")
        #expect(contacts.header("content-security-policy") == nil)
    }

    @Test func theBuiltInIndexNamesAConfiguredAPIOriginInBothEncodings() throws {
        let live = try LiveServer(web: WebFront(apiOrigin: "https://api.example.org"))
        let client = try live.client()
        let plain = try client.request("GET", "/")
        #expect(plain.text.contains(#"<meta name="foothold-api" content="https://api.example.org">"#))
        #expect(plain.header("content-security-policy")?.contains("connect-src 'self' https://api.example.org;") == true)
        let gzipped = try client.request("GET", "/", headers: [("Accept-Encoding", "gzip")])
        #expect(gzipped.header("content-encoding") == "gzip")
        #expect(Gzip.decompress(gzipped.body) == plain.body)
        // Every other file is as built: compressed at build time to the same bytes.
        for path in WebFront.embeddedPaths where path.hasSuffix(".js") || path.hasSuffix(".css") {
            let raw = try client.request("GET", path)
            let packed = try client.request("GET", path, headers: [("Accept-Encoding", "gzip")])
            #expect(raw.status == 200 && packed.status == 200)
            if packed.header("content-encoding") == "gzip" {
                #expect(Gzip.decompress(packed.body) == raw.body, "\(path)")
                #expect(packed.body.count < raw.body.count)
            }
        }
    }

    @Test func withoutTheFrontTheRootIsNotFound() throws {
        let live = try LiveServer()
        let client = try live.client()
        let root = try client.request("GET", "/")
        #expect(root.status == 404)
        #expect(root.header("content-type") == "application/problem+json")
        #expect(try client.request("GET", "/js/app.js").status == 404)
    }

    @Test func aFolderIsReadOnEveryRequestAndNothingOutsideItIsServed() throws {
        let directory = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path("site/js"), withIntermediateDirectories: true)
        try "<!doctype html><meta name=\"foothold-api\" content=\"\"><p>one</p>".write(toFile: directory.path("site/index.html"), atomically: true, encoding: .utf8)
        try "export const a = 1;".write(toFile: directory.path("site/js/a.js"), atomically: true, encoding: .utf8)
        try "secret".write(toFile: directory.path("outside.txt"), atomically: true, encoding: .utf8)
        try "hidden".write(toFile: directory.path("site/.env"), atomically: true, encoding: .utf8)
        let live = try LiveServer(web: WebFront(directory: directory.path("site"), apiOrigin: "https://api.example.org"))
        let client = try live.client()
        let first = try client.request("GET", "/")
        #expect(first.status == 200)
        // The configured API origin reaches the page and its policy.
        #expect(first.text.contains(#"<meta name="foothold-api" content="https://api.example.org">"#))
        #expect(first.header("content-security-policy")?.contains("connect-src 'self' https://api.example.org;") == true)
        try "<!doctype html><p>two</p>".write(toFile: directory.path("site/index.html"), atomically: true, encoding: .utf8)
        let second = try client.request("GET", "/", headers: [("If-None-Match", first.header("etag") ?? "")])
        #expect(second.status == 200)
        #expect(second.text.contains("two"))
        #expect(try client.request("GET", "/js/a.js").header("content-type") == "text/javascript; charset=utf-8")
        #expect(try client.request("GET", "/../outside.txt").status == 404)
        #expect(try client.request("GET", "/.env").status == 404)
        #expect(try client.request("GET", "/js").status == 404)
        #expect(try client.request("GET", "/js/%2e%2e/a.js").status == 404)
    }

    @Test func everyModuleTheFrontImportsIsBuiltIn() throws {
        let paths = Set(WebFront.embeddedPaths)
        #expect(paths.contains("/index.html"))
        #expect(paths.contains("/js/app.js"))
        var checked = 0
        let importPattern = try Regex(#"(?:from\s+|import\s*\(\s*)['"`](\.{1,2}/[^'"`$]+)['"`]"#)
        for path in paths where path.hasSuffix(".js") {
            let text = try String(contentsOf: Self.webFolder.appendingPathComponent(String(path.dropFirst())), encoding: .utf8)
            // No user data through innerHTML anywhere: the front builds text nodes (dom.js).
            #expect(!text.contains("innerHTML"), "\(path) uses innerHTML")
            #expect(!text.contains("eval("), "\(path) uses eval")
            for match in text.matches(of: importPattern) {
                guard let relative = match.output[1].substring else { continue }
                let resolved = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(String(relative)).standardized.path
                #expect(paths.contains(resolved), "\(path) imports \(relative), which is not built in")
                checked += 1
            }
        }
        #expect(checked > 20)
        // Pages are loaded by name (`./pages/${name}.js`): each name the router lists exists.
        let app = try String(contentsOf: Self.webFolder.appendingPathComponent("js/app.js"), encoding: .utf8)
        let pagePattern = try Regex(#"page\('([a-z]+)'\)"#)
        let pages = app.matches(of: pagePattern).compactMap { $0.output[1].substring.map(String.init) }
        #expect(pages.count >= 12)
        for name in pages { #expect(paths.contains("/js/pages/\(name).js"), "page \(name) is missing") }
        // Nothing is loaded from another host.
        let index = try String(contentsOf: Self.webFolder.appendingPathComponent("index.html"), encoding: .utf8)
        #expect(!index.contains("http://") && !index.contains("https://"))
    }
}
