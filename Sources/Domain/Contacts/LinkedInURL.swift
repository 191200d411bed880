import Primitives

/// LinkedIn profile URLs written many ways (http or https, www or not, trailing slash,
/// tracking query) name one profile; the key is what duplicate detection compares.
enum LinkedInURL {
    static func key(_ url: String?) -> String? {
        guard var text = url?.lowercased(), !text.isEmpty else { return nil }
        for scheme in ["https://", "http://"] where text.hasPrefix(scheme) { text.removeFirst(scheme.count) }
        for host in ["www.", "m."] where text.hasPrefix(host) { text.removeFirst(host.count) }
        if let cut = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<cut]) }
        while text.hasSuffix("/") { text.removeLast() }
        return PercentDecoding.decode(text[...], plusAsSpace: false) ?? text
    }
}
