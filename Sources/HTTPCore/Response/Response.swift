/// A response as a handler builds it; the connection adds framing headers (`Date`,
/// `Content-Length`, `Connection`) and applies compression when it is written.
public struct Response: Sendable {
    public var status: Int
    /// Header fields with their canonical spelling; framing fields are added on the wire.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, compared without regard to case.
    public func header(_ name: String) -> String? {
        for field in headers where field.name.caseInsensitiveEquals(name) { return field.value }
        return nil
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveEquals(name) }
        headers.append((name, value))
    }

    /// A JSON body written by `JSONWriter`.
    public static func json(_ status: Int = 200, _ writer: JSONWriter, headers: [(name: String, value: String)] = []) -> Response {
        Response(status: status, headers: [("Content-Type", "application/json")] + headers, body: writer.bytes)
    }

    public static func json(_ status: Int = 200, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> Response {
        var writer = JSONWriter()
        writer.value(value)
        return json(status, writer, headers: headers)
    }

    public static func noContent(headers: [(name: String, value: String)] = []) -> Response {
        Response(status: 204, headers: headers)
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
