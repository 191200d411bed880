#ifndef FOOTHOLD_CCURL_H
#define FOOTHOLD_CCURL_H

#include <curl/curl.h>
#include <stddef.h>

// libcurl's curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// one wrapper per kind of argument, each passing it on unchanged.

CURLcode fh_curl_set_long(CURL *handle, CURLoption option, long value);
CURLcode fh_curl_set_string(CURL *handle, CURLoption option, const char *value);
CURLcode fh_curl_set_pointer(CURL *handle, CURLoption option, void *value);
CURLcode fh_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value);

/// A read or write callback: (buffer, size, count, userdata) -> bytes handled.
typedef size_t (*fh_curl_io)(char *buffer, size_t size, size_t count, void *userdata);
CURLcode fh_curl_set_io(CURL *handle, CURLoption option, fh_curl_io function);

CURLcode fh_curl_get_long(CURL *handle, CURLINFO info, long *value);

#endif
