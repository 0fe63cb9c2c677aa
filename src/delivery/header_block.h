// HeaderBlock: a request's header lines in one buffer, handed to libcurl as
// a curl_slist whose nodes point into that buffer (CURLOPT_HTTPHEADER only
// reads the list), so a transfer's headers cost two allocations instead of
// two per header (curl_slist_append copies each line into a node of its own).
//
// Lines are "Name: value"; a header with an empty value is spelled "Name;"
// (libcurl's way to send it: "Name:" would remove the header). `extra` lines
// (e.g. "Expect:") are appended verbatim.
//
// Pure; not thread-safe; not copyable (the nodes point into the buffer).
#pragma once

#include <curl/curl.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/request_builder.h"

namespace switchboard::delivery {

class HeaderBlock {
 public:
  HeaderBlock() = default;
  HeaderBlock(const HeaderBlock&) = delete;
  HeaderBlock& operator=(const HeaderBlock&) = delete;

  // Replaces the lines (the buffer and nodes are reused across calls).
  void assign(const std::vector<HttpHeader>& headers, std::initializer_list<std::string_view> extra = {});
  // The list for CURLOPT_HTTPHEADER; null when there are no lines. Valid until
  // the next assign() or the block's destruction.
  curl_slist* list() { return nodes_.empty() ? nullptr : nodes_.data(); }
  // The lines, in order (tests, logs).
  std::vector<std::string_view> lines() const;

 private:
  std::string text_;  // the lines, each ended by '\0'
  std::vector<curl_slist> nodes_;
};

}  // namespace switchboard::delivery
