import Outbound
import Testing

/// Where a webhook may go: the address checked is the resolved one, and the server's own
/// network is off limits unless the operator allows it.
@Suite("Webhooks: the SSRF policy")
struct WebhookPolicyTests {
    @Test(arguments: [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
        "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1",
        "64:ff9b::a00:1", "fe80::1%eth0",
    ])
    func internalAddressesAreRefused(_ address: String) {
        #expect(WebhookPolicy.isInternal(address))
    }

    @Test(arguments: ["93.184.216.34", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:2800:220:1::1", "::ffff:93.184.216.34"])
    func publicAddressesAreAllowed(_ address: String) {
        #expect(!WebhookPolicy.isInternal(address))
    }

    @Test func urlsAreCheckedBeforeAnyName() {
        let policy = WebhookPolicy()
        #expect(policy.check("http://example.org/hook") == .failure(.scheme("must be https:// (this server does not allow plain http webhooks)")))
        #expect(policy.check("ftp://example.org/") == .failure(.scheme("must be an https:// URL")))
        #expect(policy.check("https://user:pw@example.org/") == .failure(.userinfo))
        #expect(policy.check("https://example.org:99999/") == .failure(.malformed))
        #expect(policy.check("https:///nohost") == .failure(.malformed))
        #expect(policy.check("https://[::1]:8443/hook") == .success(.init(url: "https://[::1]:8443/hook", host: "::1", port: 8443, secure: true)))
        #expect(WebhookPolicy(allowHTTP: true).check("http://example.org/x") == .success(.init(url: "http://example.org/x", host: "example.org", port: 80, secure: false)))
        // The resolved address decides: a name for loopback is refused like the address itself.
        #expect(policy.resolve(.init(url: "https://localhost/", host: "localhost", port: 443, secure: true)) == .failure(.internalAddress("127.0.0.1"))
            || policy.resolve(.init(url: "https://localhost/", host: "localhost", port: 443, secure: true)) == .failure(.internalAddress("::1")))
        #expect(policy.resolve(.init(url: "https://127.0.0.1/", host: "127.0.0.1", port: 443, secure: true)) == .failure(.internalAddress("127.0.0.1")))
        #expect(WebhookPolicy(allowPrivate: true).resolve(.init(url: "https://127.0.0.1/", host: "127.0.0.1", port: 443, secure: true)) == .success("127.0.0.1"))
    }
}
