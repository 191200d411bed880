/// Names compared the way people mean them: "Motivational interviewing", "motivational 
/// Interviewing" and the same typed with a fullwidth letter, a ligature or a no-break space are
/// one name. Compatibility folding (NFKC's mappings, from `CompatibilityTable`), runs of white
/// space made one space, and canonical composition (NFC); the key is also lower-cased.
public enum NameKey {
    private static let table: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        table.reserveCapacity(4096)
        for entry in CompatibilityTable.data.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let source = UInt32(parts[0], radix: 16) else { continue }
            table[source] = parts[1].split(separator: ".").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
        }
        return table
    }()

    /// The name as shown: folded and with its spaces tidied, its case kept.
    public static func display(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            for folded in table[scalar.value] ?? [scalar] {
                if folded.properties.isWhitespace || folded.properties.generalCategory == .control {
                    pendingSpace = !scalars.isEmpty
                    continue
                }
                if pendingSpace {
                    scalars.append(" ")
                    pendingSpace = false
                }
                scalars.append(folded)
            }
        }
        return String(decoding: String(scalars)._nfcCodeUnits, as: UTF8.self)
    }

    /// What two names are compared by.
    public static func key(_ text: String) -> String {
        String(decoding: display(text).lowercased()._nfcCodeUnits, as: UTF8.self)
    }

    private static let foldTable: [UInt32: [Unicode.Scalar]] = {
        var table: [UInt32: [Unicode.Scalar]] = [:]
        table.reserveCapacity(1024)
        for entry in FoldTable.data.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let source = UInt32(parts[0], radix: 16) else { continue }
            table[source] = parts[1].split(separator: ".").compactMap { UInt32($0, radix: 16).flatMap(Unicode.Scalar.init) }
        }
        return table
    }()

    /// What lists match `q` against and sort names by: the key with diacritics and case gone,
    /// so "Álvarez", "alvarez" and "A\u{301}lvarez" (NFD) are one, and "Élise" sorts among the
    /// E's. Search's index folds the same way (FTS5's unicode61, remove_diacritics 2).
    public static func fold(_ text: String) -> String {
        // Nearly every name is ASCII: lower-casing and tidying spaces is all it needs.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) && !text.contains("  ") {
            let lowered = text.lowercased()
            let trimmed = lowered.trimmingWhitespace()
            return trimmed
        }
        var scalars = String.UnicodeScalarView()
        for scalar in key(text).unicodeScalars {
            if let base = foldTable[scalar.value] {
                for folded in base { scalars.append(contentsOf: String(folded).lowercased().unicodeScalars) }
            } else if scalar.properties.generalCategory != .nonspacingMark {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
