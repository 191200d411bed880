/// An RFC 9457 problem: thrown by handlers and services' adapters, rendered as
/// `application/problem+json` with a stable machine-readable `code`.
public struct Problem: Error, Sendable {
    /// One invalid field of a request, for validation problems.
    public struct FieldError: Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var code: String
    public var title: String
    public var detail: String
    public var errors: [FieldError]
    /// Extra response headers (`Allow`, `Retry-After`, `WWW-Authenticate`, …).
    public var headers: [(name: String, value: String)]
    /// Extra members of the problem object (`existing_id` for duplicates, …).
    public var extensions: [(String, JSONValue)]

    public init(
        status: Int, code: String, detail: String, title: String? = nil, errors: [FieldError] = [],
        headers: [(name: String, value: String)] = [], extensions: [(String, JSONValue)] = []
    ) {
        self.status = status
        self.code = code
        self.title = title ?? HTTPStatus.reason(status)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extensions = extensions
    }

    public static func badRequest(_ code: String, _ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: 400, code: code, detail: detail, errors: errors)
    }

    public static func notFound(_ detail: String = "No such resource.") -> Problem {
        Problem(status: 404, code: "not_found", detail: detail)
    }

    public static func validation(_ errors: [FieldError], detail: String = "The request has invalid fields.") -> Problem {
        Problem(status: 422, code: "validation_failed", detail: detail, errors: errors)
    }

    public static func validation(field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)])
    }

    public static func conflict(_ code: String, _ detail: String, extensions: [(String, JSONValue)] = []) -> Problem {
        Problem(status: 409, code: code, detail: detail, extensions: extensions)
    }

    public static let internalError = Problem(status: 500, code: "internal_error", detail: "The server failed to answer this request.")

    /// The problem+json response.
    public var response: Response {
        var writer = JSONWriter()
        writer.objectStart()
        writer.key("type"); writer.string("urn:foothold:problem:\(code)")
        writer.key("title"); writer.string(title)
        writer.key("status"); writer.int(status)
        writer.key("code"); writer.string(code)
        writer.key("detail"); writer.string(detail)
        if !errors.isEmpty {
            writer.key("errors")
            writer.arrayStart()
            for error in errors {
                writer.objectStart()
                writer.key("field"); writer.string(error.field)
                writer.key("message"); writer.string(error.message)
                writer.objectEnd()
            }
            writer.arrayEnd()
        }
        for (name, value) in extensions {
            writer.key(name)
            writer.value(value)
        }
        writer.objectEnd()
        return Response(status: status, headers: [("Content-Type", "application/problem+json")] + headers, body: writer.bytes)
    }
}
