/// A request that cannot be framed safely; answered with `status` and the connection closed,
/// before any handler runs (RFC 9112 §11.2: request smuggling).
public struct FramingError: Error, Sendable, Equatable {
    public var status: Int
    /// Stable machine-readable code for problem+json.
    public var code: String
    public var detail: String

    public init(_ status: Int, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    static func bad(_ code: String, _ detail: String) -> FramingError { FramingError(400, code, detail) }
}
