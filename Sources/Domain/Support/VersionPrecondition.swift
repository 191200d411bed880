/// What `If-Match` asked for (RFC 9110 §13.1.1), checked inside the write transaction.
public enum VersionPrecondition: Sendable, Equatable {
    case none
    /// `If-Match: *`: any current version.
    case any
    case oneOf(Set<Int64>)

    func check(_ current: Int64) throws(DomainError) {
        if case .oneOf(let versions) = self, !versions.contains(current) {
            throw DomainError.preconditionFailed(currentVersion: current)
        }
    }
}
