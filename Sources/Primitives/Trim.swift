extension StringProtocol {
    /// The text without leading and trailing whitespace and newlines (Unicode
    /// White_Space), like Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`
    /// without bridging through NSString.
    public func trimmingWhitespace() -> String {
        // Nearly all text starts and ends with a printable ASCII byte: nothing to trim, and no
        // Unicode property lookups (which were 3% of a create's request thread).
        let bytes = Substring(self).utf8
        if let first = bytes.first, let last = bytes.last, Self.isASCIIText(first), Self.isASCIIText(last) {
            return String(self)
        }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return String(self) }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// ASCII and not White_Space (which in ASCII is tab through carriage return, and space).
    private static func isASCIIText(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's OWS, RFC 9110 §5.6.3).
    public func trimmingHTTPWhitespace() -> String {
        let text = Substring(self)
        let bytes = text.utf8
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start = bytes.index(after: start) }
        while start < end {
            let before = bytes.index(before: end)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        // Spaces and tabs are single bytes, so these are scalar boundaries.
        return String(text[start..<end])
    }
}
