import SQLiteCore

/// An ordered sub-collection (docs/api.md: `/meetings/{id}/questions`): each row of `table` holds a
/// 1-based `position` within its parent, and positions stay dense. Inserting or moving an item
/// shifts the others; removing one closes the gap. Shifts go through negative positions, so a
/// UNIQUE (parent, position) index holds at every step.
struct PositionedList: Sendable {
    let table: String
    let parentColumn: String
    /// Whether rows carry a `version` that a shift moves: a moved row is a changed row, and an
    /// ETag that still matched it would answer 304 with a stale position.
    var versioned = false

    func count(_ connection: SQLiteConnection, parentID: Int64) throws -> Int64 {
        try connection.scalarInt("SELECT count(*) FROM \(table) WHERE \(parentColumn) = ?", [parentID]) ?? 0
    }

    /// The position a new item takes, `requested` clamped to 1…count+1 (nil: the end), after
    /// moving the items at and behind it one place back. Insert the item there next.
    func makeRoom(_ connection: SQLiteConnection, parentID: Int64, at requested: Int64?) throws -> Int64 {
        let end = try count(connection, parentID: parentID) + 1
        let position = min(max(requested ?? end, 1), end)
        if position < end { try shift(connection, parentID: parentID, from: position, through: end - 1, by: 1) }
        return position
    }

    /// Moves item `id` to `requested` (clamped to 1…count), shifting the items between; returns
    /// where it now is. Throws `notFound` when the item is not under this parent.
    @discardableResult
    func move(_ connection: SQLiteConnection, parentID: Int64, id: Int64, to requested: Int64) throws -> Int64 {
        guard let current = try connection.scalarInt(
            "SELECT position FROM \(table) WHERE \(parentColumn) = ? AND id = ?", [parentID, id]) else {
            throw DomainError.notFound("No item \(id) here.")
        }
        let target = min(max(requested, 1), try count(connection, parentID: parentID))
        guard target != current else { return current }
        // Out of the way first (0 is never a position), then the others, then into place.
        try connection.run("UPDATE \(table) SET position = 0 WHERE id = ?", [id])
        if target < current {
            try shift(connection, parentID: parentID, from: target, through: current - 1, by: 1)
        } else {
            try shift(connection, parentID: parentID, from: current + 1, through: target, by: -1)
        }
        try connection.run("UPDATE \(table) SET position = ? WHERE id = ?", [target, id])
        return target
    }

    /// Closes the gap left by an item removed from `position`.
    func close(_ connection: SQLiteConnection, parentID: Int64, after position: Int64) throws {
        let count = try count(connection, parentID: parentID)
        if position <= count { try shift(connection, parentID: parentID, from: position + 1, through: count + 1, by: -1) }
    }

    /// Adds `delta` to the positions `from`…`through`: negated first, then flipped back, so no
    /// two rows share a position even for a moment.
    private func shift(_ connection: SQLiteConnection, parentID: Int64, from: Int64, through: Int64, by delta: Int64) throws {
        guard from <= through else { return }
        try connection.run(
            "UPDATE \(table) SET position = -(position + ?) WHERE \(parentColumn) = ? AND position BETWEEN ? AND ?",
            [delta, parentID, from, through])
        let bump = versioned ? ", version = version + 1" : ""
        try connection.run("UPDATE \(table) SET position = -position\(bump) WHERE \(parentColumn) = ? AND position < 0", [parentID])
    }
}
