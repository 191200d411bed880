import Glibc
import HTTPCore
import Primitives

/// The web front (web/): static files served at `/` beside the API, from the copy embedded at
/// build time or, while developing, from a folder read on every request.
public final class WebFront: Sendable {
    struct File: Sendable {
        let contentType: String
        let body: [UInt8]
        let gzipped: [UInt8]?
        let etag: String
    }

    private enum Source: Sendable {
        /// Each built-in file made ready on its first request, so a server nobody browses keeps
        /// none of them in memory (idle RSS as with `--no-web`).
        case embedded(Lock<[String: File]>)
        case directory(String)
    }

    private let source: Source
    /// Where the front's scripts send API requests when it is not this server; nil: here.
    private let apiOrigin: String?
    let contentSecurityPolicy: String

    /// The paths of the files built in, as the front asks for them (`/js/app.js`).
    public static var embeddedPaths: [String] { EmbeddedWeb.files.map(\.path) }

    /// The files embedded in the binary.
    public convenience init(apiOrigin: String? = nil) {
        self.init(source: .embedded(Lock([:])), apiOrigin: apiOrigin)
    }

    /// A built-in file, from the cache or made from the binary's copy.
    private func embedded(_ path: String, _ cache: Lock<[String: File]>) -> File? {
        if let file = cache.withLock({ $0[path] }) { return file }
        guard let (_, text, gzip) = EmbeddedWeb.files.first(where: { $0.path == path }) else { return nil }
        let bytes = Self.configured(path: path, Array(text.utf8), apiOrigin: apiOrigin)
        let file: File
        if path == "/index.html" && apiOrigin != nil {
            // Changed from what was built, so compressed here.
            file = Self.file(path: path, bytes: bytes)
        } else {
            file = File(contentType: Self.contentType(path), body: bytes, gzipped: gzip.isEmpty ? nil : Base64URL.decode(gzip), etag: Self.etag(bytes))
        }
        cache.withLock { $0[path] = file }
        return file
    }

    /// The files under `directory`, read when asked for, so an edit shows on the next reload.
    /// The read happens on the I/O thread that took the request: a development aid, not a way
    /// to serve many people (the built-in copy is in memory).
    public convenience init(directory: String, apiOrigin: String? = nil) {
        self.init(source: .directory(directory.hasSuffix("/") ? String(directory.dropLast()) : directory), apiOrigin: apiOrigin)
    }

    private init(source: Source, apiOrigin: String?) {
        self.source = source
        self.apiOrigin = apiOrigin
        // Nothing from another host but the API, no inline script or style (so injected markup
        // cannot run), and no framing (clickjacking). data: images are the front's own icons.
        let connect = apiOrigin.map { "'self' \($0)" } ?? "'self'"
        contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src \(connect); "
            + "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    /// The path names the front's files may have: no dot segments, no hidden files, no escapes.
    static func isSafe(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count < 256 else { return false }
        for segment in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = segment.first, first != "." else { return false }
            for byte in segment.utf8 {
                let ok = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2D || byte == 0x5F || byte == 0x2E
                guard ok else { return false }
            }
        }
        return true
    }

    /// The response for `request`, or nil when the front has no such file (a 404 then).
    public func respond(to request: Request) -> Response? {
        var path = request.path
        if path == "/" { path = "/index.html" }
        guard Self.isSafe(path) else { return nil }
        let file: File
        switch source {
        case .embedded(let cache):
            guard let found = embedded(path, cache) else { return nil }
            file = found
        case .directory(let root):
            guard let bytes = Self.read(root + path) else { return nil }
            file = Self.file(path: path, bytes: Self.configured(path: path, bytes, apiOrigin: apiOrigin))
        }
        let gzip = file.gzipped != nil && Gzip.accepted(by: request.headers["accept-encoding"])
        let etag = gzip ? String(file.etag.dropLast()) + "-gzip\"" : file.etag
        var headers: [(name: String, value: String)] = [
            ("Content-Type", file.contentType),
            ("ETag", etag),
            // Revalidated on every load (a 304 costs a few bytes), so a new build shows at once.
            ("Cache-Control", "no-cache"),
            ("Content-Security-Policy", contentSecurityPolicy),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        if file.gzipped != nil { headers.append(("Vary", "Accept-Encoding")) }
        if let tags = request.headers["if-none-match"], Self.matches(tags, file.etag) {
            return Response(status: 304, headers: headers.filter { $0.name != "Content-Type" })
        }
        if gzip, let gzipped = file.gzipped {
            headers.append(("Content-Encoding", "gzip"))
            return Response(status: 200, headers: headers, body: gzipped)
        }
        return Response(status: 200, headers: headers, body: file.body)
    }

    /// If-None-Match against either representation's tag (weak comparison, RFC 9110 §13.1.2).
    private static func matches(_ header: String, _ etag: String) -> Bool {
        let plain = etag.dropFirst().dropLast()
        for item in header.split(separator: ",") {
            var tag = item.trimmingWhitespace()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { continue }
            let inner = tag.dropFirst().dropLast()
            if inner == plain || inner == plain + "-gzip" { return true }
        }
        return false
    }

    /// index.html names the API's origin in a meta element when it is not this server.
    private static func configured(path: String, _ bytes: [UInt8], apiOrigin: String?) -> [UInt8] {
        guard path == "/index.html", let apiOrigin else { return bytes }
        let escaped = HTMLText.escape(apiOrigin)
        let marker = Array(#"<meta name="foothold-api" content="">"#.utf8)
        guard let at = firstIndex(of: marker, in: bytes) else { return bytes }
        let replacement = Array((#"<meta name="foothold-api" content=""# + escaped + #"">"#).utf8)
        return Array(bytes[..<at]) + replacement + Array(bytes[(at + marker.count)...])
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }

    private static func file(path: String, bytes: [UInt8]) -> File {
        let type = contentType(path)
        // Kept only when it saves something. The built-in files come compressed from the build
        // (EmbedTool); a folder's are compressed as they are read, at the responses' level.
        var gzipped: [UInt8]?
        if bytes.count >= 256, !type.hasPrefix("image/png"), let compressed = Gzip.compress(bytes), compressed.count < bytes.count {
            gzipped = compressed
        }
        return File(contentType: type, body: bytes, gzipped: gzipped, etag: etag(bytes))
    }

    private static func etag(_ bytes: [UInt8]) -> String { "\"w" + hexHash(bytes) + "\"" }

    static func contentType(_ path: String) -> String {
        let ext = path.split(separator: ".").last.map { String($0).lowercased() } ?? ""
        switch ext {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "json": return "application/json"
        case "webmanifest": return "application/manifest+json"
        case "png": return "image/png"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// FNV-1a, 64 bits: an ETag needs to change with the content, not to resist forgery.
    private static func hexHash(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A regular file's bytes (at most 8 MiB); nil when it is missing, a folder, or unreadable.
    private static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 8 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Glibc.read(fd, base + done, buffer.count - done)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            done += n
        }
        return bytes
    }
}
