import CCurl

/// libcurl's global start, once per process and only when first needed: a server that sends
/// no mail and no webhooks never loads libcurl's TLS.
enum Curl {
    static let started: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
}
