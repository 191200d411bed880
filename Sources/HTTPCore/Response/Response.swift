import Primitives

/// A response as a handler builds it; the connection adds framing headers (`Date`,
/// `Content-Length`, `Connection`) and applies compression when it is written.
public struct Response: Sendable {
    public var status: Int
    /// Header fields with their canonical spelling; framing fields are added on the wire.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Set when the handler finishes the response later (see `later`); the status, headers
    /// and body above are then placeholders.
    public var pending: PendingResponse?
    /// Set for a body produced while it is sent (chunked); `body` is then unused.
    public var stream: BodyStream?

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response made by `render` from `future`'s value once it arrives; an error in the
    /// future, or thrown by `render`, becomes a problem response as a handler's would.
    @inlinable
    public static func later<Value: Sendable>(_ future: Future<Value>, _ render: @escaping @Sendable (Value) throws -> Response) -> Response {
        var response = Response(status: 0)
        response.pending = PendingResponse { deliver in
            future.whenComplete { result in deliver { try render(result.get()) } }
        }
        return response
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

/// A response a handler finishes later, on another thread: a write handed to the database's
/// writer thread answers once it has committed, and no thread waits for it meanwhile.
public struct PendingResponse: Sendable {
    /// Makes a response on the thread that runs it; the connection runs it on its I/O thread.
    public typealias Maker = @Sendable () throws -> Response

    /// Calls its argument once, from any thread, with the maker.
    private let subscribe: @Sendable (@escaping @Sendable (@escaping Maker) -> Void) -> Void

    @usableFromInline
    init(subscribe: @escaping @Sendable (@escaping @Sendable (@escaping Maker) -> Void) -> Void) {
        self.subscribe = subscribe
    }

    /// Calls `deliver` once, from the completing thread, with the maker of the response.
    public func whenReady(_ deliver: @escaping @Sendable (@escaping Maker) -> Void) {
        subscribe(deliver)
    }

    /// The same response with `transform` wrapped around its maker (error mapping, CORS).
    func transformed(_ transform: @escaping @Sendable (Maker) -> Response) -> PendingResponse {
        let subscribe = self.subscribe
        return PendingResponse { deliver in
            subscribe { make in deliver { transform(make) } }
        }
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
